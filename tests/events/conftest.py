"""A real ASGI server (uvicorn, in a thread) over the test database, and clients
logged in as the shared world's people, reading `/events/` as a browser does."""

import threading
import time
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from django.conf import settings as django_settings
from django.core.asgi import get_asgi_application
from django.db.backends.signals import connection_created
from django.test import Client

from tests.stack import free_port

STARTUP_SECONDS = 10.0


class ThreadedServer:
    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        # Django's ASGI handler as studio/asgi.py makes it (not imported: it sets the
        # web process's environment, which the stacks' processes would inherit).
        self.server = uvicorn.Server(uvicorn.Config(
            get_asgi_application(), host="127.0.0.1", port=self.port, lifespan="off",
            log_level="warning", loop="asyncio", http="h11"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> "ThreadedServer":
        self.thread.start()
        deadline = time.monotonic() + STARTUP_SECONDS
        while not self.server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(STARTUP_SECONDS)


def read_without_table_locks(sender, connection, **kwargs) -> None:
    """The SQLite test database is one in-memory database shared between threads
    (shared cache), where a reader meets a writer's table lock as an error instead of
    waiting; a file database (production) waits. Readers here read past it."""
    if connection.vendor == "sqlite":
        connection.cursor().execute("PRAGMA read_uncommitted = 1")


@pytest.fixture
def asgi_server(transactional_db, settings) -> Iterator[ThreadedServer]:
    settings.STUDIO_EVENTS_POLL = 0.05
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    connection_created.connect(read_without_table_locks)
    server = ThreadedServer().start()
    yield server
    server.stop()
    connection_created.disconnect(read_without_table_locks)


@pytest.fixture
def log_in(asgi_server):
    """`log_in(user)`: an httpx client of the server holding that user's session."""
    opened = []

    def client_for(user) -> httpx.Client:
        django_client = Client()
        django_client.force_login(user)
        client = httpx.Client(base_url=asgi_server.url, timeout=httpx.Timeout(5.0))
        client.cookies.set(django_settings.SESSION_COOKIE_NAME,
                           django_client.cookies[django_settings.SESSION_COOKIE_NAME].value)
        opened.append(client)
        return client

    yield client_for
    for client in opened:
        client.close()
