"""Headers, escaping, throttling, error pages and logs (health: test_healthz.py)."""

import json
import logging
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

from django.core.cache import cache
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from studio.generations.models import Generation, Status
from tests.conftest import PASSWORD, TOKEN_A

ROOT = Path(__file__).resolve().parents[2]


def test_every_page_carries_a_strict_csp(owner_client):
    policy = owner_client.get("/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def test_pages_have_no_inline_script_or_style(owner_client, team_a, owner):
    html = owner_client.get("/").content.decode()
    assert "<script>" not in html and " onchange=" not in html and ' style="' not in html


def test_xss_in_a_prompt_shows_as_text(owner_client, team_a, owner):
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    Generation.objects.create(team=team_a, author=owner, kind="image", cost=50,
                              params={"prompt": attack}, status=Status.FAILED,
                              error_message=attack)
    for page in ("/", f"/generations/{Generation.objects.get().pk}/"):
        html = owner_client.get(page).content.decode()
        assert attack not in html and "&lt;script&gt;alert(" in html


def test_no_page_contains_the_api_token(owner_client, team_a, owner):
    for page in ("/", "/team/settings/", "/credits/", "/generate/tts/"):
        assert TOKEN_A not in owner_client.get(page).content.decode()


HTTPS_SETTINGS = ("SECURE_PROXY_SSL_HEADER", "SECURE_SSL_REDIRECT", "SECURE_REDIRECT_EXEMPT",
                  "SECURE_HSTS_SECONDS", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE")


def studio_settings(**environment: str) -> dict:
    """What studio/settings.py makes of this environment, read in a fresh process."""
    code = ("import json; from studio import settings as s; print(json.dumps("
            f"{{name: getattr(s, name, None) for name in {HTTPS_SETTINGS!r}}}))")
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run([sys.executable, "-c", code], env=env | environment,
                          cwd=ROOT, capture_output=True, text=True, check=True)
    return {name: tuple(value) if isinstance(value, list) and name.endswith("HEADER")
            else value for name, value in json.loads(done.stdout).items()
            if value is not None}


def test_studio_https_redirects_and_sets_hsts_behind_a_proxy(settings, client, db):
    for name, value in studio_settings(STUDIO_HTTPS="true").items():
        setattr(settings, name, value)
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert client.get("/accounts/login/").status_code == 301
    secure = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert secure.status_code == 200
    assert secure["Strict-Transport-Security"].startswith("max-age=31536000")
    assert client.get("/healthz").status_code in (200, 503)  # never redirected


def test_without_studio_https_nothing_is_redirected_or_pinned(settings, client, db):
    found = studio_settings(STUDIO_HTTPS="false")
    assert not any(found.get(name) for name in HTTPS_SETTINGS)
    response = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200 and "Strict-Transport-Security" not in response


def test_login_pauses_after_repeated_failures(owner, settings):
    cache.clear()
    settings.STUDIO_LOGIN_ATTEMPTS = 3
    browser = Client()
    for _ in range(3):
        browser.post("/accounts/login/", {"username": "olivia", "password": "wrong"})
    blocked = browser.post("/accounts/login/", {"username": "olivia", "password": PASSWORD})
    assert "Too many failed attempts" in blocked.content.decode()
    assert "_auth_user_id" not in browser.session
    cache.clear()
    assert browser.post("/accounts/login/", {"username": "olivia",
                                             "password": PASSWORD}).status_code == 302


def test_errors_show_a_page_not_a_stack_trace(settings, owner_client, monkeypatch):
    settings.DEBUG = False
    owner_client.raise_request_exception = False
    monkeypatch.setattr("studio.generations.gallery.filtered",
                        lambda request: 1 / 0)
    response = owner_client.get("/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong on our side" in body and "ZeroDivisionError" not in body


def test_each_request_is_one_json_log_line(owner_client, caplog):
    with caplog.at_level(logging.INFO, logger="studio.requests"):
        owner_client.get("/credits/")
    record = next(r for r in caplog.records if r.name == "studio.requests")
    from studio.lib.logs import JsonFormatter

    line = json.loads(JsonFormatter().format(record))
    assert (line["method"], line["path"], line["status"]) == ("GET", "/credits/", 200)
    assert line["team"] and line["user"] and line["duration_ms"] >= 0


def test_queue_command_shows_waiting_work(team_a, owner):
    Generation.objects.create(team=team_a, author=owner, kind="tts", cost=14,
                              params={"text": "t"})
    Generation.objects.create(team=team_a, author=owner, kind="tts", cost=14,
                              params={"text": "t"}, status=Status.FAILED,
                              error_code="provider_error", finished_at=timezone.now())
    out = StringIO()
    call_command("queue", stdout=out)
    text = out.getvalue()
    assert "Team A" in text and "tts" in text and "queued" in text
    assert "Failed in the last hour: 1" in text and "provider_error: 1" in text
