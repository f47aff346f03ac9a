"""The REST API over HTTP with real tokens: the live server, the sandbox behind it,
the dispatcher ticked by the test (its tasks run inline)."""

import json
import re
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from django.conf import settings
from django.core.management import call_command

from studio.api import quota, tokens
from studio.api.models import ApiToken, Scope
from studio.generations.models import Attempt, Generation
from tests.conftest import member_of
from tests.generations.helpers import drive

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox_url")]

SPEECH = {"kind": "tts", "params": {"text": "Hello from a script.", "voice": "Wise_Woman"}}


def token_for(team, user, *scopes: str, **options) -> str:
    return tokens.create(team, user, name="test", scopes=list(scopes or ["read"]),
                         **options).secret


@pytest.fixture
def client(live_server):
    def make(secret: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        return httpx.Client(base_url=f"{live_server.url}/api/v1", headers=headers,
                            timeout=30)
    return make


@pytest.fixture
def writer(client, team_a, owner):
    with client(token_for(team_a, owner, "read", "generate")) as http:
        yield http


def test_create_then_follow_to_the_media_with_the_same_token(writer, fake_clock):
    made = writer.post("/generations", json=SPEECH)
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["kind"] == "tts" and body["status"] == "queued"
    assert body["set"]["size"] == 1 and body["media_url"] is None
    drive(fake_clock)
    shown = writer.get(f"/generations/{body['id']}").json()
    assert shown["status"] == "succeeded" and shown["media_url"].endswith("/media")
    media = writer.get(shown["media_url"])
    assert media.status_code == 200 and media.headers["content-type"] == "audio/mpeg"
    assert media.content[:3] == b"ID3" or media.content[0] == 0xFF  # an MP3 frame
    assert Generation.objects.get(pk=body["id"]).via_token is not None


def test_a_count_and_alternatives_make_one_set(writer):
    made = writer.post("/generations", json={
        "kind": "image", "params": {"prompt": "a {fox|owl}", "width": 512, "height": 512},
        "count": 2})
    assert made.status_code == 201
    assert made.json()["set"]["size"] == 4 and made.json()["set"]["cost"] == 200


def test_bad_parameters_are_422_with_the_field(writer):
    answer = writer.post("/generations", json={"kind": "tts", "params": {"voice": "Nobody"}})
    assert answer.status_code == 422
    problem = answer.json()
    assert answer.headers["content-type"] == "application/problem+json"
    assert set(problem["errors"]) >= {"params.text", "params.voice"}
    assert not Generation.objects.exists()


def test_a_refusal_for_money_is_402_and_says_who_can_help(writer, team_a):
    team_a.credits_remaining = 5
    team_a.save()
    answer = writer.post("/generations", json=SPEECH)
    assert answer.status_code == 402 and "top up" in answer.json()["detail"]


def test_a_tokens_own_cap_is_kept(client, team_a, owner):
    with client(token_for(team_a, owner, "generate", monthly_cap=20)) as capped:
        assert capped.post("/generations", json=SPEECH).status_code == 201  # 14 credits
        refused = capped.post("/generations", json=SPEECH)
    assert refused.status_code == 402 and "may spend 20 credits a month" in \
        refused.json()["detail"]


def test_another_teams_token_gets_404_for_our_generation(writer, client, team_b, outsider):
    mine = writer.post("/generations", json=SPEECH).json()["id"]
    with client(token_for(team_b, outsider, "read", "generate")) as theirs:
        seen = theirs.get(f"/generations/{mine}")
        canceled = theirs.post(f"/generations/{mine}/cancel")
        media = theirs.get(f"/generations/{mine}/media")
    assert seen.status_code == canceled.status_code == media.status_code == 404
    assert seen.json()["detail"] == f"No generation #{mine} in this team's gallery."


def test_a_read_token_cannot_generate(client, team_a, owner):
    with client(token_for(team_a, owner, "read")) as reader:
        answer = reader.post("/generations", json=SPEECH)
    assert answer.status_code == 403 and "generate" in answer.json()["detail"]


def test_a_revoked_or_unknown_token_is_401(client, team_a, owner):
    secret = token_for(team_a, owner, "read")
    tokens.revoke(ApiToken.objects.get(), owner)
    with client(secret) as revoked, client("stk_nonsense") as unknown, client(None) as none:
        answers = [revoked.get("/kinds"), unknown.get("/kinds"), none.get("/kinds")]
    assert [a.status_code for a in answers] == [401, 401, 401]
    assert answers[0].headers["www-authenticate"] == "Bearer"


@pytest.mark.skipif(not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
                    reason="the SQLite test database lives in memory, where concurrent "
                           "writers fail at once instead of waiting; `make test` runs "
                           "this on PostgreSQL")
def test_ten_copies_with_one_key_make_one_generation_and_one_call(writer, fake_clock):
    def send(_):
        return writer.post("/generations", json=SPEECH, headers={"Idempotency-Key": "k-1"})
    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(send, range(10)))
    assert {a.status_code for a in answers} == {201}
    assert len({a.json()["id"] for a in answers}) == 1
    assert Generation.objects.count() == 1
    drive(fake_clock)
    assert Attempt.objects.filter(http_status=201).count() == 1


