"""Is this an image the API can animate? For uploads and for typed URLs."""

import io
from typing import BinaryIO

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

from studio.lib import safe_http
from studio.lib.download import TooLarge, copy_capped

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
SMALLEST_SIDE, LARGEST_SIDE = 64, 8192


def check_image(data: BinaryIO, *, what: str = "The file") -> str:
    """The image's file extension; ValidationError when it is not a usable image."""
    try:
        with Image.open(data) as picture:
            fmt, size = picture.format, picture.size
            picture.verify()
    except Image.DecompressionBombError:
        fmt, size = header_facts(data, what)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(f"{what} is not an image (use a JPEG, PNG or WebP).") from None
    if fmt not in ACCEPTED_FORMATS:
        raise ValidationError(f"{what} is a {fmt} image; use a JPEG, PNG or WebP.")
    if min(size) < SMALLEST_SIDE or max(size) > LARGEST_SIDE:
        raise ValidationError(f"{what} is {size[0]}×{size[1]} pixels; each side must be "
                              f"{SMALLEST_SIDE} to {LARGEST_SIDE}.")
    return ACCEPTED_FORMATS[fmt]


def header_facts(data: BinaryIO, what: str) -> tuple[str, tuple[int, int]]:
    """Format and size of an image Pillow will not open for its pixel count, read
    from the header alone: Pillow's error names the count, not the sides."""
    data.seek(0)
    prefix = data.read(16)
    Image.init()
    for fmt in ACCEPTED_FORMATS:
        header, accepts = Image.OPEN[fmt]
        if accepts(prefix) is True:
            data.seek(0)
            with header(data) as picture:
                return fmt, picture.size
    raise ValidationError(f"{what} has far too many pixels; use a JPEG, PNG or WebP whose "
                          f"sides are {SMALLEST_SIDE} to {LARGEST_SIDE}.")


def check_upload(upload) -> str:
    limit = settings.STUDIO_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(f"The file is {upload.size / 1e6:.1f} MB; the limit is "
                              f"{limit / 1e6:.0f} MB.")
    extension = check_image(upload)
    upload.seek(0)
    return extension


def check_image_url(url: str) -> None:
    """Fetch the URL the way the API will, and make sure an image is there.

    Only public addresses, checked as each connection (redirects too) is made,
    unless the operator allows private ones."""
    safe_http.parse_url(url)
    try:
        body = fetch_capped(url)
    except safe_http.NotPublic:
        raise ValidationError("That address is not public, so the API cannot fetch it.") \
            from None
    except httpx.HTTPError as exc:
        raise ValidationError(safe_http.describe_fetch_error(exc)) from None
    check_image(body, what="What that address serves")


def fetch_capped(url: str) -> io.BytesIO:
    limit = settings.STUDIO_MAX_UPLOAD_BYTES
    headers = {"User-Agent": "Studio/1.0 (+image check)"}
    with httpx.Client(transport=safe_http.member_transport(), timeout=10, headers=headers,
                      follow_redirects=True, max_redirects=5) as client, \
            client.stream("GET", url) as response:
        if response.status_code != 200:
            raise ValidationError(f"That address answered {response.status_code}; the API "
                                  "needs an image it can fetch without logging in.")
        body = io.BytesIO()
        try:
            copy_capped(response, body, limit)
        except TooLarge:
            raise ValidationError(f"That image is larger than {limit / 1e6:.0f} MB.") from None
    body.seek(0)
    return body


THUMB_QUALITY = 65


def thumbnail(picture: BinaryIO, width: int) -> bytes:
    """A WebP no wider than `width`; ValueError when `picture` is not an image, or
    one with too many pixels to decode safely."""
    try:
        with Image.open(picture) as image:
            image.draft("RGB", (width, width * 4))
            small = image.convert("RGB")
            small.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise ValueError(f"not an image: {exc}") from None
    out = io.BytesIO()
    small.save(out, "WEBP", quality=THUMB_QUALITY, method=4)
    return out.getvalue()
