"""A token's request quota: TOKEN_RATE_PER_SECOND requests a second, more get 429 with
Retry-After. Every answer says where the token stands, as the IETF draft
"RateLimit header fields for HTTP" has it: `RateLimit-Policy: "token";q=20;w=1` and
`RateLimit: "token";r=<remaining>;t=<seconds to reset>`."""

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from studio.api.models import ApiToken
from studio.api.problems import Problem
from studio.lib import clock

# Ten times what a browser's gallery asks (a poll every 2 s) is plenty for a script or
# an agent.
TOKEN_RATE_PER_SECOND = 20
WINDOW_SECONDS = 1
POLICY = "token"


def count(request: HttpRequest, token: ApiToken) -> None:
    """Count this request against the token's second; refuse it past the quota."""
    second = int(clock.now().timestamp())
    key = f"api-rate:{token.pk}:{second}"
    cache.add(key, 0, timeout=5)
    used = cache.incr(key)
    request.rate_remaining = max(0, TOKEN_RATE_PER_SECOND - used)
    if used > TOKEN_RATE_PER_SECOND:
        raise Problem("rate-limited", f"This token may make {TOKEN_RATE_PER_SECOND} "
                                      "requests a second; wait a moment.",
                      retry_after=WINDOW_SECONDS)


def describe(request: HttpRequest, answer: HttpResponse) -> None:
    """The quota's headers; an unauthenticated request spent none of it."""
    answer["RateLimit-Policy"] = f'"{POLICY}";q={TOKEN_RATE_PER_SECOND};w={WINDOW_SECONDS}'
    remaining = getattr(request, "rate_remaining", TOKEN_RATE_PER_SECOND)
    answer["RateLimit"] = f'"{POLICY}";r={remaining};t={WINDOW_SECONDS}'
