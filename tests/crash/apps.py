"""Test-only app: kills the worker's whole process group at a chosen move.

Installed only by `tests.crash.settings`, which the crash tests give to the studio's
real processes. The crash point is read from the file named by STUDIO_CRASH_FILE
("sending", or "awaiting_provider->storing"), and the file is removed when it fires,
so the restarted worker goes on normally.
"""

import os
import signal
from pathlib import Path

from django.apps import AppConfig


class CrashConfig(AppConfig):
    name = "tests.crash"
    label = "crash"

    def ready(self) -> None:
        from studio.generations.lifecycle import moved

        moved.connect(crash_if_chosen, dispatch_uid="tests.crash")


def crash_if_chosen(sender, generation_id: int, source: str, target: str, **kwargs) -> None:
    marker = Path(os.environ.get("STUDIO_CRASH_FILE", "/nonexistent"))
    try:
        chosen = marker.read_text().strip()
    except OSError:
        return
    if chosen in (target, f"{source}->{target}"):
        marker.unlink(missing_ok=True)
        os.killpg(os.getpgid(0), signal.SIGKILL)
