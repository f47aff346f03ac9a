"""An HTTP answer's body into a file, never more than a limit.

The API's media, an image a member's URL serves and the sandbox's source image are
all read this way; each caller turns `TooLarge` into its own message.
"""

from typing import BinaryIO

import httpx

CHUNK_SIZE = 64 * 1024


class TooLarge(Exception):
    """The body is over `limit` bytes. `size` is the length the answer declared, or
    None when it declared none (or none usable) and grew past the limit."""

    def __init__(self, limit: int, size: int | None = None) -> None:
        super().__init__(f"the body is over {limit} bytes")
        self.limit = limit
        self.size = size


def copy_capped(response: httpx.Response, out: BinaryIO, limit: int) -> int:
    """Stream the body into `out`; the bytes written. Nothing past `limit` is written."""
    declared = _declared_length(response)
    if declared is not None and declared > limit:
        raise TooLarge(limit, declared)
    written = 0
    for chunk in response.iter_bytes(CHUNK_SIZE):
        written += len(chunk)
        if written > limit:
            raise TooLarge(limit)
        out.write(chunk)
    return written


def _declared_length(response: httpx.Response) -> int | None:
    """Content-Length as a number; None when absent or not plain ASCII digits (`int`
    would take other scripts' digits, or fail on superscripts)."""
    value = response.headers.get("Content-Length", "")
    return int(value) if value.isascii() and value.isdigit() else None
