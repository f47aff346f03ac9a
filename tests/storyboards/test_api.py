"""Storyboards through the REST API with real tokens: made from a script, shown with
their costs, made as one set."""

import pytest
from django.test import Client

from studio.api import tokens
from studio.generations.models import Generation, GenerationSet
from studio.multimodal import catalog
from studio.storyboards.models import Storyboard
from tests.storyboards.helpers import THREE_SCENES

BASE = "/api/v1/storyboards"
PRICE = (catalog.get(catalog.TTS).cost + catalog.get(catalog.IMAGE).cost
         + catalog.get(catalog.VIDEO_I2V).provider("seedance").cost)


def client_of(team, user, *scopes: str) -> Client:
    secret = tokens.create(team, user, name="t", scopes=list(scopes)).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def writer(team_a, owner) -> Client:
    return client_of(team_a, owner, "read", "generate")


def post(http: Client, path: str, body: dict | None = None, **headers):
    return http.post(path, body or {}, content_type="application/json", headers=headers)


def created(http: Client, **body) -> dict:
    answer = post(http, BASE, {"title": "The keeper", "script": THREE_SCENES, **body})
    assert answer.status_code == 201, answer.content
    return answer.json()


def test_a_script_becomes_a_storyboard_with_its_scenes_and_costs(writer):
    body = created(writer, look="oil painting", provider="seedance", crossfade=0.5)
    assert [s["position"] for s in body["scenes"]] == [0, 1, 2]
    first = body["scenes"][0]
    assert first["picture_prompt"] == "a lighthouse on a cliff at dawn"
    assert first["speech"] == {"state": "missing", "generation": None,
                               "cost": catalog.get(catalog.TTS).cost}
    assert first["cost"] == PRICE and body["cost"] == 3 * PRICE
    assert body["film"] == {"state": "missing", "generation": None}
    assert writer.get(f"{BASE}/{body['id']}").json() == body
    listed = writer.get(BASE).json()
    assert listed["next"] is None and listed["items"][0]["scene_count"] == 3


def test_make_answers_the_set_and_its_quote_then_nothing_to_make(writer, team_a):
    body = created(writer, provider="seedance")
    made = post(writer, f"{BASE}/{body['id']}/make")
    assert made.status_code == 202, made.content
    answer = made.json()
    assert answer["quote"] == body["cost"] == 3 * PRICE and answer["size"] == 10
    first = body["scenes"][0]["id"]
    assert answer["generations"][:3] == [
        {"generation": g.pk, "kind": g.kind, "scene": first, "part": part}
        for g, part in zip(Generation.objects.order_by("id")[:3], ("speech", "picture", "clip"))]
    assert answer["generations"][-1]["part"] == "film"
    progress = writer.get(f"/api/v1/sets/{answer['id']}").json()
    assert progress["kind"] == "mixed" and progress["cost"] == answer["quote"]
    again = post(writer, f"{BASE}/{body['id']}/make")
    assert again.status_code == 409 and again.json()["type"].endswith("/nothing-to-make")
    shown = writer.get(f"{BASE}/{body['id']}").json()
    assert shown["cost"] == 0 and shown["scenes"][0]["clip"]["state"] == "queued"


def test_over_the_balance_make_is_a_402_and_nothing_is_queued(writer, team_a):
    body = created(writer)
    team_a.credits_remaining = 10
    team_a.save()
    refused = post(writer, f"{BASE}/{body['id']}/make")
    assert refused.status_code == 402
    assert refused.json()["type"].endswith("/insufficient-credits")
    assert not Generation.objects.exists() and not GenerationSet.objects.exists()


def test_a_bad_script_is_a_422_naming_the_field(writer):
    answer = post(writer, BASE, {"title": "Empty", "script": "\n\n"})
    assert answer.status_code == 422 and list(answer.json()["errors"]) == ["script"]
    unknown = post(writer, BASE, {"title": "T", "script": "Said.", "music": "loud"})
    assert unknown.status_code == 422 and "music" in unknown.json()["errors"]
    assert not Storyboard.objects.exists()


def test_the_same_idempotency_key_makes_one_storyboard(writer):
    body = {"title": "Once", "script": "Said once."}
    first = post(writer, BASE, body, **{"Idempotency-Key": "k1"})
    second = post(writer, BASE, body, **{"Idempotency-Key": "k1"})
    assert second.json() == first.json() and Storyboard.objects.count() == 1


def test_other_teams_storyboards_are_not_found_and_reading_needs_no_more(
        writer, team_b, outsider, team_a, owner):
    body = created(writer)
    stranger = client_of(team_b, outsider, "read", "generate")
    assert stranger.get(f"{BASE}/{body['id']}").status_code == 404
    assert post(stranger, f"{BASE}/{body['id']}/make").status_code == 404
    reader = client_of(team_a, owner, "read")
    assert reader.get(f"{BASE}/{body['id']}").status_code == 200
    assert post(reader, f"{BASE}/{body['id']}/make").status_code == 403


def test_a_viewers_token_cannot_make_a_storyboard(team_a, viewer):
    answer = post(client_of(team_a, viewer, "read", "generate"), BASE,
                  {"title": "Mine", "script": "Said."})
    assert answer.status_code == 403
