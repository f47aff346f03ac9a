"""The studio's one clock: every decision about time (when a call may go, when a
lease lapses, when a heartbeat is stale, what month it is, how old the balance is)
reads it, so tests can move time. Rows' own change stamps (`updated_at`, Django's
auto_now) are the database's record of when they were written, not decisions.
"""

from datetime import datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def stamp() -> datetime:
    """`now`, looked up when called: the default of model fields, so a test that
    moves the clock moves their stamps too."""
    return now()
