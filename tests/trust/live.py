"""Run the real server in a subprocess against its own database, for fault and fuzz tests."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """A `fengqiao serve` process with its own data folder and, on PostgreSQL, its own database."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.env = {
            **os.environ,
            "FENGQIAO_DATA_DIR": str(data_dir),
            "DJANGO_SETTINGS_MODULE": "fengqiao.settings",
            "FENGQIAO_RATE_WRITE": "0",
            "FENGQIAO_RATE_READ": "0",
            "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "src")]),
        }
        self.env.pop("FENGQIAO_FIELD_KEYS", None)
        self.pg_name = None
        base = os.environ.get("DATABASE_URL")
        if base:
            self.pg_name = f"fq_live_{uuid.uuid4().hex[:10]}"
            self._pg_admin(f'CREATE DATABASE "{self.pg_name}"')
            self.env["DATABASE_URL"] = base.rsplit("/", 1)[0] + "/" + self.pg_name

    def _pg_admin(self, sql: str):
        import dj_database_url
        import psycopg

        c = dj_database_url.parse(os.environ["DATABASE_URL"])
        with psycopg.connect(host=c["HOST"], port=c["PORT"] or 5432, user=c["USER"], password=c["PASSWORD"] or None,
                             dbname="postgres", autocommit=True) as conn:
            conn.execute(sql)

    def manage(self, *args: str, check=True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "fengqiao.cli", *args], env=self.env, cwd=REPO,
                              capture_output=True, text=True, check=check, timeout=300)

    def setup_world(self) -> None:
        self.manage("migrate")
        self.manage("shell", "-c", "from tests.world import build_world; build_world()")

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "fengqiao.cli", "serve", "--port", str(self.port), "--threads", "4"],
            env=self.env, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def close(self) -> None:
        self.kill()
        if self.pg_name:
            self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
