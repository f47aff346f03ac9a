"""Bad input to the ledger's filters gets an answer, never a 500."""

import csv
import io

from studio.credits.models import LedgerEntry


def test_ledger_to_the_last_day_there_is_shows_and_exports_everything(owner_client, owner,
                                                                      team_a):
    LedgerEntry.objects.create(team=team_a, member=owner, kind="tts", usage_id="u14",
                               credits=14, credits_remaining=986)
    page = owner_client.get("/credits/?date_to=9999-12-31")
    assert page.status_code == 200 and "<code>u14</code>" in page.content.decode()
    export = owner_client.get("/credits/export.csv?date_to=9999-12-31")
    rows = list(csv.DictReader(io.StringIO(b"".join(export.streaming_content).decode())))
    assert [row["usage_id"] for row in rows] == ["u14"]
