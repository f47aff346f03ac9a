import logging

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import UserCreationForm
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studio.lib import csvstream
from studio.lib.converters import parse_id
from studio.teams import audit, invitations, members
from studio.teams.forms import (
    AuditFilterForm,
    DeleteTeamForm,
    InvitationForm,
    MemberCapForm,
    MemberRoleForm,
    TeamSettingsForm,
    TransferOwnershipForm,
)
from studio.teams.middleware import SESSION_KEY
from studio.teams.models import AuditEvent, Invitation, Membership, Role
from studio.teams.scoping import current_membership, get_for_team_or_404, team_queryset

log = logging.getLogger(__name__)

AUDIT_PAGE = 50
AUDIT_CSV_HEADER = ["created_at", "actor", "action", "summary"]


@login_required
@require_POST
def switch_team(request: HttpRequest) -> HttpResponse:
    team_id = parse_id(request.POST.get("team", ""))
    if team_id is None:
        raise Http404("No such team.")
    membership = get_object_or_404(Membership, user=request.user, team_id=team_id)
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


# Members


def managed_member(request: HttpRequest, pk: int) -> tuple[Membership, Membership]:
    """(the acting admin, the member they may manage); 404 outside the team, else 403."""
    actor = current_membership(request, Role.ADMIN)
    target = get_for_team_or_404(
        request, Membership.objects.select_related("user", "team"), pk=pk)
    members.check_may_manage(actor, target)
    return actor, target


@login_required
@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    return render_members(request, current_membership(request, Role.ADMIN))


def render_members(request: HttpRequest, actor: Membership, bound: dict | None = None,
                   status: int = 200) -> HttpResponse:
    """The members page; `bound` holds the one row's form that came back with errors."""
    memberships = list(actor.team.memberships.select_related("user")
                       .order_by("user__username"))
    owners = sum(m.role == Role.OWNER for m in memberships)
    rows = []
    for m in memberships:
        manageable = m.role != Role.OWNER or actor.role == Role.OWNER
        last_owner = m.role == Role.OWNER and owners == 1
        forms = {
            "role_form": MemberRoleForm(initial={"role": m.role}, auto_id=f"id_%s_{m.pk}"),
            "cap_form": MemberCapForm(initial={"monthly_cap": m.monthly_cap},
                                      auto_id=f"id_%s_{m.pk}"),
            **(bound or {}).get(m.pk, {}),
        }
        rows.append({"m": m, "manageable": manageable, "last_owner": last_owner,
                     "role_editable": manageable and (not last_owner
                                                      or m.pk in (bound or {})),
                     **forms})
    return render(request, "teams/members.html", {"rows": rows}, status=status)


def after_member_change(actor: Membership) -> HttpResponse:
    """Back to the members page, unless the actor just gave up the right to see it."""
    still_admin = Membership.objects.filter(pk=actor.pk, role__in=[Role.ADMIN, Role.OWNER])
    return redirect("team_members" if still_admin.exists() else "gallery")


@login_required
@require_POST
def member_role(request: HttpRequest, pk: int) -> HttpResponse:
    actor, target = managed_member(request, pk)
    form = MemberRoleForm(request.POST, auto_id=f"id_%s_{pk}")
    if form.is_valid():
        try:
            changed = members.change_role(actor, target, form.cleaned_data["role"])
        except members.RuleError as error:
            form.add_error("role", str(error))
        else:
            messages.success(request, f"{target.user.username}'s role is "
                             f"{'now' if changed else 'still'} {members.role_name(target.role)}.")
            return after_member_change(actor)
    return render_members(request, actor, {pk: {"role_form": form}}, status=400)


@login_required
@require_POST
def member_cap(request: HttpRequest, pk: int) -> HttpResponse:
    actor, target = managed_member(request, pk)
    form = MemberCapForm(request.POST, auto_id=f"id_%s_{pk}")
    if not form.is_valid():
        return render_members(request, actor, {pk: {"cap_form": form}}, status=400)
    members.set_cap(actor, target, form.cleaned_data["monthly_cap"])
    cap = target.monthly_cap
    messages.success(request, f"{target.user.username}'s monthly cap is now "
                     f"{cap:,} credits." if cap is not None
                     else f"{target.user.username} has no monthly cap.")
    return redirect("team_members")


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    actor, target = managed_member(request, pk)
    try:
        members.remove(actor, target)
    except members.RuleError as error:
        messages.error(request, str(error))
        return redirect("team_members")
    messages.success(request, f"You left {target.team.name}." if target.pk == actor.pk
                     else f"{target.user.username} was removed from {target.team.name}.")
    return after_member_change(actor)


