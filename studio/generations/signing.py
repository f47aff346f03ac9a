"""Signed, expiring links to a team's file, for the API to fetch a source from (the
image an image-to-video call animates).

Team media needs a login; the API has none. A link carries the generation and which
of its files, signed with SECRET_KEY and valid for STUDIO_SIGNED_URL_MAX_AGE. With
media on S3 the link is instead a presigned URL of the object, valid as long.
"""

from django.conf import settings
from django.core import signing
from django.urls import reverse

from studio.generations.models import Generation
from studio.lib import media_storage

SALT = "studio.generations.shared-image"
MEDIA, UPLOAD = "media", "upload"


def source_url_for(generation: Generation) -> str:
    """The public URL the API should fetch a generation's source from: the gallery
    item it was made from, or the file uploaded for it."""
    if generation.source_id:
        return presigned(generation.source.media) or shared_url(generation.source_id, MEDIA)
    return presigned(generation.source_upload) or shared_url(generation.pk, UPLOAD)


def presigned(file) -> str | None:
    return media_storage.presigned_url(file, max_age=settings.STUDIO_SIGNED_URL_MAX_AGE)


def shared_url(generation_id: int, which: str) -> str:
    token = signing.dumps({"g": generation_id, "f": which}, salt=SALT, compress=True)
    return settings.STUDIO_PUBLIC_URL + reverse("shared_image", args=[token])


def read_token(token: str) -> tuple[int, str]:
    """(generation id, which file); raises SignatureExpired or BadSignature."""
    data = signing.loads(token, salt=SALT, max_age=settings.STUDIO_SIGNED_URL_MAX_AGE)
    if not isinstance(data, dict) or data.get("f") not in (MEDIA, UPLOAD):
        raise signing.BadSignature("not a shared-image token")
    return int(data["g"]), data["f"]
