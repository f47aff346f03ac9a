"""A DNS and a network the tests control, so no test reaches the internet."""

import socket

import httpcore

PUBLIC = "93.184.215.14"      # a globally routable address nobody connects to here
PUBLIC_TOO = "93.184.215.15"


class FakeDns:
    """`socket.getaddrinfo` answering the names given; others resolve as usual.

    Each name answers its lists of addresses in turn (the last one repeats), so a
    test can make a name change its answer between two look-ups (DNS rebinding).
    """

    def __init__(self, monkeypatch):
        self.answers: dict[str, list[list[str]]] = {}
        self.asked: list[str] = []
        real = socket.getaddrinfo

        def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
            if host not in self.answers:
                return real(host, port, family, type, proto, flags)
            self.asked.append(host)
            queue = self.answers[host]
            addresses = queue.pop(0) if len(queue) > 1 else queue[0]
            return [_info(address, port) for address in addresses]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def answer(self, host: str, *answers: str | list[str]) -> None:
        self.answers[host] = [[a] if isinstance(a, str) else list(a) for a in answers]


def _info(address: str, port):
    if ":" in address:
        return (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (address, port, 0, 0))
    return (socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))


class FakeNetwork(httpcore.NetworkBackend):
    """Each connection answers the next canned HTTP/1.1 response; where it connected
    is kept in `connected` as (host, port)."""

    def __init__(self, *responses: bytes | Exception, stream=httpcore.MockStream):
        self.responses = list(responses)
        self.stream = stream
        self.connected: list[tuple[str, int]] = []

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        self.connected.append((host, port))
        response = self.responses.pop(0)
        if isinstance(response, Exception):
            raise response
        return self.stream([response])

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise AssertionError("no unix sockets here")

    def sleep(self, seconds):
        pass

    def instead_of_sockets(self, monkeypatch) -> "FakeNetwork":
        """Make httpcore's real socket backend this fake network, for code that
        builds its own transport."""
        monkeypatch.setattr(httpcore.SyncBackend, "connect_tcp",
                            lambda _backend, *args, **kwargs: self.connect_tcp(*args, **kwargs))
        return self


def http_response(status: int, body: bytes = b"", **headers: str) -> bytes:
    lines = [f"HTTP/1.1 {status} X", f"Content-Length: {len(body)}"]
    lines += [f"{name.replace('_', '-')}: {value}" for name, value in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def redirect_to(location: str) -> bytes:
    return http_response(302, Location=location)
