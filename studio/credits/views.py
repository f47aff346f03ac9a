from datetime import date, timedelta

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from studio.credits import balance, budget, charts
from studio.credits.models import Discrepancy, LedgerEntry
from studio.lib import csvstream
from studio.lib.filters import TeamFilterForm
from studio.multimodal.catalog import kind_choices
from studio.teams.scoping import current_membership, team_queryset

CSV_HEADER = ["created_at", "member", "kind", "usage_id", "generation_id",
              "credits_used", "credits_remaining", "source"]
PAGE_SIZE = 100
CHART_DAYS = 31


class LedgerFilter(TeamFilterForm):
    kind = forms.ChoiceField(choices=[("", "Every kind"), *kind_choices()], required=False)
    field_order = ["member", "kind", "date_from", "date_to"]

    def __init__(self, data, *, team):
        super().__init__(data, team=team)
        self.fields["member"].empty_label = "Everyone"

    def apply(self, entries: QuerySet) -> QuerySet:
        if not self.is_valid():
            return entries.none()
        if self.cleaned_data["member"]:
            entries = entries.filter(member=self.cleaned_data["member"])
        if self.cleaned_data["kind"]:
            entries = entries.filter(kind=self.cleaned_data["kind"])
        return self.apply_dates(entries)


def filtered_ledger(request: HttpRequest) -> tuple[LedgerFilter, QuerySet]:
    team = current_membership(request).team
    form = LedgerFilter(request.GET or None, team=team)
    entries = team_queryset(request, LedgerEntry.objects.select_related("member"))
    return form, (form.apply(entries) if form.is_bound else entries)


@login_required
@require_GET
def credits_page(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    form, entries = filtered_ledger(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    with_balances_after(page.object_list, membership.team)
    return render(request, "credits/ledger.html", {
        "form": form, "page": page, "query": query_without_page(request),
        "total": entries.aggregate(total=Sum("credits"))["total"] or 0,
        "per_day": charts.columns(per_day(entries), title="Credits per day"),
        "per_kind": charts.rows(per_kind(entries), title="Credits per kind"),
        "per_member": charts.rows(per_member(entries), title="Credits per member"),
        "discrepancies": Discrepancy.objects.for_team(membership.team)[:20],
        "month": month_summary(membership),
    })


def with_balances_after(rows: list[LedgerEntry], team) -> None:
    """Sets each row's `balance_after`, from the whole team ledger down to the oldest
    row shown (a filter hides rows but not what they spent)."""
    wanted = {row.pk for row in rows}
    if not wanted:
        return
    movements = LedgerEntry.objects.for_team(team).values_list("pk", "credits",
                                                                 "credits_remaining")
    after = balance.balances_after(until_all_seen(movements.iterator(), wanted))
    for row in rows:
        row.balance_after = after.get(row.pk)


def until_all_seen(movements, wanted: set[int]):
    left = set(wanted)
    for movement in movements:
        yield movement
        left.discard(movement[0])
        if not left:
            return


def query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def per_day(entries: QuerySet) -> list[tuple[date, int]]:
    """Totals of each day (UTC) of the CHART_DAYS up to the latest entry, oldest
    first; a day without entries counts 0, so the bars keep the calendar's rhythm."""
    totals = dict(entries.annotate(day=TruncDate("created_at")).values("day")
                  .annotate(total=Sum("credits")).order_by("-day")
                  .values_list("day", "total")[:CHART_DAYS])
    if not totals:
        return []
    last = max(totals)
    first = max(min(totals), last - timedelta(days=CHART_DAYS - 1))
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [(day, totals.get(day, 0)) for day in days]


def per_kind(entries: QuerySet) -> list[tuple[str, int]]:
    labels = dict(kind_choices())
    totals = entries.values("kind").annotate(total=Sum("credits")).order_by("-total")
    return [(labels.get(row["kind"], row["kind"]), row["total"]) for row in totals]


def per_member(entries: QuerySet) -> list[tuple[str, int]]:
    totals = (entries.values("member__username").annotate(total=Sum("credits"))
              .order_by("-total"))
    return [(row["member__username"] or "outside the studio", row["total"])
            for row in totals]


def month_summary(membership) -> dict:
    team = membership.team
    spent = budget.spent_this_month(team)
    return {"spent": spent, "reserved": budget.reserved(team),
            "budget": team.monthly_budget,
            "warn_at": round(budget.WARN_AT * (team.monthly_budget or 0)),
            "warn": bool(team.monthly_budget and spent >= budget.WARN_AT * team.monthly_budget)}


def csv_rows(entries: QuerySet):
    for entry in entries.iterator():
        yield [entry.created_at.isoformat(), entry.member.username if entry.member else "",
               entry.kind, entry.usage_id, entry.generation_id or "", entry.credits,
               "" if entry.credits_remaining is None else entry.credits_remaining,
               entry.source]


@login_required
@require_GET
def export_csv(request: HttpRequest) -> StreamingHttpResponse:
    _, entries = filtered_ledger(request)
    return csvstream.streamed(CSV_HEADER, csv_rows(entries.order_by("created_at", "id")),
                              "credits.csv")
