"""The studio's settings plus the crash app (tests/crash/apps.py)."""

from studio.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.crash.apps.CrashConfig"]  # noqa: F405
