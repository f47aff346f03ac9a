"""Fetching addresses a member gave, or an answer named: public ones only.

A check of the host name before the request is not enough: the name can resolve
to a public address when checked and to 127.0.0.1 a moment later (DNS rebinding).
So the check sits in the network backend under httpx: each new connection resolves
the host once, refuses it unless every address is public, and connects to the
address it checked. Redirects go through the same transport, so every hop is
checked. TLS still verifies the URL's own host name (httpcore passes it as SNI).

Addresses the operator gave (the environment, management commands) do not come
here; neither does anything when STUDIO_ALLOW_PRIVATE_URLS is on.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import socket
import ssl
from typing import Any
from urllib.parse import urlsplit

import certifi
import httpcore
import httpx
from django.conf import settings
from django.core.exceptions import ValidationError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

DEFAULT_PORTS = {"http": 80, "https": 443}
DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)

# Refused whatever Python's `is_global` says about them (it differs between versions).
_NEVER_PUBLIC = tuple(ipaddress.ip_network(network) for network in (
    "0.0.0.0/8",        # "this network"; 0.0.0.0 reaches the local host
    "100.64.0.0/10",    # carrier-grade NAT
    "192.0.0.0/24",     # IETF protocol assignments
    "fc00::/7",         # unique local
    "fe80::/10",        # link-local
    "fec0::/10",        # site-local (deprecated, still routed by some hosts)
    "64:ff9b:1::/48",   # local-use NAT64: what it reaches is the site's choice
    "2001::/32",        # Teredo: the client address inside is obfuscated
))
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_HOST_NAME = re.compile(r"[A-Za-z0-9_-]{1,63}")

NOT_PUBLIC = ("That address is not public (it is, or leads to, a private, loopback or "
              "link-local network), so the studio will not connect to it.")


class NotPublic(httpx.ConnectError):
    """The host is, or resolves to, an address outside the public internet."""


class Unresolvable(httpx.ConnectError):
    """The host name has no address."""


# --- the address rules ----------------------------------------------------------------


def is_public(address: IPAddress) -> bool:
    """Globally routable unicast; an IPv4 address carried inside IPv6 is judged itself."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = embedded_ipv4(address)
        if inner is not None:
            return is_public(inner)
    if any(address in network for network in _NEVER_PUBLIC):
        return False
    return address.is_global and not address.is_multicast and not address.is_reserved


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for: mapped, compatible, translated,
    NAT64 (64:ff9b::/96) and 6to4 (2002::/16)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    low32 = ipaddress.IPv4Address(int(address) & 0xFFFF_FFFF)
    # IPv4-compatible ::a.b.c.d (Python calls ::127.0.0.1 "::7f00:1", and global).
    if int(address) >> 32 == 0 or address in _NAT64 or address in _IPV4_TRANSLATED:
        return low32
    return None


