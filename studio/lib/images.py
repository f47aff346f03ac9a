"""Is this an image the API can animate? For uploads and for typed URLs. And the
cards' thumbnails, decoded at reduced size."""

import io
from typing import BinaryIO

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image

from studio.lib import media_limits, safe_http
from studio.lib.download import TooLarge, copy_capped


def check_image(data: BinaryIO, *, what: str = "The file") -> str:
    """The image's file extension; ValidationError when it is not a usable image: not
    a PNG, JPEG or WebP by its bytes, outside the media limits, or not decodable to
    its last byte (a truncated JPEG is refused here, not at the API)."""
    try:
        return media_limits.decoded_image(data, what).extension
    except media_limits.Refused as exc:
        raise ValidationError(str(exc)) from None


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
    """A WebP no wider than `width`, decoded at reduced size (a JPEG at 1/2 to 1/8,
    any other halved by `reduce` before it is resampled); media_limits.Refused (a
    ValueError) when `picture` is not an image within the limits, or is broken."""
    facts = media_limits.image(picture, "The picture")
    target = (width, width * 4)
    try:
        with media_limits.open_image(picture, facts) as image:
            image.draft("RGB", target)
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                image = image.convert("RGBA")  # palette and one-bit pictures
            image.thumbnail(target, Image.Resampling.LANCZOS, reducing_gap=2.0)
            small = image.convert("RGB")
    except media_limits.Refused:
        raise
    except Exception as exc:  # whatever the decoder says of a broken file
        raise media_limits.Refused(
            f"The picture cannot be decoded ({media_limits.describe_error(exc)}).") from None
    out = io.BytesIO()
    small.save(out, "WEBP", quality=THUMB_QUALITY, method=4)
    return out.getvalue()
