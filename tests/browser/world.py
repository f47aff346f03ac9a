"""The studio world for page checks: one studio with every kind and state of work
(what is in it: world_data.py), served by gunicorn over its own database and media
folder, and browser contexts logged in as each role.

Built once per test session (the `studio_world` fixture) and by `make screenshots`:

    with WorldServer() as world:
        contexts = Contexts(browser, world)
        page = contexts.page("member", theme="dark", width=390)

No worker runs: queued work stays queued and running work stays running, so every
page looks the same each time. The child process that builds it is
`python -m tests.browser.world OUT.json`.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.stack import ROOT, Stack

ROLES = ("owner", "admin", "member", "viewer", "empty", "stranger", "anonymous")
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
THEMES = ("light", "dark")


@dataclass(frozen=True)
class World:
    url: str
    # Role -> session key: "owner", "admin", "member", "viewer" of Northwind Studio;
    # "empty": the owner in Quiet Room, the empty standard team; "stranger": no team.
    sessions: dict[str, str]
    # Named rows: a generation id per kind and state ("image", "tts", "video_i2v",
    # "failed", "queued", ...), "compare" (a query: ids=1&ids=2&ids=3), invitation
    # tokens ("invitation", "expired_invitation").
    ids: dict[str, int | str]

    def address(self, path: str) -> str:
        """`path` with {placeholders} filled from `ids`, as a full URL."""
        return self.url + path.format(**self.ids)


class WorldServer(Stack):
    """The world built in a child process, then served like production serves it
    (gunicorn, DEBUG off), with no worker."""

    def __init__(self) -> None:
        super().__init__(start_worker=False, env={
            "DEBUG": "false",
            "DJANGO_SETTINGS_MODULE": "tests.browser.world_settings",
            "STUDIO_BALANCE_MAX_AGE": "0",  # the balance is the world's, never fetched
            "STUDIO_LOGIN_ATTEMPTS": "1000",  # the failed-login page is loaded often
        })

    def __enter__(self) -> World:  # type: ignore[override]
        try:
            began = time.monotonic()
            self.servers.create()
            out = self.dir / "world.json"
            self.run(sys.executable, "-m", "tests.browser.world", str(out))
            built = json.loads(out.read_text())
            self.start_web()
            self.wait_until_serving()
        except BaseException:
            self.stop()
            self.cleanup()
            raise
        self.ready_seconds = time.monotonic() - began
        return World(self.url, built["sessions"], built["ids"])

    def __exit__(self, *exc_info) -> None:
        self.stop()
        self.cleanup()

    def run(self, *command: str) -> None:
        done = subprocess.run(command, cwd=ROOT, env=self.env, capture_output=True,
                              text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"building the world failed:\n{done.stdout}{done.stderr}")


def running_world(request: pytest.FixtureRequest) -> Iterator[World]:
    """Body of a session fixture: the world served, its server's log tail printed
    if a test failed."""
    server = WorldServer()
    with server as world:
        yield world
        if request.session.testsfailed:
            capture = request.config.pluginmanager.getplugin("capturemanager")
            with capture.global_and_fixture_disabled():
                print(f"\nStudio world logs ({server.dir}):\n{server.logs(30)}")


class Contexts:
    """One browser context per (role, theme, viewport), made when first asked for:
    each carries the role's session cookie and the theme cookie (none: the system's
    theme). Motion is reduced so nothing is caught half way through a transition."""

    def __init__(self, browser, world: World) -> None:
        self.browser, self.world = browser, world
        self._made: dict[tuple, object] = {}

    def context(self, role: str, *, theme: str | None = None, width: int = 1440):
        key = (role, theme, width)
        if key not in self._made:
            self._made[key] = self.new_context(role, theme=theme, width=width)
        return self._made[key]

    def new_context(self, role: str, *, theme: str | None = None, width: int = 1440,
                    **options):
        """A context of its own, for a test that changes cookies (close it after)."""
        viewport = DESKTOP if width == DESKTOP["width"] else {**PHONE, "width": width}
        context = self.browser.new_context(viewport=viewport, reduced_motion="reduce",
                                           **options)
        cookies = []
        if theme:
            cookies.append({"name": "theme", "value": theme, "url": self.world.url})
        if role != "anonymous":
            cookies.append({"name": "sessionid", "value": self.world.sessions[role],
                            "url": self.world.url})
        if cookies:
            context.add_cookies(cookies)
        return context

    def page(self, role: str, *, theme: str | None = None, width: int = 1440):
        return self.context(role, theme=theme, width=width).new_page()

    def close(self) -> None:
        for context in self._made.values():
            context.close()
        self._made.clear()


if __name__ == "__main__":
    import django

    django.setup()
    from tests.browser.world_data import build

    Path(sys.argv[1]).write_text(json.dumps(build()))
