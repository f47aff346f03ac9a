"""The one clock the dispatcher and the sandbox read, so tests can move time."""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()
