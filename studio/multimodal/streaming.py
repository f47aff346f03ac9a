"""A successful answer, read without holding its media in memory.

A video answer may carry 70 MB of base64, so the answer is spooled into a temporary
file; the one large media string is located there and decoded on demand in chunks,
and only the rest of the document goes through `json.loads`.
"""

from __future__ import annotations

import binascii
import io
import json
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any, BinaryIO

from studio.multimodal.errors import MalformedAnswer

CHUNK_SIZE = 64 * 1024
SPOOL_MAX_SIZE = 1024 * 1024
# Everything but the media string is a few kilobytes; more means something is wrong.
MAX_DOCUMENT_SIZE = 16 * 1024 * 1024

MEDIA_KEYS = {"audio": "audio_base64", "image": "image_base64", "video": "video_base64"}
NOT_BASE64 = "The API sent media that is not valid base64"

_MEDIA_FIELD = re.compile(
    rb'"(' + "|".join(MEDIA_KEYS.values()).encode() + rb')"\s*:\s*"')
_SCAN_OVERLAP = 256
_JSON_ESCAPES_IN_BASE64 = ((b"\\/", b"/"), (b"\\n", b""), (b"\\r", b""), (b"\\t", b""))
_WHITESPACE = b" \t\r\n"


@dataclass(eq=False)
class Base64Payload:
    """A base64 media string left in the spooled answer, decoded on demand."""

    file: IO[bytes]
    start: int
    end: int

    def write_to(self, out: BinaryIO) -> int:
        """Decode into `out` chunk by chunk; the number of bytes written."""
        written = 0
        pending = b""
        padded = False
        for piece in self._base64_pieces():
            pending += piece
            usable = len(pending) - len(pending) % 4
            if not usable:
                continue
            if padded:
                raise MalformedAnswer(NOT_BASE64)
            block, pending = pending[:usable], pending[usable:]
            decoded = _decode_base64(block)
            padded = block.endswith(b"=")
            out.write(decoded)
            written += len(decoded)
        if pending:
            raise MalformedAnswer(NOT_BASE64)
        return written

    def read_all(self) -> bytes:
        """The decoded media in memory: only for small media (images, tests)."""
        buffer = io.BytesIO()
        self.write_to(buffer)
        return buffer.getvalue()

    def close(self) -> None:
        self.file.close()

    def _base64_pieces(self) -> Iterator[bytes]:
        """The base64 text in chunks, JSON escapes and whitespace removed."""
        self.file.seek(self.start)
        remaining = self.end - self.start
        carry = b""
        while remaining > 0:
            raw = self.file.read(min(CHUNK_SIZE, remaining))
            if not raw:
                raise MalformedAnswer("The API's answer ended inside the media")
            remaining -= len(raw)
            text, carry = carry + raw, b""
            if text.endswith(b"\\") and remaining > 0:
                text, carry = text[:-1], b"\\"  # an escape split between two reads
            yield _unescape_base64(text)


@dataclass
class Document:
    """A parsed JSON answer whose media string, if any, was replaced by null."""

    data: Any
    media_key: str | None = None
    media: Base64Payload | None = None
    status_code: int = 200

    def discard_media(self) -> None:
        if self.media is not None:
            self.media.close()


def spool(chunks: Iterable[bytes]) -> IO[bytes]:
    """The answer's body in a temporary file (in memory while it is small)."""
    spooled: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL_MAX_SIZE)
    try:
        for chunk in chunks:
            spooled.write(chunk)
    except BaseException:
        spooled.close()
        raise
    return spooled


def read_document(spooled: IO[bytes], status_code: int) -> Document:
    """Parse the spooled answer, leaving its one large media string in the file."""
    try:
        found = _find_media_field(spooled)
        size = spooled.seek(0, io.SEEK_END)
        if found is None:
            _check_document_size(size)
            spooled.seek(0)
            data = _parse_json(spooled.read(), status_code)
            spooled.close()
            return Document(data, status_code=status_code)
        key, start = found
        end = _find_string_end(spooled, start)
        _check_document_size(size - (end - start))
        spooled.seek(0)
        prefix = spooled.read(start - 1)
        spooled.seek(end + 1)
        suffix = spooled.read()
        data = _parse_json(prefix + b"null" + suffix, status_code)
    except BaseException:
        spooled.close()
        raise
    return Document(data, key, Base64Payload(spooled, start, end), status_code)


def _find_media_field(spooled: IO[bytes]) -> tuple[str, int] | None:
    """(key, offset where its string value starts) of the first media field."""
    spooled.seek(0)
    window_start = 0
    window = b""
    while chunk := spooled.read(CHUNK_SIZE):
        window += chunk
        match = _MEDIA_FIELD.search(window)
        if match:
            return match.group(1).decode(), window_start + match.end()
        keep = min(len(window), _SCAN_OVERLAP)  # a key split between two reads
        window_start += len(window) - keep
        window = window[len(window) - keep :]
    return None


def _find_string_end(spooled: IO[bytes], start: int) -> int:
    """Offset of the unescaped quote closing the string that starts at `start`."""
    spooled.seek(start)
    offset = start
    carried_backslashes = 0
    while chunk := spooled.read(CHUNK_SIZE):
        quote_at = chunk.find(b'"')
        while quote_at != -1:
            before = chunk[:quote_at]
            backslashes = _trailing_backslashes(before)
            if backslashes == len(before):
                backslashes += carried_backslashes
            if backslashes % 2 == 0:
                return offset + quote_at
            quote_at = chunk.find(b'"', quote_at + 1)
        trailing = _trailing_backslashes(chunk)
        carried_backslashes = trailing + (carried_backslashes if trailing == len(chunk) else 0)
        offset += len(chunk)
    raise MalformedAnswer("The API's answer ended inside the media")


def _trailing_backslashes(data: bytes) -> int:
    return len(data) - len(data.rstrip(b"\\"))


def _check_document_size(size: int) -> None:
    if size > MAX_DOCUMENT_SIZE:
        raise MalformedAnswer(
            f"The API sent an answer of {size} bytes outside any media field; "
            "that is not an answer the studio understands"
        )


def _parse_json(text: bytes, status_code: int) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        snippet = " ".join(text[:120].decode("utf-8", errors="replace").split())
        raise MalformedAnswer(
            f"The API answered {status_code} with something that is not JSON: {snippet!r}",
            status_code,
        ) from None


def _unescape_base64(text: bytes) -> bytes:
    for escape, replacement in _JSON_ESCAPES_IN_BASE64:
        text = text.replace(escape, replacement)
    if b"\\" in text:
        raise MalformedAnswer(NOT_BASE64)
    return text.translate(None, _WHITESPACE)


def _decode_base64(block: bytes) -> bytes:
    try:
        return binascii.a2b_base64(block, strict_mode=True)
    except binascii.Error:
        raise MalformedAnswer(NOT_BASE64) from None
