import csv

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from studio.credits.models import LedgerEntry
from studio.teams.scoping import team_queryset

CSV_HEADER = ["created_at", "member", "kind", "usage_id", "generation_id",
              "credits_used", "credits_remaining", "source"]


def ledger(request: HttpRequest):
    return team_queryset(request, LedgerEntry.objects.select_related("member"))


@login_required
@require_GET
def credits_page(request: HttpRequest) -> HttpResponse:
    entries = ledger(request)
    return render(request, "credits/ledger.html", {"entries": entries[:200]})


class Echo:
    def write(self, value: str) -> str:
        return value


def csv_rows(entries):
    writer = csv.writer(Echo())
    yield writer.writerow(CSV_HEADER)
    for entry in entries.iterator():
        yield writer.writerow([
            entry.created_at.isoformat(), entry.member.username if entry.member else "",
            entry.kind, entry.usage_id, entry.generation_id or "", entry.credits,
            "" if entry.credits_remaining is None else entry.credits_remaining,
            entry.source,
        ])


@login_required
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(csv_rows(ledger(request)), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="credits.csv"'
    return response
