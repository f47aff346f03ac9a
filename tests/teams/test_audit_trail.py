"""The audit trail page and its CSV export: the current team's events, filtered."""

import csv
import io

import pytest

from studio.teams import audit
from studio.teams.models import AuditEvent

Action = AuditEvent.Action


@pytest.fixture
def trail(team_a, team_b, owner, teammate, outsider):
    audit.record(team_a, owner, Action.ROLE_CHANGED, "Changed tom's role from viewer to member")
    audit.record(team_a, teammate, Action.GENERATED, "Queued Speech #1 (14 credits)")
    audit.record(team_a, teammate, Action.CANCELED, "Canceled Speech #1")
    audit.record(team_a, owner, Action.BUDGET_CHANGED, "Set tom's monthly cap to 9 credits")
    audit.record(team_b, outsider, Action.GENERATED, "Queued Image #2 in team B")


def rows(response) -> list[list[str]]:
    body = b"".join(response.streaming_content).decode()
    return list(csv.reader(io.StringIO(body)))


def test_events_are_listed_newest_first(team_admin_client, trail):
    html = team_admin_client.get("/team/audit/").content.decode()
    assert html.index("Set tom&#x27;s monthly cap") < html.index("Canceled Speech #1") \
        < html.index("Queued Speech #1") < html.index("Changed tom&#x27;s role")


def test_only_the_current_teams_events_are_shown(team_admin_client, outsider_client, trail):
    html = team_admin_client.get("/team/audit/").content.decode()
    assert "team B" not in html and html.count('data-action="') == 4
    other = outsider_client.get("/team/audit/").content.decode()
    assert "team B" in other and "Canceled Speech" not in other


def test_filter_by_action(team_admin_client, trail):
    html = team_admin_client.get("/team/audit/?action=generated").content.decode()
    assert html.count('data-action="generated"') == 1 and html.count('data-action="') == 1


def test_filter_by_member(team_admin_client, trail):
    html = team_admin_client.get("/team/audit/?member=tom").content.decode()
    assert "Queued Speech #1" in html and "Canceled Speech #1" in html
    assert "Changed tom&#x27;s role" not in html


def test_filters_combine_and_stay_in_the_form(team_admin_client, trail):
    url = "/team/audit/?member=olivia&action=budget_changed"
    html = team_admin_client.get(url).content.decode()
    assert html.count('data-action="') == 1 and "monthly cap to 9" in html
    assert '<option value="olivia" selected>' in html
    assert '<option value="budget_changed" selected>' in html


def test_member_choices_are_people_in_this_teams_trail(team_admin_client, trail):
    html = team_admin_client.get("/team/audit/").content.decode()
    assert '<option value="tom"' in html and '<option value="otto"' not in html


def test_unknown_filter_is_shown_as_an_error(team_admin_client, trail):
    response = team_admin_client.get("/team/audit/?action=hacked")
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


def test_fifty_events_a_page_with_filters_kept_in_the_links(team_admin_client, team_a, owner):
    for n in range(120):
        audit.record(team_a, owner, Action.GENERATED, f"Queued Speech #{n}")
    audit.record(team_a, owner, Action.CANCELED, "Canceled Speech #0")
    first = team_admin_client.get("/team/audit/?action=generated").content.decode()
    assert first.count('data-action="generated"') == 50 and "Queued Speech #119<" in first
    assert "?action=generated&amp;page=2" in first and "Page 1 of 3" in first
    last = team_admin_client.get("/team/audit/?action=generated&page=3").content.decode()
    assert last.count('data-action="') == 20 and "Queued Speech #0<" in last


def test_export_has_the_header_and_every_event(team_admin_client, trail, team_a):
    response = team_admin_client.get("/team/audit/export.csv")
    assert response["Content-Type"] == "text/csv"
    assert "attachment" in response["Content-Disposition"]
    table = rows(response)
    assert table[0] == ["created_at", "actor", "action", "summary"]
    expected = [[e.created_at.isoformat(), e.actor_name, e.action, e.summary]
                for e in AuditEvent.objects.filter(team=team_a)]
    assert table[1:] == expected


def test_export_honours_the_filters(team_admin_client, trail):
    table = rows(team_admin_client.get("/team/audit/export.csv?member=tom&action=canceled"))
    assert table[1:] == [[table[1][0], "tom", "canceled", "Canceled Speech #1"]]


def test_export_link_carries_the_page_filters(team_admin_client, trail):
    html = team_admin_client.get("/team/audit/?member=tom&page=1").content.decode()
    assert 'href="/team/audit/export.csv?member=tom"' in html


def test_export_is_not_limited_to_one_page(team_admin_client, team_a, owner):
    for n in range(60):
        audit.record(team_a, owner, Action.GENERATED, f"Queued Speech #{n}")
    assert len(rows(team_admin_client.get("/team/audit/export.csv"))) == 61


def test_changes_made_on_the_pages_show_up_in_the_trail(owner_client, team_a, teammate):
    from tests.teams.conftest import membership

    tom = membership(team_a, teammate).pk
    owner_client.post(f"/team/members/{tom}/role/", {"role": "viewer"})
    owner_client.post(f"/team/members/{tom}/cap/", {"monthly_cap": "100"})
    owner_client.post("/team/invitations/", {"role": "member", "days": "1"})
    table = rows(owner_client.get("/team/audit/export.csv?member=olivia"))
    assert [row[2] for row in table[1:]] == ["invited", "budget_changed", "role_changed"]


def test_export_link_without_filters_is_plain(team_admin_client, trail):
    assert 'href="/team/audit/export.csv"' in team_admin_client.get("/team/audit/").content.decode()
