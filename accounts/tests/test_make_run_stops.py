"""`make run` stops as a whole: TERM to its process group ends web, Celery worker and beat within 10 s.

Starts the real demo (migrate, seed, gunicorn, worker and beat on kombu's file-system broker) in a var directory
of its own, which also names every process it started. Takes about half a minute.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import IS_CI

ROOT = Path(__file__).resolve().parents[2]
# A local run uses no service: SQLite, a file cache and the file-system broker, all under XINGAN_VAR_DIR.
SERVICE_VARIABLES = ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def processes_of(var_dir: Path) -> dict[int, str]:
    """Live (not zombie) processes whose environment names this run's var directory, with their command line."""
    marker = f"XINGAN_VAR_DIR={var_dir}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # ended meanwhile, or not ours to read
            continue
        if state != "Z":
            found[int(entry.name)] = command
    return found


def serves_login_page(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=2) as response:
            return "用户登录" in response.read().decode()
    except OSError:
        return False


def test_term_to_make_run_ends_web_worker_and_beat_within_ten_seconds(tmp_path):
    if shutil.which("make") is None or not (Path(sys.prefix) / "bin" / "celery").exists():
        if IS_CI:
            pytest.fail("CI must be able to run `make run` (make and the virtualenv's celery)")
        pytest.skip("needs make and a virtualenv with celery and gunicorn")
    var_dir = tmp_path / "var"
    environment = {key: value for key, value in os.environ.items() if key not in SERVICE_VARIABLES}
    environment["XINGAN_VAR_DIR"] = str(var_dir)
    port = free_port()
    log = tmp_path / "make-run.log"
    with log.open("w") as output:
        # -o: the running interpreter's virtualenv is installed already, and the PDF fonts play no part here.
        make = subprocess.Popen(
            ["make", "-o", "install", "-o", "fonts", "run", f"VENV={sys.prefix}", f"PORT={port}"],
            cwd=ROOT, env=environment, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 300  # migrate and the demo data first (~30 s alone, minutes on a loaded machine)
        while not (serves_login_page(port) and "ready." in log.read_text() and "beat: Starting" in log.read_text()):
            assert make.poll() is None, f"make run ended by itself:\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"make run did not start:\n{log.read_text()[-3000:]}"
            time.sleep(0.5)
        commands = " ".join(processes_of(var_dir).values())
        assert "gunicorn" in commands and "celery -A xingan_training worker" in commands and "beat" in commands

        os.killpg(make.pid, signal.SIGTERM)
        started = time.monotonic()
        make.wait(timeout=15)
        while processes_of(var_dir) and time.monotonic() - started < 10:
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        assert not processes_of(var_dir), f"still running after {elapsed:.1f} s: {processes_of(var_dir)}"
        assert elapsed < 10
    finally:
        for pid in processes_of(var_dir):
            os.kill(pid, signal.SIGKILL)