@login_required
@require_http_methods(["GET", "POST"])
def transfer_ownership(request: HttpRequest) -> HttpResponse:
    actor = current_membership(request, Role.OWNER)
    form = TransferOwnershipForm(request.POST if request.method == "POST" else None,
                                 actor=actor)
    if form.is_valid():
        new_owner = form.cleaned_data["new_owner"]
        members.transfer_ownership(actor, new_owner)
        messages.success(request, f"{new_owner.user.username} now owns {actor.team.name}; "
                                  "you are an admin.")
        return redirect("team_members")
    return render(request, "teams/transfer.html", {"form": form},
                  status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def delete_team(request: HttpRequest) -> HttpResponse:
    actor = current_membership(request, Role.OWNER)
    team = actor.team
    form = DeleteTeamForm(request.POST if request.method == "POST" else None, team=team)
    if form.is_valid():
        # The audit trail goes with the team, so the log is the only record left.
        log.info("Team %s (#%s) deleted by %s", team.name, team.pk, request.user.username)
        team.delete()
        request.session.pop(SESSION_KEY, None)
        messages.success(request, f"{form.cleaned_data['name']} was deleted, "
                                  "with all its work and history.")
        return redirect("gallery")
    return render(request, "teams/delete.html", {"form": form},
                  status=400 if form.errors else 200)


# Invitations


@login_required
@require_http_methods(["GET", "POST"])
def invitation_list(request: HttpRequest) -> HttpResponse:
    actor = current_membership(request, Role.ADMIN)
    form = InvitationForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        invitation = invitations.create(actor.team, request.user, **form.cleaned_data)
        messages.success(request, "Invitation created. Send this link to the person "
                                  f"you are inviting: {invitations.link(request, invitation)}")
        return redirect("team_invitations")
    pending = team_queryset(request, invitations.open_invitations()).select_related(
        "created_by")
    rows = [(invitation, invitations.link(request, invitation)) for invitation in pending]
    return render(request, "teams/invitations.html", {"form": form, "rows": rows},
                  status=400 if form.errors else 200)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    current_membership(request, Role.ADMIN)
    invitation = get_for_team_or_404(request, Invitation.objects.all(), pk=pk)
    if invitations.revoke(invitation, request.user):
        messages.success(request, "Invitation revoked: its link no longer works.")
    else:
        messages.error(request, invitations.closed_reason(invitation))
    return redirect("team_invitations")


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest, token: str) -> HttpResponse:
    """Where an invitation link lands: join, or sign up and join."""
    invitation = Invitation.objects.select_related("team", "created_by").filter(
        token=token).first()
    if invitation is None:
        return render(request, "teams/invite_closed.html", {
            "reason": "This invitation link is not valid. Check that you copied all of it."
        }, status=404)
    if reason := invitations.closed_reason(invitation):
        return invite_closed(request, reason)
    if not request.user.is_authenticated:
        return invite_signup(request, invitation)
    existing = Membership.objects.for_team(invitation.team).filter(user=request.user).first()
    if request.method == "POST" and existing is None:
        return join(request, invitation, request.user)
    return render(request, "teams/invite.html",
                  {"invitation": invitation, "existing": existing})


def invite_closed(request: HttpRequest, reason: str) -> HttpResponse:
    reason = reason or "This invitation can no longer be used. Ask for a new one."
    return render(request, "teams/invite_closed.html", {"reason": reason}, status=410)


def invite_signup(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    form = UserCreationForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        with transaction.atomic():
            user = form.save()
            membership = invitations.accept(invitation, user)
            if membership is None:
                transaction.set_rollback(True)
        if membership is None:
            return invite_closed(request, invitations.closed_reason(refreshed(invitation)))
        login(request, user)
        return joined(request, membership)
    return render(request, "teams/invite.html", {"invitation": invitation, "form": form},
                  status=400 if form.errors else 200)


def join(request: HttpRequest, invitation: Invitation, user) -> HttpResponse:
    membership = invitations.accept(invitation, user)
    if membership is None:
        return invite_closed(request, invitations.closed_reason(refreshed(invitation)))
    return joined(request, membership)


def refreshed(invitation: Invitation) -> Invitation:
    invitation.refresh_from_db()
    return invitation


def joined(request: HttpRequest, membership: Membership) -> HttpResponse:
    request.session[SESSION_KEY] = membership.team_id
    messages.success(request, f"Welcome to {membership.team.name}: you joined as "
                              f"{members.role_name(membership.role)}.")
    return redirect("gallery")


# Audit trail


def filtered_events(request: HttpRequest) -> tuple[AuditFilterForm, QuerySet[AuditEvent]]:
    current_membership(request, Role.ADMIN)
    events = team_queryset(request, AuditEvent.objects.all())
    form = AuditFilterForm(request.GET, events=events)
    return form, form.filter(events)


@login_required
@require_GET
def audit_trail(request: HttpRequest) -> HttpResponse:
    form, events = filtered_events(request)
    page = Paginator(events, AUDIT_PAGE).get_page(request.GET.get("page"))
    filters = request.GET.copy()
    filters.pop("page", None)
    export_url = reverse("audit_export") + (f"?{filters.urlencode()}" if filters else "")
    return render(request, "teams/audit.html",
                  {"form": form, "page": page, "export_url": export_url})


def audit_csv_rows(events: QuerySet[AuditEvent]):
    for event in events.iterator():
        yield [event.created_at.isoformat(), event.actor_name, event.action, event.summary]


@login_required
@require_GET
def audit_export(request: HttpRequest) -> StreamingHttpResponse:
    _, events = filtered_events(request)
    return csvstream.streamed(AUDIT_CSV_HEADER, audit_csv_rows(events), "audit.csv")