def test_one_key_for_another_body_is_422(writer):
    assert writer.post("/generations", json=SPEECH,
                       headers={"Idempotency-Key": "k-2"}).status_code == 201
    other = {"kind": "tts", "params": {"text": "Something else.", "voice": "Wise_Woman"}}
    answer = writer.post("/generations", json=other, headers={"Idempotency-Key": "k-2"})
    assert answer.status_code == 422 and "another request" in answer.json()["detail"]


def test_list_filters_and_pages_by_keyset(writer):
    ids = [writer.post("/generations", json={"kind": "tts", "params": {
        "text": f"Line {n}.", "voice": "Wise_Woman"}}).json()["id"] for n in range(5)]
    first = writer.get("/generations", params={"limit": 3, "kind": "tts"}).json()
    assert [g["id"] for g in first["items"]] == ids[::-1][:3]
    assert first["next"].startswith("http") and "kind=tts" in first["next"]
    rest = writer.get(first["next"]).json()
    assert [g["id"] for g in rest["items"]] == ids[::-1][3:] and rest["next"] is None
    found = writer.get("/generations", params={"q": "line 2"}).json()["items"]
    assert [g["id"] for g in found] == [ids[2]]
    bad = writer.get("/generations", params={"kind": "nonsense"})
    assert bad.status_code == 422 and "kind" in bad.json()["errors"]


def test_cancel_frees_the_reservation_and_is_refused_once_sent(writer, fake_clock):
    first = writer.post("/generations", json=SPEECH).json()["id"]
    answer = writer.post(f"/generations/{first}/cancel")
    assert answer.status_code == 200 and answer.json()["status"] == "canceled"
    second = writer.post("/generations", json=SPEECH).json()["id"]
    drive(fake_clock)
    assert writer.post(f"/generations/{second}/cancel").status_code == 409


def test_balance_ledger_catalog_and_the_tokens_own_usage(writer, fake_clock):
    writer.post("/generations", json=SPEECH)
    drive(fake_clock)
    kinds = writer.get("/kinds").json()["items"]
    assert {k["kind"] for k in kinds} >= {"tts", "image", "video_i2v"}
    tts = next(k for k in kinds if k["kind"] == "tts")
    assert tts["cost"] == 14 and any(p["name"] == "text" and p["max_length"]
                                     for p in tts["params"])
    assert writer.get("/credits").json()["spent_this_month"] == 14
    ledger = writer.get("/credits/ledger").json()["items"]
    assert ledger[0]["credits"] == 14 and ledger[0]["member"] == "olivia"
    usage = writer.get("/tokens/me").json()
    assert usage["spent_this_month"] == 14 and usage["generations_this_month"] == 1
    assert usage["last_used_at"] is not None


def test_a_token_over_its_request_rate_gets_429_with_retry_after(writer, monkeypatch,
                                                                 fake_clock):
    monkeypatch.setattr(quota, "TOKEN_RATE_PER_SECOND", 2)
    answers = [writer.get("/kinds") for _ in range(4)]  # the clock stands still
    assert [a.status_code for a in answers] == [200, 200, 429, 429]
    assert answers[2].headers["retry-after"] == "1"
    fake_clock.advance(1)
    assert writer.get("/kinds").status_code == 200  # the next second


def test_a_viewers_token_cannot_generate_even_with_the_scope(client, team_a, viewer):
    with client(token_for(team_a, viewer, "read", "generate")) as http:
        assert http.post("/generations", json=SPEECH).status_code == 403


def test_create_api_token_prints_a_token_that_works(client, team_a, owner, capsys):
    call_command("create_api_token", "olivia", "--team", team_a.name, "--scope", "read",
                 "--name", "ops")
    secret = capsys.readouterr().out.strip()
    assert secret.startswith("stk_") and ApiToken.objects.get().digest != secret
    with client(secret) as http:
        assert http.get("/tokens/me").json()["name"] == "ops"


def test_the_openapi_document_and_the_docs_are_served(live_server):
    document = httpx.get(f"{live_server.url}/api/v1/openapi.json").json()
    assert document["openapi"].startswith("3.1")
    assert "/api/v1/generations" in document["paths"]
    docs = httpx.get(f"{live_server.url}/api/v1/docs")
    assert docs.status_code == 200 and "swagger" in docs.text.lower()
    scripts = re.findall(r'src="([^"]*swagger[^"]*\.js)"', docs.text)
    assert scripts and all(httpx.get(f"{live_server.url}{src}").status_code == 200
                           for src in scripts)  # Swagger UI's own files are served


def test_a_member_makes_and_revokes_a_token_on_the_tokens_page(owner_client, team_a, client):
    page = owner_client.post("/account/tokens/", {"name": "render bot",
                                                  "scopes": ["read", "generate"]})
    secret = json.loads(json.dumps(page.content.decode())).split("data-token>")[1].split("<")[0]
    token = ApiToken.objects.get()
    assert token.digest == tokens.digest(secret) and secret not in token.prefix + token.digest
    assert "render bot" in owner_client.get("/account/tokens/").content.decode()
    assert secret not in owner_client.get("/account/tokens/").content.decode()  # once
    owner_client.post(f"/account/tokens/{token.pk}/revoke/")
    with client(secret) as http:
        assert http.get("/kinds").status_code == 401


