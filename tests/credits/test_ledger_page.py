import csv
import io

from studio.credits.models import LedgerEntry


def entry(team, member, credits, kind="tts"):
    return LedgerEntry.objects.create(team=team, member=member, kind=kind,
                                      usage_id=f"u{credits}", credits=credits,
                                      credits_remaining=1000 - credits)


def test_empty_ledger_says_so(owner_client):
    assert "No credits spent yet" in owner_client.get("/credits/").content.decode()


def test_ledger_page_and_csv_show_only_the_team(owner_client, owner, team_a, outsider,
                                                team_b):
    entry(team_a, owner, 14)
    entry(team_a, owner, 50, "image")
    entry(team_b, outsider, 999)
    assert "<code>u999</code>" not in owner_client.get("/credits/").content.decode()
    response = owner_client.get("/credits/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(int(r["credits_used"]) for r in rows) == [14, 50]
    assert {r["member"] for r in rows} == {"olivia"}


def csv_of(client, query="") -> list[dict]:
    response = client.get(f"/credits/export.csv{query}")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_filters_show_and_export_exactly_the_same_rows(owner_client, owner, teammate,
                                                       team_a):
    from datetime import timedelta

    from django.utils import timezone

    entry(team_a, owner, 14)
    entry(team_a, teammate, 50, "image")
    entry(team_a, teammate, 15, "tts")
    old = entry(team_a, teammate, 400, "video_i2v")
    LedgerEntry.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    query = f"?member={teammate.pk}&kind=&date_from={(timezone.now() - timedelta(days=7)).date()}"
    page = owner_client.get(f"/credits/{query}").content.decode()
    rows = csv_of(owner_client, query)
    assert sorted(int(r["credits_used"]) for r in rows) == [15, 50]
    assert "<strong data-total>65</strong>" in page
    assert "<code>u14</code>" not in page and "<code>u400</code>" not in page
    assert f'href="/credits/export.csv{query}"'.replace("&", "&amp;") in page
    assert len(csv_of(owner_client)) == 4  # no filter means all time


def test_page_draws_totals_per_day_kind_and_member(owner_client, owner, team_a):
    entry(team_a, owner, 14)
    entry(team_a, owner, 50, "image")
    html = owner_client.get("/credits/").content.decode()
    assert html.count('<svg class="chart"') == 3
    assert "<title>Image: 50 credits</title>" in html
    assert "<title>olivia: 64 credits</title>" in html


def test_bad_date_range_is_explained(owner_client, owner, team_a):
    entry(team_a, owner, 14)
    html = owner_client.get("/credits/?date_from=2026-05-02&date_to=2026-05-01").content.decode()
    assert "The end date is before the start date." in html


def test_csv_charges_positive_refunds_negative_sum_is_debited(owner_client, owner, team_a):
    entry(team_a, owner, 14)
    LedgerEntry.objects.create(team=team_a, kind="tts", usage_id="u14", credits=-4,
                               source="correction")
    assert sum(int(r["credits_used"]) for r in csv_of(owner_client)) == 10


def test_outsider_export_has_only_their_rows(outsider_client, owner, team_a):
    entry(team_a, owner, 14)
    assert csv_of(outsider_client) == []


def test_csv_cells_cannot_run_as_spreadsheet_formulas(owner_client, owner, team_a):
    LedgerEntry.objects.create(team=team_a, member=owner, kind="tts",
                               usage_id="=HYPERLINK(\"http://evil\")", credits=-3)
    row = csv_of(owner_client)[0]
    assert row["usage_id"] == "'=HYPERLINK(\"http://evil\")"
    assert row["credits_used"] == "-3"


def test_a_refund_of_a_charged_record_is_kept_beside_its_charge(owner_client, owner, team_a):
    entry(team_a, owner, 14)
    LedgerEntry.objects.create(team=team_a, member=owner, kind="tts", usage_id="u14",
                               credits=-14)
    assert sum(int(r["credits_used"]) for r in csv_of(owner_client)) == 0


def balances_shown(client, query="") -> list[str]:
    import re

    page = client.get(f"/credits/{query}").content.decode()
    return re.findall(r'data-label="Balance after" class="num">([^<]*)</td>', page)


def test_calls_answered_together_each_show_the_balance_after_their_own_row(
        owner_client, owner, teammate, team_a):
    # Three calls answered together: the API reported the balance after all three.
    for credits, reported in ((50, 1000), (14, 850), (50, 850), (86, 850)):
        LedgerEntry.objects.create(team=team_a, member=owner, kind="image",
                                   usage_id=f"u{credits}-{reported}", credits=credits,
                                   credits_remaining=reported)
    assert balances_shown(owner_client) == ["850", "936", "986", "1,000"]


def test_a_top_up_between_rows_keeps_the_reported_figure(owner_client, owner, team_a):
    LedgerEntry.objects.create(team=team_a, member=owner, kind="tts", usage_id="before",
                               credits=14, credits_remaining=100)
    LedgerEntry.objects.create(team=team_a, member=owner, kind="tts", usage_id="after",
                               credits=14, credits_remaining=5086)
    assert balances_shown(owner_client) == ["5,086", "100"]


def test_a_filtered_ledger_shows_each_rows_balance_in_the_whole_ledger(
        owner_client, owner, teammate, team_a):
    LedgerEntry.objects.create(team=team_a, member=owner, kind="tts", usage_id="a",
                               credits=14, credits_remaining=900)
    LedgerEntry.objects.create(team=team_a, member=teammate, kind="tts", usage_id="b",
                               credits=50, credits_remaining=900)
    assert balances_shown(owner_client, f"?member={owner.pk}") == ["950"]
