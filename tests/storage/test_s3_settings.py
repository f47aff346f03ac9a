"""The S3 settings read from the environment, and the origin the CSP lets media from."""

import json
import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest
from storages.backends.s3 import S3Storage

from studio.lib.media_storage import s3_backend, s3_origin
from tests.stack import ROOT

S3_ENV = ("AWS_STORAGE_BUCKET_NAME", "AWS_S3_ENDPOINT_URL", "AWS_S3_REGION_NAME",
          "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_QUERYSTRING_EXPIRE",
          "STUDIO_MEDIA_ORIGINS")


def settings_with(**env: str) -> dict:
    """Settings as a fresh process builds them from `env` (and nothing S3 inherited)."""
    clean = {key: value for key, value in os.environ.items() if key not in S3_ENV}
    script = ("import json, studio.settings as s; print(json.dumps({'default': "
              "s.STORAGES['default'], 'img': s.SECURE_CSP['img-src'], "
              "'media': s.SECURE_CSP['media-src']}, default=str))")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=clean | env,
                          capture_output=True, text=True, timeout=60, check=True)
    return json.loads(done.stdout)


def test_without_a_bucket_media_stays_on_disk():
    found = settings_with()
    assert found["default"] == {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    assert found["media"] == ["'self'"]


def test_a_bucket_puts_media_on_a_private_s3_store():
    found = settings_with(AWS_STORAGE_BUCKET_NAME="studio-media",
                          AWS_S3_ENDPOINT_URL="https://minio.example:9000/",
                          AWS_S3_REGION_NAME="eu-central-1", AWS_ACCESS_KEY_ID="AKIA1",
                          AWS_SECRET_ACCESS_KEY="secret", AWS_QUERYSTRING_EXPIRE="900")
    assert found["default"]["BACKEND"] == "storages.backends.s3.S3Storage"
    options = found["default"]["OPTIONS"]
    assert options | {
        "bucket_name": "studio-media", "endpoint_url": "https://minio.example:9000",
        "region_name": "eu-central-1", "access_key": "AKIA1", "secret_key": "secret",
        "default_acl": None, "querystring_auth": True, "querystring_expire": 900,
        "file_overwrite": False} == options
    assert "https://minio.example:9000" in found["img"]
    assert "https://minio.example:9000" in found["media"]


def test_media_origins_can_be_named_outright():
    found = settings_with(AWS_STORAGE_BUCKET_NAME="studio-media",
                          STUDIO_MEDIA_ORIGINS="https://media.example")
    assert found["media"] == ["'self'", "https://media.example"]


def test_aws_credentials_may_come_from_boto3s_own_chain():
    options = s3_backend("studio-media")["OPTIONS"]
    assert options["access_key"] is None and options["secret_key"] is None


@pytest.mark.parametrize("where", [
    {"endpoint_url": "http://127.0.0.1:9000", "region": "us-east-1"},
    {"endpoint_url": "https://account.r2.cloudflarestorage.com", "region": "auto"},
    {"region": "us-east-1"},
    {"region": "eu-west-1"},
    {},
])
def test_csp_origin_is_where_presigned_urls_point(where):
    options = s3_backend("studio-media", access_key="AKIA1", secret_key="secret",
                         **where)["OPTIONS"]
    url = S3Storage(**options).url("teams/1/generations/1.png")  # signed offline
    parts = urlsplit(url)
    assert s3_origin(options) == f"{parts.scheme}://{parts.netloc}"
