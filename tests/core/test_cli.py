"""The `fengqiao` command against a real data folder: API tokens and audit-chain verification."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SETUP = """
from fengqiao.cases import services
from fengqiao.org.models import Region, Staff
county = Region.objects.create(code="990101", name="青溪县", level="county")
clerk = Staff.objects.create_user(username="clerk", password="test-pass-123", role="clerk", region=county)
for i in range(3):
    services.case_register(title=f"路灯不亮{i}", content="村口路灯一个月不亮了。", channel="visit", region=county, actor=clerk)
print("ready")
"""


def _env(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FENGQIAO_", "DJANGO_")) and k != "DATABASE_URL"}
    return {**env, "FENGQIAO_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "fengqiao.settings"}


def _fengqiao(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    script = Path(sys.executable).with_name("fengqiao")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "fengqiao.cli"]
    return subprocess.run([*command, *args, "--data-dir", str(data_dir)], capture_output=True, text=True,
                          env=_env(data_dir), timeout=120)


def _python(data_dir: Path, code: str) -> subprocess.CompletedProcess:
    prelude = "import django; django.setup()\n"
    return subprocess.run([sys.executable, "-c", prelude + code], capture_output=True, text=True,
                          env=_env(data_dir), timeout=120)


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fengqiao-cli")
    migrated = _fengqiao(folder, "migrate", "--verbosity", "0")
    assert migrated.returncode == 0, migrated.stderr
    ready = _fengqiao(folder, "shell", "-c", SETUP)
    assert ready.returncode == 0 and "ready" in ready.stdout, ready.stderr
    return folder


def test_token_create_prints_a_working_token_last(data_dir):
    result = _fengqiao(data_dir, "token", "create", "clerk")
    assert result.returncode == 0, result.stderr
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("fq_") and len(token) > 30 and " " not in token
    check = _python(data_dir, f"""
from fengqiao.org.selectors import staff_from_token
print(staff_from_token({token!r}).username, staff_from_token({token + 'x'!r}))
""")
    assert check.returncode == 0, check.stderr
    assert check.stdout.split() == ["clerk", "None"]


def test_token_create_for_unknown_user_fails_in_chinese(data_dir):
    result = _fengqiao(data_dir, "token", "create", "nobody")
    assert result.returncode != 0
    assert "用户不存在" in result.stderr


def test_audit_verify_passes_then_names_the_altered_entry(data_dir):
    intact = _fengqiao(data_dir, "audit", "verify")
    assert intact.returncode == 0, intact.stderr
    assert "审计链完整" in intact.stdout
    with sqlite3.connect(data_dir / "fengqiao.sqlite3") as db:
        changed = db.execute("UPDATE core_auditentry SET data = ? WHERE seq = 2", ('{"from": "", "to": "closed"}',))
        assert changed.rowcount == 1
    broken = _fengqiao(data_dir, "audit", "verify")
    assert broken.returncode != 0
    assert "第 2 条" in broken.stderr and "entry 2" in broken.stderr