def public_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, resolved once; NotPublic unless all are public."""
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError, ValueError):
        raise Unresolvable(f"{host} does not resolve to an address") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
    if not addresses or not all(is_public(ipaddress.ip_address(a)) for a in addresses):
        raise NotPublic(f"{host} is not a public address")
    return addresses


# --- addresses typed by a person --------------------------------------------------------


def parse_url(url: str) -> httpx.URL:
    """The URL a person typed; ValidationError with a sentence when it is malformed."""
    url = url.strip()
    if url.partition(":")[0].lower() not in DEFAULT_PORTS:
        raise ValidationError("Enter an address that starts with http:// or https://.")
    try:
        port = urlsplit(url).port  # its ValueError names what is wrong
    except ValueError as exc:
        raise ValidationError(_invalid_url_sentence(str(exc))) from None
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, UnicodeError):  # idna's errors are UnicodeErrors
        raise ValidationError("That address is not a valid URL.") from None
    if not parsed.raw_host:
        raise ValidationError("That address has no host name.")
    if port is not None and not 0 < port < 65536:
        raise ValidationError("The port must be a number from 1 to 65535.")
    _check_host(parsed.raw_host.decode("ascii"))
    return parsed


def check_url(url: str) -> httpx.URL:
    """`parse_url`, and unless the operator allows private addresses, a host that
    resolves to public ones only. The connection checks again: this is for the form."""
    parsed = parse_url(url)
    if private_allowed():
        return parsed
    try:
        public_addresses(parsed.raw_host.decode("ascii"), port_of(parsed))
    except NotPublic:
        raise ValidationError(NOT_PUBLIC) from None
    except Unresolvable:
        raise ValidationError("That host name does not resolve; check its spelling.") from None
    return parsed


def port_of(url: httpx.URL) -> int:
    return url.port or DEFAULT_PORTS[url.scheme]


def _check_host(host: str) -> None:
    try:
        ipaddress.ip_address(host)
        return
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    if any(len(label) > 63 for label in labels):
        raise ValidationError("A part of that host name is longer than 63 characters.")
    if len(host) > 253:
        raise ValidationError("That host name is longer than 253 characters.")
    if not all(_HOST_NAME.fullmatch(label) for label in labels):
        raise ValidationError("That host name has characters or empty parts a host name "
                              "cannot have.")


def _invalid_url_sentence(reason: str) -> str:
    if "IPv6" in reason:
        return ("That address is not a valid URL: write an IPv6 address inside square "
                "brackets, as in http://[2001:db8::1]/.")
    if "Port" in reason:
        return "The port must be a number from 1 to 65535."
    return "That address is not a valid URL: its host name has characters a host cannot have."


def private_allowed() -> bool:
    return settings.STUDIO_ALLOW_PRIVATE_URLS


def describe_fetch_error(exc: httpx.HTTPError) -> str:
    """What went wrong fetching an address, as a sentence a person can act on."""
    if isinstance(exc, NotPublic):
        return "That address is not public, so the studio will not fetch it."
    if isinstance(exc, Unresolvable):
        return "That host name does not resolve; check its spelling."
    if isinstance(exc, httpx.TimeoutException):
        return "That address took too long to answer."
    if isinstance(exc, httpx.ConnectError):
        return "Could not connect to that address."
    if isinstance(exc, httpx.TooManyRedirects):
        return "That address redirected too many times."
    if isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
        return "That address broke off its answer."
    return "Could not fetch that address."


# --- the guard at connect time -----------------------------------------------------------


class PublicOnlyNetwork(httpcore.NetworkBackend):
    """Resolves each host once, refuses it unless every address is public, and
    connects to a checked address through `connect_with` (the real sockets)."""

    def __init__(self, connect_with: httpcore.NetworkBackend | None = None) -> None:
        self._network = connect_with or httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        failure: Exception | None = None
        for address in public_addresses(host, port):
            try:
                return self._network.connect_tcp(address, port, timeout, local_address,
                                                 socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure  # type: ignore[misc]  # public_addresses never returns []

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Any = None) -> httpcore.NetworkStream:
        raise NotPublic("a local socket is not a public address")

    def sleep(self, seconds: float) -> None:
        self._network.sleep(seconds)


class PublicOnlyTransport(httpx.HTTPTransport):
    """httpx's own transport, with every new connection made by `PublicOnlyNetwork`."""

    def __init__(self, ssl_context: ssl.SSLContext | None = None, *,
                 connect_with: httpcore.NetworkBackend | None = None,
                 limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        ssl_context = ssl_context or default_ssl_context()
        # trust_env=False: a proxy would resolve the name itself, past the check.
        super().__init__(verify=ssl_context, trust_env=False, limits=limits)
        self._pool = httpcore.ConnectionPool(
            ssl_context=ssl_context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PublicOnlyNetwork(connect_with),
        )


def member_transport(ssl_context: ssl.SSLContext | None = None) -> PublicOnlyTransport | None:
    """The transport for an address a member gave or an answer named; None (httpx's
    own) when the operator allows private addresses."""
    if private_allowed():
        return None
    return PublicOnlyTransport(ssl_context)


@functools.cache
def default_ssl_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=certifi.where())
