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
    assert "999" not in owner_client.get("/credits/").content.decode()
    response = owner_client.get("/credits/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert sorted(int(r["credits_used"]) for r in rows) == [14, 50]
    assert {r["member"] for r in rows} == {"olivia"}
