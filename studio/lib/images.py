"""Is this an image the API can animate? For uploads and for typed URLs."""

import io
import ipaddress
import socket
from typing import BinaryIO
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
SMALLEST_SIDE, LARGEST_SIDE = 64, 8192


def check_image(data: BinaryIO, *, what: str = "The file") -> str:
    """The image's file extension; ValidationError when it is not a usable image."""
    try:
        with Image.open(data) as picture:
            fmt, size = picture.format, picture.size
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(f"{what} is not an image (use a JPEG, PNG or WebP).") from None
    if fmt not in ACCEPTED_FORMATS:
        raise ValidationError(f"{what} is a {fmt} image; use a JPEG, PNG or WebP.")
    if min(size) < SMALLEST_SIDE or max(size) > LARGEST_SIDE:
        raise ValidationError(f"{what} is {size[0]}×{size[1]} pixels; each side must be "
                              f"{SMALLEST_SIDE} to {LARGEST_SIDE}.")
    return ACCEPTED_FORMATS[fmt]


def check_upload(upload) -> str:
    limit = settings.STUDIO_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(f"The file is {upload.size / 1e6:.1f} MB; the limit is "
                              f"{limit / 1e6:.0f} MB.")
    extension = check_image(upload)
    upload.seek(0)
    return extension


def check_image_url(url: str) -> None:
    """Fetch the URL the way the API will, and make sure an image is there."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValidationError("Enter a public http:// or https:// address of an image.")
    if not settings.STUDIO_ALLOW_PRIVATE_URLS and is_private(parts.hostname):
        raise ValidationError("That address is not public, so the API cannot fetch it.")
    try:
        body = fetch_capped(url)
    except httpx.HTTPError as exc:
        raise ValidationError(f"Could not fetch that address ({type(exc).__name__}).") \
            from None
    check_image(body, what="What that address serves")


def fetch_capped(url: str) -> io.BytesIO:
    limit = settings.STUDIO_MAX_UPLOAD_BYTES
    headers = {"User-Agent": "Studio/1.0 (+image check)"}
    with httpx.stream("GET", url, timeout=10, headers=headers) as response:
        if response.status_code != 200:
            raise ValidationError(f"That address answered {response.status_code}; the API "
                                  "needs an image it can fetch without logging in.")
        body = io.BytesIO()
        for chunk in response.iter_bytes():
            body.write(chunk)
            if body.tell() > limit:
                raise ValidationError(f"That image is larger than {limit / 1e6:.0f} MB.")
    body.seek(0)
    return body


def is_private(hostname: str) -> bool:
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(hostname, None)}
    except socket.gaierror:
        raise ValidationError("That host name does not resolve.") from None
    return any(not ipaddress.ip_address(address.split("%")[0]).is_global
               for address in addresses)


THUMB_QUALITY = 65


def thumbnail(picture: BinaryIO, width: int) -> bytes:
    """A WebP no wider than `width`; ValueError when `picture` is not an image."""
    try:
        with Image.open(picture) as image:
            image.draft("RGB", (width, width * 4))
            small = image.convert("RGB")
            small.thumbnail((width, width * 4), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError) as exc:
        raise ValueError(f"not an image: {exc}") from None
    out = io.BytesIO()
    small.save(out, "WEBP", quality=THUMB_QUALITY, method=4)
    return out.getvalue()
