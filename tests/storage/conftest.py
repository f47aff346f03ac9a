"""An S3-compatible store for the storage tests: moto's standalone server, started as
a process of its own on a loopback port, and a fresh private bucket for each test."""

import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import boto3
import httpx
import pytest

from studio.lib.media_storage import s3_backend
from tests.stack import free_port

STARTUP_SECONDS = 30.0
CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}
REGION = "us-east-1"


@pytest.fixture(scope="module")
def s3_endpoint(tmp_path_factory):
    """The server's origin, e.g. http://127.0.0.1:PORT; stopped after the module."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    log = tmp_path_factory.mktemp("moto") / "server.log"
    with open(log, "wb") as out:  # a file, not a pipe: its request log never blocks it
        server = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(server, endpoint, log)
        yield endpoint
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_answering(server: subprocess.Popen, endpoint: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"moto.server exited:\n{log.read_text()}")
        try:
            httpx.get(f"{endpoint}/moto-api/", timeout=2)
            return
        except httpx.TransportError:
            time.sleep(0.05)  # the process is still starting, not time passing in a test
    raise RuntimeError(f"moto.server did not answer on {endpoint}")


@dataclass
class Bucket:
    name: str
    endpoint: str
    client: object  # a boto3 S3 client with the owner's credentials

    def listing(self, prefix: str = "") -> list[str]:
        listing = self.client.list_objects_v2(Bucket=self.name, Prefix=prefix)
        return sorted(item["Key"] for item in listing.get("Contents", []))

    def read(self, key: str) -> bytes:
        return self.client.get_object(Bucket=self.name, Key=key)["Body"].read()

    def anonymous_url(self, key: str) -> str:
        return f"{self.endpoint}/{self.name}/{key}"


@pytest.fixture
def bucket(s3_endpoint, settings) -> Bucket:
    """A new private bucket (no ACL, no policy), and media stored in it for the test."""
    name = f"studio-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name=REGION, **CREDENTIALS)
    client.create_bucket(Bucket=name)
    backend = s3_backend(name, endpoint_url=s3_endpoint, region=REGION,
                         access_key=CREDENTIALS["aws_access_key_id"],
                         secret_key=CREDENTIALS["aws_secret_access_key"])
    # Django's setting_changed handler drops the cached default_storage, which every
    # FileField holds (lazily), so the models write to the bucket from here on.
    settings.STORAGES = {**settings.STORAGES, "default": backend}
    return Bucket(name, s3_endpoint, client)
