"""A create that waits (`Prefer: wait=N`) and one that calls back (`webhook`): the
answer comes when the work is final or N seconds passed, and the submission's own
webhook gets its events, signed as the team's are."""

import json

import pytest
from django.test import Client
from standardwebhooks.webhooks import Webhook

from studio.api import tokens, waiting, webhooks
from studio.api.models import WebhookEndpoint
from tests.api.test_webhooks import Receiver
from tests.generations.helpers import drive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox_url")]

SPEECH = {"kind": "tts", "params": {"text": "Wait for me.", "voice": "Wise_Woman"}}


@pytest.fixture
def writer(team_a, owner) -> Client:
    secret = tokens.create(team_a, owner, name="t", scopes=["read", "generate"]).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def create(http: Client, body=SPEECH, **headers):
    return http.post("/api/v1/generations", body, content_type="application/json",
                     headers=headers)


def test_prefer_wait_answers_when_the_work_is_final(writer, fake_clock, monkeypatch):
    monkeypatch.setattr(waiting, "pause", lambda seconds: drive(fake_clock))
    answer = create(writer, Prefer="wait=30")
    assert answer.status_code == 201 and answer["Preference-Applied"] == "wait=30"
    made = answer.json()
    assert made["status"] == "succeeded" and made["links"]["media"] == made["media_url"]
    assert made["started_at"] and made["finished_at"]
    assert writer.get(made["media_url"]).status_code == 200


def test_prefer_wait_gives_up_after_its_seconds(writer, fake_clock, monkeypatch):
    pauses = []
    monkeypatch.setattr(waiting, "pause", lambda seconds: (pauses.append(seconds),
                                                           fake_clock.advance(seconds)))
    answer = create(writer, Prefer="respond-async, wait=2")
    assert answer.status_code == 201 and answer.json()["status"] == "queued"
    assert answer["Preference-Applied"] == "wait=2" and sum(pauses) == 2


def test_a_wait_past_sixty_seconds_waits_sixty_and_none_is_not_waited(writer, fake_clock,
                                                                     monkeypatch):
    monkeypatch.setattr(waiting, "pause", fake_clock.advance)
    assert create(writer, Prefer="wait=600")["Preference-Applied"] == "wait=60"
    assert not create(writer).has_header("Preference-Applied")


def test_a_submissions_webhook_gets_its_events_signed_with_the_request_secret(
        writer, team_a, fake_clock):
    receiver = Receiver()
    try:
        made = create(writer, {**SPEECH, "webhook": receiver.url, "count": 2})
        assert made.status_code == 201
        create(writer)  # another submission: not this webhook's business
        drive(fake_clock)
    finally:
        receiver.close()
    secret = writer.get("/api/v1/webhooks/request-secret").json()["secret"]
    assert secret == webhooks.request_secret(team_a)
    verifier = Webhook(secret)
    events = [verifier.verify(body, headers) for headers, body in receiver.received]
    assert sorted(e["type"] for e in events) == ["generation.succeeded"] * 2 + [
        "set.finished"]
    ids = {e["data"]["id"] for e in events if e["type"] == "generation.succeeded"}
    assert ids == set(made.json()["set"]["ids"])
    assert not WebhookEndpoint.objects.filter(generation_set=None).exists()


def test_a_submissions_webhook_may_ask_for_some_events_only(writer, fake_clock):
    receiver = Receiver()
    try:
        create(writer, {**SPEECH, "webhook": receiver.url,
                        "webhook_events": ["set.finished"]})
        drive(fake_clock)
    finally:
        receiver.close()
    assert [json.loads(body)["type"] for _, body in receiver.received] == ["set.finished"]


def test_a_private_webhook_address_is_refused_before_anything_is_made(writer, settings):
    settings.STUDIO_ALLOW_PRIVATE_URLS = False
    answer = create(writer, {**SPEECH, "webhook": "http://127.0.0.1:9/hook"})
    assert answer.status_code == 422 and "webhook" in answer.json()["errors"]
    assert writer.get("/api/v1/generations").json()["items"] == []
