"""`/activity/`: the team's activity page (the lines are `activity`'s)."""

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from studio.review import activity
from studio.teams.models import Membership
from studio.teams.scoping import current_membership


class ActivityFilter(forms.Form):
    member = forms.ChoiceField(required=False, label="Member")
    kind = forms.ChoiceField(required=False, label="What happened",
                             choices=[("", "Everything"), *activity.KINDS])
    before = forms.DateTimeField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, team, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        names = (Membership.objects.for_team(team).order_by("user__username")
                 .values_list("user__username", flat=True))
        self.fields["member"].choices = [("", "Everyone"), *((n, n) for n in names)]


@login_required
@require_GET
def activity_page(request: HttpRequest) -> HttpResponse:
    team = current_membership(request).team
    form = ActivityFilter(request.GET or None, team=team)
    chosen = form.cleaned_data if form.is_valid() else {}
    lines, older = activity.page_of(team, who=chosen.get("member", ""),
                                    kind=chosen.get("kind", ""), before=chosen.get("before"))
    return render(request, "review/activity.html", {
        "form": form, "lines": lines, "older": older.isoformat() if older else None,
        "filtered": bool(chosen.get("member") or chosen.get("kind")),
        "paged": bool(chosen.get("before"))})
