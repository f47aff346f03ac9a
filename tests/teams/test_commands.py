from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from studio.sandbox.models import SandboxAccount, token_digest
from studio.teams.models import Membership, Team


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_create_team_is_idempotent_and_updates(db):
    run("create_team", "Acme", "--owner", "ann", "--password", "pw-one-long",
        "--api-token", "sbx_acme_token_1", "--tier", "standard")
    out = run("create_team", "Acme", "--owner", "ann", "--password", "pw-two-long",
              "--tier", "premium")
    assert "Updated team 'Acme'" in out
    team = Team.objects.get(name="Acme")
    assert (team.tier, team.api_token) == ("premium", "sbx_acme_token_1")
    assert Membership.objects.get(team=team).role == "owner"
    assert Client().login(username="ann", password="pw-two-long")


def test_create_team_provisions_the_sandbox_token(db):
    run("create_team", "Acme", "--owner", "ann", "--password", "pw-one-long",
        "--api-token", "sbx_acme_token_1", "--tier", "premium")
    account = SandboxAccount.objects.get(token_digest=token_digest("sbx_acme_token_1"))
    assert account.tier == "premium" and account.credits > 0


def test_create_team_with_live_url_leaves_sandbox_alone(db):
    run("create_team", "Live", "--owner", "lee", "--password", "pw-one-long",
        "--api-url", "https://api.ainative.studio", "--api-token", "live_tok")
    assert not SandboxAccount.objects.exists()
    assert Team.objects.get(name="Live").api_url == "https://api.ainative.studio"


def test_demo_prints_the_login_and_can_run_twice(db):
    first = run("demo")
    run("demo")
    assert "as 'demo' with password 'demo-studio'" in first
    assert Team.objects.get(name="Demo Studio").is_premium
    assert SandboxAccount.objects.count() == 1
    assert Client().login(username="demo", password="demo-studio")


def test_demo_refuses_without_sandbox(db, settings):
    settings.SANDBOX_ENABLED = False
    with pytest.raises(Exception, match="sandbox"):
        run("demo")


def test_add_member_creates_the_user_and_updates_the_role(db):
    run("create_team", "Acme", "--owner", "ann", "--password", "pw-one-long")
    assert run("add_member", "Acme", "bob", "--password", "pw-bob-long",
               "--role", "viewer") == "Added 'bob' in 'Acme' as viewer.\n"
    assert run("add_member", "Acme", "bob", "--password", "pw-bob-new",
               "--role", "admin") == "Updated 'bob' in 'Acme' as admin.\n"
    assert Membership.objects.get(user__username="bob").role == "admin"
    assert Client().login(username="bob", password="pw-bob-new")


def test_add_member_to_a_missing_team_says_so(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No team named 'Nope'"):
        run("add_member", "Nope", "bob", "--password", "pw-bob-long")
