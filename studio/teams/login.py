"""Every login form (ours and the admin's), slowed down after repeated failures.

Failures are counted in the shared cache, so every web worker sees the same counts:
- per (username, client address): after STUDIO_LOGIN_ATTEMPTS failures that pair
  waits 30 seconds, twice as long after each further failure, up to
  STUDIO_LOGIN_PAUSE_SECONDS. This is what stops one guesser.
- per username from everywhere: after NAME_ATTEMPTS failures the name gets one try
  every NAME_PAUSE_SECONDS. This slows guessers spread over many addresses, and is
  all a stranger elsewhere can do to the name's owner.

An attempt counts as a failure when it arrives and is taken back if it succeeds, so
a burst of parallel guesses cannot all slip in before the first failure is written.
A success also forgets its pair's failures.
"""

import hashlib
import math
from dataclasses import dataclass

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.core.exceptions import ValidationError

from studio.lib import clock
from studio.lib.client_address import client_address

FIRST_PAUSE_SECONDS = 30
NAME_ATTEMPTS = 20
NAME_PAUSE_SECONDS = 30
NAME_MEMORY_SECONDS = 15 * 60

PAIR_PAUSED = ("Too many failed attempts for this name. Try again in {wait}. "
               "If you have forgotten your password, a team admin can reset it.")
NAME_SLOWED = ("Too many failed attempts for this name lately, so it gets one try "
               f"every {NAME_PAUSE_SECONDS} seconds. Try again in {{wait}}.")


@dataclass(frozen=True)
class Rule:
    """After `attempts` failures, a pause from the last one: `first_pause` seconds,
    doubling with each further failure up to `longest_pause`. Failures are forgotten
    once `memory` seconds pass after a pause (or the last failure) without another."""

    attempts: int
    first_pause: float
    longest_pause: float
    memory: float

    def pause(self, failures: int) -> float:
        if failures < self.attempts:
            return 0.0
        doublings = min(failures - self.attempts, 32)
        return min(self.first_pause * 2**doublings, self.longest_pause)


def pair_rule() -> Rule:
    return Rule(attempts=settings.STUDIO_LOGIN_ATTEMPTS, first_pause=FIRST_PAUSE_SECONDS,
                longest_pause=settings.STUDIO_LOGIN_PAUSE_SECONDS,
                memory=settings.STUDIO_LOGIN_PAUSE_SECONDS)


NAME_RULE = Rule(attempts=NAME_ATTEMPTS, first_pause=NAME_PAUSE_SECONDS,
                 longest_pause=NAME_PAUSE_SECONDS, memory=NAME_MEMORY_SECONDS)


def failures_key(*parts: str) -> str:
    """A cache key for any username and address: hashed, so always short and plain."""
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()[:40]
    return f"login-failures:{digest}"


def pair_key(username: str, address: str) -> str:
    return failures_key("pair", username.casefold(), address)


def name_key(username: str) -> str:
    return failures_key("name", username.casefold())


@dataclass
class Failures:
    """One key's failures: how many, and when the last one came (seconds since epoch).

    The time is kept in the value because the cache's own expiry runs on the real
    clock, which tests cannot move; the expiry only clears away forgotten entries.
    """

    key: str
    rule: Rule
    count: int = 0
    last: float = 0.0

    @classmethod
    def load(cls, key: str, rule: Rule, now: float) -> "Failures":
        stored = cache.get(key) or {}
        failures = cls(key, rule, stored.get("count", 0), stored.get("last", 0.0))
        if now >= failures.paused_until() + rule.memory:
            return cls(key, rule)
        return failures

    def paused_until(self) -> float:
        return self.last + self.rule.pause(self.count)

    def add(self, now: float) -> None:
        self.count += 1
        self.last = now
        self.save()

    def take_back(self) -> None:
        self.count = max(self.count - 1, 0)
        self.save()

    def save(self) -> None:
        keep = self.rule.pause(self.count) + self.rule.memory
        cache.set(self.key, {"count": self.count, "last": self.last}, math.ceil(keep) + 1)

    def forget(self) -> None:
        cache.delete(self.key)


class LoginAttempt:
    """One try of a username from a client address, against both counts."""

    def __init__(self, username: str, address: str):
        self.now = clock.now().timestamp()
        self.pair = Failures.load(pair_key(username, address), pair_rule(), self.now)
        self.name = Failures.load(name_key(username), NAME_RULE, self.now)

    def refuse_if_paused(self) -> None:
        pair_wait = self.pair.paused_until() - self.now
        name_wait = self.name.paused_until() - self.now
        if pair_wait > 0 and pair_wait >= name_wait:
            raise ValidationError(PAIR_PAUSED.format(wait=in_words(pair_wait)), code="throttled")
        if name_wait > 0:
            raise ValidationError(NAME_SLOWED.format(wait=in_words(name_wait)), code="throttled")

    def count_as_failure(self) -> None:
        self.pair.add(self.now)
        self.name.add(self.now)

    def succeeded(self) -> None:
        self.pair.forget()
        self.name.take_back()


def in_words(seconds: float) -> str:
    """A wait as a person says it, rounded up: '1 second', '40 seconds', '2 minutes'."""
    whole = math.ceil(seconds)
    if whole < 60:
        return plural(whole, "second")
    if whole < 2 * 3600:
        return plural(math.ceil(whole / 60), "minute")
    return plural(math.ceil(whole / 3600), "hour")


def plural(number: int, unit: str) -> str:
    return f"{number} {unit}" if number == 1 else f"{number} {unit}s"


class ThrottledLoginMixin:
    """For an AuthenticationForm: refuse paused names, count every password tried."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if not username or not self.cleaned_data.get("password"):
            return super().clean()  # a field is missing: no password is checked
        attempt = LoginAttempt(username, client_address(self.request))
        attempt.refuse_if_paused()
        attempt.count_as_failure()
        cleaned_data = super().clean()
        attempt.succeeded()
        return cleaned_data


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass


class ThrottledLoginView(LoginView):
    authentication_form = ThrottledAuthenticationForm
