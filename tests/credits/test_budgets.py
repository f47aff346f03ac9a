"""Reserve, then settle; budgets and caps refuse before any API call."""

import pytest

from studio.credits import budget
from studio.credits.models import LedgerEntry
from studio.generations.models import Generation, Status
from studio.sandbox.models import SandboxUsage
from studio.teams.models import Membership

TTS = {"text": "hello", "voice": "Calm_Woman"}


def spend(team, member, credits):
    LedgerEntry.objects.create(team=team, member=member, kind="image", credits=credits)


def test_form_shows_cost_and_balance_after(owner_client, team_a):
    team_a.credits_remaining = 1000
    team_a.save()
    html = owner_client.get("/generate/image/").content.decode()
    assert "<strong data-cost>50</strong>" in html
    assert "<span data-balance-after>950</span>" in html


def test_queued_work_is_reserved_against_the_balance(owner_client, team_a, owner):
    team_a.credits_remaining = 120
    team_a.save()
    assert owner_client.post("/generate/image/", {"prompt": "one", "width": 512,
                                                  "height": 512}).status_code == 302
    assert owner_client.post("/generate/image/", {"prompt": "two", "width": 512,
                                                  "height": 512}).status_code == 302
    refused = owner_client.post("/generate/image/", {"prompt": "three is too many",
                                                     "width": 512, "height": 512})
    html = refused.content.decode()
    assert refused.status_code == 400
    assert "100 reserved for queued work" in html
    assert "You can top up the API credits" in html and "Ask olivia" not in html  # the owner
    assert "three is too many" in html  # the input is kept
    assert Generation.objects.count() == 2


def test_failed_or_canceled_work_releases_its_reservation(owner_client, team_a, owner):
    team_a.credits_remaining = 60
    team_a.save()
    owner_client.post("/generate/image/", {"prompt": "a", "width": 512, "height": 512})
    Generation.objects.update(status=Status.CANCELED)
    assert budget.reserved(team_a) == 0
    assert owner_client.post("/generate/image/", {"prompt": "b", "width": 512,
                                                  "height": 512}).status_code == 302


def test_member_cap_refuses_the_job_that_would_cross_it(teammate_client, team_a, teammate,
                                                      owner):
    Membership.objects.filter(user=teammate).update(monthly_cap=100)
    spend(team_a, teammate, 90)
    response = teammate_client.post("/generate/tts/", TTS)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your monthly cap is 100 credits and 90 are already spent" in html
    assert "Ask olivia to raise your cap" in html
    assert not Generation.objects.exists() and not SandboxUsage.objects.exists()


def test_team_budget_refuses_and_names_who_to_ask(teammate_client, team_a, teammate,
                                                  owner):
    team_a.monthly_budget = 1000
    team_a.save()
    spend(team_a, owner, 990)
    html = teammate_client.post("/generate/tts/", TTS).content.decode()
    assert "The team&#x27;s monthly budget is 1,000 credits" in html
    assert "Ask olivia to raise the team budget" in html


def test_an_admin_over_the_budget_is_told_to_raise_it_not_to_ask_themselves(
        owner_client, team_a, owner):
    team_a.monthly_budget = 5000
    team_a.save()
    spend(team_a, owner, 4990)
    html = owner_client.post("/generate/tts/", TTS).content.decode()
    assert "is 5,000 credits and 4,990 are already spent" in html
    assert "You can raise the team budget in the team settings." in html
    assert "Ask olivia" not in html


def test_warning_at_80_percent_of_the_cap(teammate_client, team_a, teammate):
    Membership.objects.filter(user=teammate).update(monthly_cap=100)
    spend(team_a, teammate, 70)
    html = teammate_client.get("/generate/tts/").content.decode()
    assert "Your monthly cap: 84 of 100 credits used this month with this job." in html
    assert teammate_client.post("/generate/tts/", TTS).status_code == 302


def test_other_members_spend_does_not_count_against_my_cap(teammate_client, team_a,
                                                          teammate, owner):
    Membership.objects.filter(user=teammate).update(monthly_cap=100)
    spend(team_a, owner, 5000)
    assert teammate_client.post("/generate/tts/", TTS).status_code == 302


def test_last_months_spend_does_not_count(teammate_client, team_a, teammate):
    from datetime import timedelta

    Membership.objects.filter(user=teammate).update(monthly_cap=100)
    spend(team_a, teammate, 95)
    LedgerEntry.objects.update(created_at=budget.month_start() - timedelta(days=1))
    assert teammate_client.post("/generate/tts/", TTS).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_ledger_sum_equals_the_sandbox_debits(sandbox_url, fake_clock, team_a, owner,
                                              owner_client):
    from studio.generations import dispatch
    from studio.sandbox.models import SandboxAccount, SandboxFaults, token_digest
    from tests.conftest import TOKEN_A, make_team
    from tests.generations.helpers import drive, queued

    account = SandboxAccount.objects.get(token_digest=token_digest(TOKEN_A))
    SandboxFaults.objects.create(account=account, fail_next_500=1)
    for i in range(3):
        queued(team_a, owner, "tts", text=f"ok {i}")
    queued(team_a, owner, "image", prompt="bad", width=9999, height=512)  # 400
    doomed = queued(team_a, owner, "image", prompt="cancel me", width=512, height=512)
    Generation.objects.filter(pk=doomed.pk).update(state="canceled", status=Status.CANCELED)
    poor = make_team("Poor", "sbx_poor_sum", credits=5)
    queued(poor, owner, "tts", text="402")
    dispatch.tick()
    drive(fake_clock)
    debited = 100_000 - SandboxAccount.objects.get(pk=account.pk).credits
    assert debited == 3 * 14
    assert sum(LedgerEntry.objects.filter(team=team_a).values_list("credits", flat=True)) \
        == debited