def test_an_admin_sees_every_token_and_a_member_only_their_own(owner_client, team_a, owner,
                                                               teammate_client, teammate):
    token_for(team_a, owner, "read")
    token_for(team_a, teammate, "read")
    assert owner_client.get("/account/tokens/").content.decode().count("data-token-id") == 2
    assert teammate_client.get("/account/tokens/").content.decode().count(
        "data-token-id") == 1


def test_a_service_token_acts_as_the_teams_bot(owner_client, team_a, client):
    page = owner_client.post("/account/tokens/", {"name": "Render Bot", "service": "on",
                                                  "scopes": ["generate"]}).content.decode()
    secret = page.split("data-token>")[1].split("<")[0]
    with client(secret) as http:
        made = http.post("/generations", json=SPEECH)
    assert made.status_code == 201 and made.json()["author"] == f"bot-{team_a.pk}-render-bot"


def test_a_member_who_left_takes_their_tokens_with_them(client, team_a):
    tim = member_of(team_a, "tim", "member")
    secret = token_for(team_a, tim, "read")
    team_a.memberships.filter(user=tim).delete()
    with client(secret) as http:
        assert http.get("/kinds").status_code == 401
    assert Scope.READ == "read"


def test_ids_past_what_the_database_holds_are_422_not_an_error(writer):
    huge = 10**25
    assert writer.get(f"/generations/{huge}").status_code == 422
    assert writer.get("/generations", params={"cursor": huge}).status_code == 422
    assert writer.get("/credits/ledger", params={"cursor": huge}).status_code == 422
    assert writer.get("/no/such/endpoint").json()["status"] == 404


def test_alternatives_past_the_limit_are_a_422_before_anything_is_built(writer,
                                                                        monkeypatch):
    from studio.generations import alternatives

    monkeypatch.setattr(alternatives, "variants", lambda text: pytest.fail("expanded"))
    answer = writer.post("/generations", json={
        "kind": "tts", "params": {"text": "{yes|no} " * 30, "voice": "Wise_Woman"}})
    assert answer.status_code == 422
    assert "at most 64 go in one submission" in answer.json()["errors"]["params.text"][0]
    assert not Generation.objects.exists()


def test_nested_braces_are_a_422_naming_the_field(writer):
    answer = writer.post("/generations", json={
        "kind": "image", "params": {"prompt": "{a {b|c}|d}", "width": 512, "height": 512}})
    assert answer.status_code == 422
    assert "Braces cannot nest" in answer.json()["errors"]["params.prompt"][0]


def test_a_removed_members_tokens_stay_revoked_when_they_come_back(client, team_a, owner,
                                                                  teammate):
    from studio.teams import members
    from studio.teams.models import AuditEvent, Membership

    secret = token_for(team_a, teammate, "read")
    with client(secret) as http:
        assert http.get("/kinds").status_code == 200
        members.remove(Membership.objects.get(user=owner),
                       Membership.objects.get(user=teammate))
        assert http.get("/kinds").status_code == 401
        Membership.objects.create(team=team_a, user=teammate, role="member")
        assert http.get("/kinds").status_code == 401  # no old token comes back
    assert ApiToken.objects.get().revoked_at is not None
    from tests.conftest import logged_in
    page = logged_in(teammate).get("/account/tokens/").content.decode()
    assert "Revoked" in page and 'class="revoked"' in page
    event = AuditEvent.objects.get(action="api_token_revoked")
    assert event.summary == "Revoked tom's API token (test): they left the team"
    assert event.actor_name == "olivia"


def test_cancel_through_the_api_writes_the_pages_audit_line(writer, client, team_a, owner):
    from django.test import Client

    from studio.teams.models import AuditEvent

    by_api = writer.post("/generations", json=SPEECH).json()["id"]
    assert writer.post(f"/generations/{by_api}/cancel").status_code == 200
    browser = Client()
    browser.force_login(owner)
    by_page = writer.post("/generations", json=SPEECH).json()["id"]
    assert browser.post(f"/generations/{by_page}/cancel/").status_code == 302
    lines = AuditEvent.objects.filter(action="canceled").order_by("id")
    assert [(e.summary, e.actor_name, e.details) for e in lines] == [
        (f"Canceled Speech #{by_api}", "olivia", {"generation": by_api}),
        (f"Canceled Speech #{by_page}", "olivia", {"generation": by_page})]


def test_cancelling_a_finished_job_says_it_already_finished(writer, fake_clock):
    made = writer.post("/generations", json=SPEECH).json()["id"]
    drive(fake_clock)
    answer = writer.post(f"/generations/{made}/cancel")
    assert answer.status_code == 409
    assert answer.json()["detail"] == "It already succeeded: there is nothing left to cancel."
