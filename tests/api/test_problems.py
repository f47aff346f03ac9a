"""Every answer under /api/v1/ that is not a success is a problem (RFC 9457) whose
`type` URI says which, documented at that URI; and every answer says where the
token's request quota stands."""

import pytest
from django.test import Client

from studio.api import quota, tokens
from studio.api.problems import TYPES

SPEECH = {"kind": "tts", "params": {"text": "Hello.", "voice": "Wise_Woman"}}
BASE = "http://testserver/api/v1/problems/"


def api_client(team, user, *scopes, **options) -> Client:
    secret = tokens.create(team, user, name="t", scopes=list(scopes or ["read"]),
                           **options).secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def writer(team_a, owner) -> Client:
    return api_client(team_a, owner, "read", "generate")


def create(http: Client, body=SPEECH):
    return http.post("/api/v1/generations", body, content_type="application/json")


def problem_of(answer, status: int, slug: str) -> dict:
    assert answer.status_code == status, answer.content
    assert answer["Content-Type"] == "application/problem+json"
    problem = answer.json()
    assert problem["type"] == BASE + slug and problem["status"] == status
    return problem


def test_every_problem_type_is_documented_at_its_uri(db):
    listed = Client().get("/api/v1/problems", {"limit": 200}).json()["items"]
    assert {p["slug"] for p in listed} == set(TYPES)
    page = Client().get("/api/v1/problems/token-cap-exceeded")
    assert page.status_code == 200 and page.json()["status"] == 402
    assert page.json()["type"] == BASE + "token-cap-exceeded"
    assert "cap" in page.json()["description"]
    problem_of(Client().get("/api/v1/problems/nonsense"), 404, "not-found")


def test_a_wrong_method_is_a_405_problem_with_allow(writer):
    answer = writer.delete("/api/v1/kinds")
    problem = problem_of(answer, 405, "method-not-allowed")
    assert answer["Allow"] == "GET" and "DELETE" in problem["detail"]


def test_malformed_and_unknown_paths_are_404_problems(writer):
    problem_of(writer.get("/api/v1/generations/abc"), 404, "no-such-endpoint")
    problem_of(writer.post("/api/v1/no/such/thing"), 404, "no-such-endpoint")


def test_media_not_ready_is_409_and_no_such_id_is_404(writer):
    made = create(writer).json()["id"]
    problem = problem_of(writer.get(f"/api/v1/generations/{made}/media"), 409, "not-ready")
    assert "queued" in problem["detail"]
    problem_of(writer.get(f"/api/v1/generations/{made + 1}/media"), 404, "not-found")
    problem_of(writer.get(f"/api/v1/generations/{made + 1}"), 404, "not-found")


def test_each_credit_limit_has_its_own_type(team_a, owner):
    capped = api_client(team_a, owner, "generate", monthly_cap=10)
    problem_of(create(capped), 402, "token-cap-exceeded")
    writer = api_client(team_a, owner, "generate")
    team_a.monthly_budget = 10
    team_a.save()
    problem_of(create(writer), 402, "team-budget-exceeded")
    team_a.monthly_budget, team_a.credits_remaining = None, 5
    team_a.save()
    problem_of(create(writer), 402, "insufficient-credits")


def test_scopes_roles_and_tokens_have_their_types(team_a, owner, viewer):
    problem_of(create(api_client(team_a, owner, "read")), 403, "missing-scope")
    problem_of(create(api_client(team_a, viewer, "generate")), 403, "forbidden")
    problem_of(Client().get("/api/v1/kinds"), 401, "unauthorized")
    invalid = problem_of(create(api_client(team_a, owner, "generate"),
                                {"kind": "tts", "params": {}}), 422, "validation")
    assert "params.text" in invalid["errors"]


def test_cancelling_twice_says_it_is_too_late(writer):
    made = create(writer).json()["id"]
    assert writer.post(f"/api/v1/generations/{made}/cancel").status_code == 200
    problem = problem_of(writer.post(f"/api/v1/generations/{made}/cancel"), 409,
                         "too-late-to-cancel")
    assert problem["detail"] == "It already canceled: there is nothing left to cancel."


def test_rate_limit_headers_on_every_answer_and_a_typed_429(writer, monkeypatch,
                                                            fake_clock):
    monkeypatch.setattr(quota, "TOKEN_RATE_PER_SECOND", 2)
    first, second, third = (writer.get("/api/v1/kinds") for _ in range(3))
    assert first["RateLimit-Policy"] == '"token";q=2;w=1'
    assert [a["RateLimit"] for a in (first, second)] == ['"token";r=1;t=1',
                                                         '"token";r=0;t=1']
    problem_of(third, 429, "rate-limited")
    assert third["Retry-After"] == "1"
    assert Client().get("/api/v1/nothing")["RateLimit-Policy"]


def test_a_replayed_answer_says_so(writer):
    first = writer.post("/api/v1/generations", SPEECH, content_type="application/json",
                        headers={"Idempotency-Key": "k"})
    again = writer.post("/api/v1/generations", SPEECH, content_type="application/json",
                        headers={"Idempotency-Key": "k"})
    assert first["Idempotent-Replayed"] == "false" and again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    other = writer.post("/api/v1/generations", {**SPEECH, "count": 2},
                        content_type="application/json", headers={"Idempotency-Key": "k"})
    problem_of(other, 422, "idempotency-key-reused")


def test_restoring_a_generation_that_is_not_in_the_trash_is_a_conflict_not_a_404(
        team_a, owner):
    from tests.generations.helpers import queued

    job = queued(team_a, owner, "tts", text="still here")
    secret = tokens.create(team_a, owner, name="t", scopes=["read", "generate"]).secret
    answer = Client().post(f"/api/v1/generations/{job.pk}/restore",
                           HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("/api/v1/problems/not-in-trash")


def test_a_nul_character_anywhere_is_a_validation_problem_naming_where(writer):
    """PostgreSQL stores no NUL: the API refuses it before any query is made."""
    listed = writer.get("/api/v1/generations", {"member": "a\x00b"})
    assert "`member`" in problem_of(listed, 422, "validation")["detail"]
    made = writer.post("/api/v1/generations", {"kind": "tts", "params": {
        "text": "a\x00b", "voice": "Wise_Woman"}}, content_type="application/json")
    assert "`params.text`" in problem_of(made, 422, "validation")["detail"]
    made = create(writer).json()
    noted = writer.post(f"/api/v1/generations/{made['id']}/comments",
                        {"text": "\x00"}, content_type="application/json")
    assert "`text`" in problem_of(noted, 422, "validation")["detail"]
    assert writer.get("/api/v1/generations", {"member": "nobody"}).status_code == 200
