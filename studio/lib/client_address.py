"""Who sent a request: the address that throttles and rate limits key on."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address as the last of settings.STUDIO_PROXY_COUNT proxies saw it.

    Each proxy appends the address it was called from to X-Forwarded-For, so with N
    proxies the client is the Nth entry from the right; anything left of it is the
    client's own say and may be forged. With no proxies, or a header shorter than
    N entries (a request that bypassed them), the socket's peer is the client.
    """
    peer = request.META.get("REMOTE_ADDR", "")
    proxies = settings.STUDIO_PROXY_COUNT
    if proxies <= 0:
        return peer
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    entries = [entry.strip() for entry in forwarded if entry.strip()]
    if len(entries) < proxies:
        return peer
    return entries[-proxies]
