"""Webhooks as a receiver sees them: a small HTTP server in the test gets each
delivery, checks it with the Standard Webhooks reference library, and answers 500
once to see it come again."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from studio.api import tokens
from studio.api.models import WebhookDelivery
from studio.generations import runner
from tests.generations.helpers import drive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox_url")]

SPEECH = {"kind": "tts", "params": {"text": "Tell me when it is done.",
                                    "voice": "Wise_Woman"}}


class Receiver:
    """Answers each POST with the next status of `answers` (then 200), keeping what came."""

    def __init__(self, answers=()) -> None:
        self.answers = list(answers)
        self.received: list[tuple[dict, bytes]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append(({k.lower(): v for k, v in self.headers.items()},
                                          body))
                self.send_response(receiver.answers.pop(0) if receiver.answers else 200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receiver():
    made = Receiver(answers=[500])
    yield made
    made.close()


@pytest.fixture
def admin_api(live_server, team_a, owner):
    secret = tokens.create(team_a, owner, name="ops", scopes=["admin"]).secret
    with httpx.Client(base_url=f"{live_server.url}/api/v1", timeout=30,
                      headers={"Authorization": f"Bearer {secret}"}) as http:
        yield http


def register(admin_api, url: str, events: list[str]) -> dict:
    made = admin_api.post("/webhooks", json={"url": url, "events": events})
    assert made.status_code == 201, made.text
    assert made.json()["secret"].startswith("whsec_")
    return made.json()


def test_a_delivery_verifies_and_comes_again_after_a_500(admin_api, receiver, fake_clock,
                                                         owner_client):
    hook = register(admin_api, receiver.url, ["generation.succeeded"])
    made = admin_api.post("/generations", json=SPEECH).json()
    drive(fake_clock)
    assert len(receiver.received) == 1  # answered 500
    pending = WebhookDelivery.objects.get()
    assert pending.status == "pending" and pending.last_status == 500
    fake_clock.advance(6)  # the first backoff is 5 s
    runner.run_once()
    assert len(receiver.received) == 2
    verifier = Webhook(hook["secret"])
    for headers, body in receiver.received:
        payload = verifier.verify(body, headers)
        assert payload["type"] == "generation.succeeded"
        assert payload["data"]["id"] == made["id"]
        assert payload["data"]["media_url"].startswith(("http://", "https://"))
        assert payload["timestamp"].endswith("Z") and len(payload["timestamp"]) == 24
    assert receiver.received[0][0]["webhook-id"] == receiver.received[1][0]["webhook-id"]
    shown = admin_api.get(f"/webhooks/{hook['id']}/deliveries").json()["items"]
    assert shown[0]["status"] == "delivered" and shown[0]["attempts"] == 2
    assert shown[0]["last_status"] == 200 and shown[0]["last_latency_ms"] is not None
    page = owner_client.get("/team/webhooks/").content.decode()
    assert receiver.url in page and "Delivered" in page


def test_a_set_finished_event_comes_once_when_its_last_item_does(admin_api, fake_clock):
    quiet = Receiver()
    try:
        register(admin_api, quiet.url, ["set.finished"])
        admin_api.post("/generations", json={**SPEECH, "count": 3})
        drive(fake_clock)
        events = [body for _, body in quiet.received]
        assert len(events) == 1 and b'"size":3' in events[0]
    finally:
        quiet.close()


def test_a_test_delivery_and_a_disabled_webhook(admin_api, fake_clock):
    quiet = Receiver()
    try:
        hook = register(admin_api, quiet.url, ["generation.succeeded"])
        assert admin_api.post(f"/webhooks/{hook['id']}/test").status_code == 202
        assert b"webhook.test" in quiet.received[0][1]
        assert admin_api.patch(f"/webhooks/{hook['id']}",
                               json={"disabled": True}).json()["disabled"] is True
        admin_api.post("/generations", json=SPEECH)
        drive(fake_clock)
        assert len(quiet.received) == 1  # nothing more while it is off
    finally:
        quiet.close()


def test_a_private_address_is_refused_unless_the_operator_allows_it(admin_api, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    answer = admin_api.post("/webhooks", json={"url": "http://127.0.0.1:9/hook",
                                               "events": ["generation.failed"]})
    assert answer.status_code == 422 and "url" in answer.json()["errors"]


def test_only_an_admin_token_manages_webhooks(live_server, team_a, teammate):
    secret = tokens.create(team_a, teammate, name="mine", scopes=["admin"]).secret
    answer = httpx.get(f"{live_server.url}/api/v1/webhooks",
                       headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 403
