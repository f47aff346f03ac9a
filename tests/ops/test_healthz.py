"""/healthz: each part's health and latency for anyone; names, URLs and errors for staff."""

import pytest
from django.core.cache import cache
from django.db import OperationalError
from django.utils import timezone

from studio.generations.models import Heartbeat
from tests.conftest import logged_in, make_team, make_user

UNREACHABLE_API = "http://127.0.0.1:9"  # the discard port: nothing listens there


@pytest.fixture(autouse=True)
def _fresh_api_checks():
    cache.clear()  # the API checks are cached per URL between requests
    yield
    cache.clear()


@pytest.fixture
def staff_client(db):
    user = make_user("stella")
    user.is_staff = True
    user.save()
    return logged_in(user)


@pytest.fixture
def broken_team(db):
    team = make_team("Nightjar Films", "sbx_nightjar_token_0003")
    team.api_url = UNREACHABLE_API
    team.save()
    return team


def test_healthz_reports_each_part_with_latency(client, team_a):
    Heartbeat.objects.create(name="worker-1", seen_at=timezone.now())
    data = client.get("/healthz").json()
    checks = data["checks"]
    assert checks["database"]["ok"] and checks["database"]["ms"] >= 0
    assert checks["broker"]["ok"] and checks["broker"]["ms"] >= 0
    assert checks["worker"] == {"ok": True}
    assert [set(api) for api in checks["api"]] == [{"ok", "ms"}]


def test_healthz_degraded_without_a_worker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["worker"]["ok"] is False


@pytest.mark.parametrize("who", ["anonymous", "non_staff"])
def test_strangers_and_members_see_no_names_urls_or_errors(who, client, owner_client,
                                                           broken_team):
    asking = client if who == "anonymous" else owner_client
    response = asking.get("/healthz")
    body = response.content.decode()
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert "Nightjar" not in body and "Team A" not in body
    assert "127.0.0.1" not in body and "http" not in body
    assert "error" not in body and "api_status" not in body
    assert "no worker has reported" not in body
    apis = response.json()["checks"]["api"]
    assert all(set(api) == {"ok", "ms"} for api in apis)
    assert any(api["ok"] is False for api in apis)


def test_staff_see_each_team_its_url_and_the_error(staff_client, broken_team):
    checks = staff_client.get("/healthz").json()["checks"]
    broken = checks["api"]["Nightjar Films"]
    assert broken["ok"] is False and broken["url"] == UNREACHABLE_API
    assert broken["error"]
    assert checks["worker"]["error"] == "no worker has reported yet"


def test_database_down_is_503_without_the_error_text(client, db, monkeypatch):
    def refuse():
        raise OperationalError("could not connect to server at 10.1.2.3")

    monkeypatch.setattr("studio.health.check_database", refuse)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["status"] == "down"
    assert response.json()["checks"]["database"]["ok"] is False
    assert "10.1.2.3" not in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_healthz_calls_the_api_health_endpoint(client, staff_client, sandbox_url, team_a):
    Heartbeat.objects.create(name="worker-1", seen_at=timezone.now())
    data = staff_client.get("/healthz").json()
    assert data["checks"]["api"]["Team A"]["ok"] is True
    assert data["checks"]["api"]["Team A"]["api_status"] == "ok"
    assert data["status"] == "ok"
    public = client.get("/healthz").json()
    assert public["status"] == "ok" and public["checks"]["api"][0]["ok"] is True
    assert "api_status" not in str(public)


def test_a_task_running_past_the_timeout_makes_the_worker_not_ok(
        client, staff_client, team_a, owner, settings):
    from datetime import timedelta

    from studio.finishing.models import Export
    from studio.generations.lifecycle import lease_span
    from tests.generations.helpers import queued

    now = timezone.now()
    Heartbeat.objects.create(name="worker-1", seen_at=now)  # alive, yet wedged
    began = now - timedelta(seconds=settings.Q_CLUSTER["timeout"] + 100)
    wedged = queued(team_a, owner, "tts", text="stuck")
    waiting = queued(team_a, owner, "tts", text="only queued at the broker")
    mix = queued(team_a, owner, "image", prompt="fine, just begun")
    for row, state, since in ((wedged, "sending", began), (waiting, "dispatched", began),
                              (mix, "storing", now)):
        type(row).objects.filter(pk=row.pk).update(
            state=state, status="running", lease_owner="worker-1",
            lease_until=since + lease_span())
    Export.objects.create(generation=wedged, format="mp3", started_at=began)
    assert client.get("/healthz").json()["checks"]["worker"] == {"ok": False}
    data = staff_client.get("/healthz").json()
    assert data["status"] == "degraded"
    worker = data["checks"]["worker"]
    assert worker["ok"] is False and "2 task(s) running longer than" in worker["error"]
    assert [(b["what"], b["state"], b["worker"]) for b in worker["busy_past_timeout"]] == [
        (f"tts #{wedged.pk}", "sending", "worker-1"),
        (f"mp3 export of #{wedged.pk}", "working", "")]
    assert all(b["busy_seconds"] >= settings.Q_CLUSTER["timeout"] + 100
               for b in worker["busy_past_timeout"])
