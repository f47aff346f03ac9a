"""The studio as production runs it: migrate, create a team, then gunicorn (uvicorn
workers, ASGI) and a django-q2 cluster as separate processes over one fresh SQLite
file and media folder. The first stack of a test process keeps its fresh database as
a template; the next ones start from a copy of it.
When the outer run is on PostgreSQL and Redis (`make test`'s second run), the stack is
too: a fresh database on the same PostgreSQL server and an emptied Redis database.

Tests using it must not use pytest-django's `db` fixture: the processes own their data.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from urllib.parse import urlsplit

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# Outer settings that would point the processes somewhere other than their own world,
# and STUDIO_DB_POOL, which importing studio.asgi in a test sets: a worker given it
# forks processes that share one pool's connections.
INHERITED_BUT_IGNORED = ("DATABASE_URL", "REDIS_URL", "MEDIA_ROOT", "MULTIMODAL_API_URL",
                         "STUDIO_SANDBOX", "STUDIO_PUBLIC_URL", "DJANGO_SETTINGS_MODULE",
                         "AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "STUDIO_DB_POOL")
STARTUP_SECONDS = 30.0
STOP_SECONDS = 10.0
# Redis databases for stacks: the ones after the outer run's own (tests/settings.py),
# one per stack.
STACKS_PER_REDIS_PROCESS = 7
_stacks_started = 0
# Migrated databases holding the stack's team, one per engine and per value of the
# settings that shape them (the team's API token is encrypted with the secret key).
_templates: dict[str, str] = {}
TEMPLATE_BY = ("SECRET_KEY", "DJANGO_SETTINGS_MODULE")


class StackServers:
    """Where a stack keeps its data: its own SQLite file or, when the outer run is on
    PostgreSQL and Redis, its own database on that server and its own Redis database."""

    def __init__(self, folder: Path) -> None:
        global _stacks_started
        _stacks_started += 1
        outer_db = os.environ.get("DATABASE_URL", "")
        outer_redis = os.environ.get("REDIS_URL", "")
        self.pg_name = ""
        self.sqlite_path = folder / "db.sqlite3"
        self.database_url = f"sqlite:///{self.sqlite_path}"
        if outer_db.startswith(("postgres://", "postgresql://")):
            self.pg_name = f"studio_stack_{os.getpid()}_{_stacks_started}"
            self.database_url = urlsplit(outer_db)._replace(path=f"/{self.pg_name}").geturl()
            self.pg_admin_url = urlsplit(outer_db)._replace(path="/postgres").geturl()
        self.redis_url = ""
        if outer_redis:
            outer_db_number = int(urlsplit(outer_redis).path.strip("/") or 0)
            db = outer_db_number + 1 + (_stacks_started - 1) % STACKS_PER_REDIS_PROCESS
            self.redis_url = urlsplit(outer_redis)._replace(path=f"/{db}").geturl()

    def _pg_admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.pg_admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        if self.pg_name:
            self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            self._pg_admin(f'CREATE DATABASE "{self.pg_name}"')
        if self.redis_url:
            import redis

            with redis.from_url(self.redis_url) as client:
                client.flushdb()

    def drop(self) -> None:
        if self.pg_name:
            with suppress(Exception):
                self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')

    def save_as_template(self, key: str) -> None:
        """Keep this database, migrated and seeded, for the next stacks of this process
        with the same `key`: a copy takes milliseconds, migrating seconds."""
        if self.pg_name:
            template = f"{self.pg_name}_template"
            self._pg_admin(f'CREATE DATABASE "{template}" TEMPLATE "{self.pg_name}"')
            atexit.register(self._pg_admin, f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')
        else:
            template = tempfile.mkdtemp(prefix="studio-stack-template-")
            atexit.register(shutil.rmtree, template, True)
            for file in self.sqlite_files():
                shutil.copy(file, template)
        _templates[key] = template

    def copy_template(self, key: str) -> bool:
        """Fill this database from the template saved under `key`, if there is one."""
        template = _templates.get(key)
        if template is None:
            return False
        if self.pg_name:
            self._pg_admin(f'DROP DATABASE IF EXISTS "{self.pg_name}" WITH (FORCE)')
            self._pg_admin(f'CREATE DATABASE "{self.pg_name}" TEMPLATE "{template}"')
        else:
            for file in Path(template).iterdir():
                shutil.copy(file, self.sqlite_path.parent)
        return True

    def sqlite_files(self) -> list[Path]:
        folder = self.sqlite_path.parent
        return sorted(folder.glob(f"{self.sqlite_path.name}*"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def web_command(port: int, control_socket: Path, workers: int = 2) -> tuple[str, ...]:
    """The Procfile's web process: gunicorn with the studio's uvicorn workers (ASGI)."""
    return (str(BIN / "gunicorn"), "studio.asgi:application",
            "--worker-class", "studio.web.Worker", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--access-logfile", "-",
            # Not the shared ~/.gunicorn/gunicorn.ctl another server may own.
            "--control-socket", str(control_socket))


def csrf_post(client: httpx.Client, path: str, data: dict[str, str | int],
              **kwargs) -> httpx.Response:
    """POST a form the way a browser does, with the current CSRF cookie's token."""
    token = client.cookies.get("csrftoken") or ""
    return client.post(path, data={**data, "csrfmiddlewaretoken": token}, **kwargs)


