"""Schemathesis over the published OpenAPI document: no input may produce a 5xx."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.trust.live import LiveServer

pytestmark = pytest.mark.skipif(shutil.which("schemathesis", path=str(Path(sys.executable).parent)) is None,
                                reason="schemathesis is not installed")


def test_fuzzing_the_api_finds_no_server_error(tmp_path):
    server = LiveServer(tmp_path / "data")
    try:
        server.setup_world()
        token = server.manage("token", "create", "admin").stdout.strip().splitlines()[-1]
        server.start()
        result = subprocess.run(
            [str(Path(sys.executable).parent / "schemathesis"), "run", f"{server.url}/api/v1/openapi.json",
             "--checks", "not_a_server_error", "--max-examples", "25", "--seed", "1",
             "-H", f"Authorization: Bearer {token}", "--request-timeout", "20"],
            capture_output=True, text=True, timeout=900, cwd=tmp_path,
        )
        print(result.stdout[-3000:])
        assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    finally:
        server.close()
