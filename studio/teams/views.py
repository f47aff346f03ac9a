from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from studio.teams import audit
from studio.teams.forms import TeamSettingsForm
from studio.teams.middleware import SESSION_KEY
from studio.teams.models import Membership, Role
from studio.teams.scoping import current_membership


@login_required
@require_POST
def switch_team(request: HttpRequest) -> HttpResponse:
    membership = get_object_or_404(
        Membership, user=request.user, team_id=request.POST.get("team")
    )
    request.session[SESSION_KEY] = membership.team_id
    return redirect("gallery")


@login_required
def team_settings(request: HttpRequest) -> HttpResponse:
    team = current_membership(request, Role.ADMIN).team
    form = TeamSettingsForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        form.save()
        for action, sentence in form.audit_lines():
            audit.record(team, request.user, action, sentence)
        messages.success(request, "Team settings saved.")
        return redirect("team_settings")
    members = team.memberships.select_related("user").order_by("user__username")
    return render(
        request, "teams/settings.html", {"form": form, "members": members}
    )