class Stack:
    team = "E2E Team"
    username = "e2e"
    password = "e2e-studio-password"
    api_token = "sbx_e2e_token_0001"

    def __init__(self, *, start_worker: bool = True, env: dict[str, str] | None = None) -> None:
        self._start_worker = start_worker
        self._tmp = tempfile.TemporaryDirectory(prefix="studio-stack-")
        self.dir = Path(self._tmp.name)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.servers = StackServers(self.dir)
        self.env = {key: value for key, value in os.environ.items()
                    if key not in INHERITED_BUT_IGNORED} | {
            "DATABASE_URL": self.servers.database_url,
            "MEDIA_ROOT": str(self.dir / "media"),
            "STUDIO_PUBLIC_URL": self.url,
            # Static files from the finders through whitenoise, no collectstatic.
            "DEBUG": "true",
            "STUDIO_QUEUE_POLL": "0.05",
            "PYTHONUNBUFFERED": "1",
        } | ({"REDIS_URL": self.servers.redis_url} if self.servers.redis_url else {}) \
            | (env or {})
        self.processes: dict[str, subprocess.Popen] = {}

    def __enter__(self) -> Stack:
        try:
            self.servers.create()
            template_key = self.template_key()
            if not self.servers.copy_template(template_key):
                self.manage("migrate", "--noinput")
                self.manage("create_team", self.team, "--owner", self.username,
                            "--password", self.password, "--api-token", self.api_token,
                            "--tier", "premium")
                self.servers.save_as_template(template_key)
            self.start_web()
            if self._start_worker:
                self.start_worker()
            self.wait_until_serving()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def template_key(self) -> str:
        engine = "postgresql" if self.servers.pg_name else "sqlite"
        return " ".join([engine, *(f"{name}={self.env.get(name)}" for name in TEMPLATE_BY)])

    def manage(self, *args: str) -> str:
        done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"manage.py {args[0]} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def spawn(self, name: str, *command: str) -> None:
        with open(self.dir / f"{name}.log", "ab") as log:
            # A session of its own, so stop() can reach the whole process group.
            self.processes[name] = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)

    def start_web(self) -> None:
        self.spawn("web", *web_command(self.port, self.dir / "gunicorn.ctl"))

    def stop_web(self) -> None:
        """A deploy's SIGTERM to the web process (gunicorn and its workers)."""
        self.terminate([self.processes.pop("web")])

    def start_worker(self) -> None:
        """Start the worker, unless one of this stack's is running (a second would
        outlive the stack and keep its database open)."""
        running = self.processes.get("worker")
        if running is None or running.poll() is not None:
            self.spawn("worker", sys.executable, "manage.py", "worker")

    def wait_until_serving(self) -> None:
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if died := [n for n, p in self.processes.items() if p.poll() is not None]:
                raise RuntimeError(f"{', '.join(died)} exited at startup\n{self.logs()}")
            try:
                if httpx.get(f"{self.url}/accounts/login/", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"studio did not answer within {STARTUP_SECONDS}s\n{self.logs()}")

    def stop_worker(self) -> None:
        """Stop the worker only; queued jobs wait in the database until start_worker."""
        self.terminate([self.processes.pop("worker")])

    def stop(self) -> None:
        self.terminate(list(self.processes.values()))
        self.processes.clear()

    @staticmethod
    def terminate(processes: list[subprocess.Popen]) -> None:
        """SIGTERM each leader (gunicorn and the worker stop their children), then
        SIGKILL whatever is left in their groups after a deadline."""
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in processes:
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()

    def cleanup(self) -> None:
        self.servers.drop()
        self._tmp.cleanup()

    def logs(self, lines: int = 60) -> str:
        tails = []
        for log in sorted(self.dir.glob("*.log")):
            tail = log.read_text(errors="replace").splitlines()[-lines:]
            tails.append(f"----- {log.name} (last {len(tail)} lines) -----\n"
                         + "\n".join(tail))
        return "\n".join(tails)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)

    def login_client(self) -> httpx.Client:
        """A client logged in through the real login form."""
        client = self.client()
        assert client.get("/accounts/login/").status_code == 200
        response = csrf_post(client, "/accounts/login/",
                             {"username": self.username, "password": self.password})
        assert response.status_code == 302 and response.headers["location"] == "/", (
            f"login failed: {response.status_code}\n{self.logs()}")
        return client


def running_stack(request: pytest.FixtureRequest, **options) -> Iterator[Stack]:
    """Body of a module-scoped fixture: one Stack for the module, its log tails
    printed if any of the module's tests failed."""
    failed_before = request.session.testsfailed
    stack = Stack(**options)
    try:
        with stack:
            yield stack
            if request.session.testsfailed > failed_before:
                capture = request.config.pluginmanager.getplugin("capturemanager")
                with capture.global_and_fixture_disabled():
                    print(f"\nStudio stack logs ({stack.dir}):\n{stack.logs()}")
    finally:
        stack.cleanup()
