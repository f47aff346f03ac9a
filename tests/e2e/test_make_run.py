"""`make run` as a newcomer uses it: it serves the studio, and Ctrl-C stops it all."""

import os
import signal
import subprocess
import time

import httpx
import pytest

from tests.stack import ROOT, free_port

pytestmark = [pytest.mark.e2e, pytest.mark.one_engine]  # `make run` is SQLite's

STARTUP_SECONDS = 90.0
STOP_SECONDS = 15.0


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_ctrl_c_stops_the_web_server_and_the_worker_cleanly(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "MEDIA_ROOT": str(tmp_path / "media"), "STUDIO_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    log = (tmp_path / "make.log").open("w+b")
    make = subprocess.Popen(["make", "--no-print-directory", "run", f"PORT={port}"], cwd=ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline and make.poll() is None:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/accounts/login/").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        else:
            pytest.fail(f"make run did not serve the login page\n{log_text(log)}")
        os.killpg(make.pid, signal.SIGINT)  # what a terminal does on Ctrl-C
        try:
            make.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            pytest.fail(f"make run still running {STOP_SECONDS:g} s after Ctrl-C\n"
                        f"{log_text(log)}")
        deadline = time.monotonic() + STOP_SECONDS
        while group_alive(make.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not group_alive(make.pid), f"processes left running\n{log_text(log)}"
        with pytest.raises(httpx.TransportError):  # gunicorn (a session of its own) too
            httpx.get(f"http://127.0.0.1:{port}/accounts/login/")
        assert "Segmentation fault" not in log_text(log)
    finally:
        if group_alive(make.pid):
            os.killpg(make.pid, signal.SIGKILL)


def log_text(log) -> str:
    log.flush()
    log.seek(0)
    return log.read().decode(errors="replace")[-3000:]
