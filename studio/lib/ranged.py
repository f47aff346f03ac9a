"""File responses that honour a single HTTP Range, so audio and video can seek."""

import re
from collections.abc import Iterator
from typing import BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse

CHUNK = 64 * 1024
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")


def parse_range(header: str, size: int) -> tuple[int, int] | None | bool:
    """(first, last) byte, None for no usable range, False when unsatisfiable."""
    match = RANGE.match(header.strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        length = int(last)
        return (max(0, size - length), size - 1) if length and size else False
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end and start < size else False


def read_slice(handle: BinaryIO, start: int, length: int) -> Iterator[bytes]:
    try:
        handle.seek(start)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


# A generation's files never change once stored, and their addresses are its own:
# a member's browser keeps them (privately) for a day without asking again.
KEEP = "private, max-age=86400, immutable"


def serve(request: HttpRequest, handle: BinaryIO, size: int, content_type: str,
          filename: str, as_attachment: bool = False,
          cache_control: str = KEEP) -> HttpResponse:
    wanted = parse_range(request.headers.get("Range", ""), size)
    if wanted is False:
        handle.close()
        return HttpResponse(status=416, headers={"Content-Range": f"bytes */{size}"})
    if wanted is None:
        response = FileResponse(handle, content_type=content_type,
                                as_attachment=as_attachment, filename=filename)
    else:
        start, end = wanted
        response = StreamingHttpResponse(read_slice(handle, start, end - start + 1),
                                         status=206, content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        disposition = "attachment" if as_attachment else "inline"
        response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = cache_control
    # The type given is the one the file is served as: a browser must not guess
    # another (an HTML page or an SVG script in a file named as media).
    response["X-Content-Type-Options"] = "nosniff"
    return response
