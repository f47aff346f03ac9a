"""Media on an S3-compatible store: a private bucket reached by presigned URLs.

Settings build the storage from the environment (`s3_backend`, `s3_origin`); views
ask `redirect` to send a member who may see a file straight to the object. On the
filesystem storage the answer is None and the view streams the file itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.http import HttpResponseRedirect

if TYPE_CHECKING:
    from django.db.models.fields.files import FieldFile

S3_BACKEND = "storages.backends.s3.S3Storage"
SPOOL_LIMIT = 1024 * 1024
# SigV4 presigned URLs live at most a week; S3 refuses a longer expiry.
LONGEST_PRESIGN = 7 * 24 * 3600


def s3_backend(bucket: str, *, endpoint_url: str = "", region: str = "",
               access_key: str = "", secret_key: str = "", url_max_age: int = 3600) -> dict:
    """STORAGES["default"] for a private bucket. Empty credentials leave boto3 its
    own chain (AWS_SESSION_TOKEN, an instance role)."""
    return {"BACKEND": S3_BACKEND, "OPTIONS": {
        "bucket_name": bucket,
        "endpoint_url": endpoint_url.rstrip("/") or None,
        "region_name": region or None,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        # No ACL on objects: the bucket's own privacy applies, and a bucket with ACLs
        # disabled (the AWS default since 2023) would refuse uploads that name one.
        "default_acl": None,
        "querystring_auth": True,
        "querystring_expire": url_max_age,
        "file_overwrite": False,
        "signature_version": "s3v4",
        # Path style on S3-compatible stores (MinIO needs it), the bucket's own host
        # on AWS: either way the origin the browser is sent to is known (s3_origin).
        "addressing_style": "path" if endpoint_url else "virtual",
        # Reading a video back spools to disk past this, not into memory.
        "max_memory_size": SPOOL_LIMIT,
    }}


def s3_origin(options: dict) -> str:
    """Where presigned URLs of `s3_backend(...)["OPTIONS"]` point, for the CSP."""
    if options["endpoint_url"]:
        parts = urlsplit(options["endpoint_url"])
        return f"{parts.scheme}://{parts.netloc}"
    region = options["region_name"] or "us-east-1"
    host = "s3.amazonaws.com" if region == "us-east-1" else f"s3.{region}.amazonaws.com"
    return f"https://{options['bucket_name']}.{host}"


def presigned_url(file: FieldFile, *, content_type: str | None = None,
                  download_name: str | None = None, max_age: int | None = None) -> str | None:
    """A URL straight to the object, valid `max_age` seconds (the storage's
    querystring_expire by default), or None when the file is not on S3.
    `download_name` makes the browser save it rather than show it."""
    # Imported here: settings import this module, and boto3 is slow to load.
    from storages.backends.s3 import S3Storage

    if not file or not isinstance(file.storage, S3Storage):
        return None
    expire = min(max_age or file.storage.querystring_expire, LONGEST_PRESIGN)
    params = {"ResponseCacheControl": f"private, max-age={expire}"}
    if content_type:
        params["ResponseContentType"] = content_type
    if download_name:
        params["ResponseContentDisposition"] = f'attachment; filename="{download_name}"'
    return file.storage.url(file.name, parameters=params, expire=expire)


def redirect(file: FieldFile, *, content_type: str,
             download_name: str | None = None) -> HttpResponseRedirect | None:
    """Send the browser to the object on S3 (Range requests go there too), or None.

    The browser may reuse the redirect for half the URL's life, so a gallery shown
    again takes its pictures from cache instead of fetching them under new URLs.
    """
    url = presigned_url(file, content_type=content_type, download_name=download_name)
    if url is None:
        return None
    response = HttpResponseRedirect(url)
    response["Cache-Control"] = f"private, max-age={file.storage.querystring_expire // 2}"
    return response
