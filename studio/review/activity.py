"""The team's activity: what happened to its work, newest first, for every member
(viewers too: it is the story of the gallery they see). Read from the audit trail's
lines about work and people joining, and from the generations that finished or
failed; the team's settings, tokens, budgets and invitations stay in the admins'
audit trail.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.urls import reverse

from studio.generations.models import Generation
from studio.generations.states import Status
from studio.teams.models import AuditEvent, Team

Action = AuditEvent.Action
SHOWN = (Action.GENERATED, Action.CANCELED, Action.PAUSED, Action.RESUMED,
         Action.MOVED_TO_TOP, Action.LANE_CHANGED, Action.RATED, Action.COMMENTED,
         Action.COMMENT_DELETED, Action.APPROVED, Action.DECLINED, Action.DELETED,
         Action.RESTORED, Action.PROMPT_SAVED, Action.MEMBER_JOINED, Action.LINK_SHARED,
         Action.LINK_REVOKED, Action.OUTSIDE_NOTE, Action.BOARD_CREATED,
         Action.BOARD_CHANGED, Action.BOARD_DELETED, Action.BOARD_ITEMS_ADDED,
         Action.BOARD_ITEM_REMOVED, Action.TAGS_CHANGED, Action.REVIEW_CHANGED)
FINISHED, FAILED = "finished", "failed"
KINDS = [(FINISHED, "Finished"), (FAILED, "Failed"),
         *((action.value, action.label) for action in SHOWN)]
PAGE_SIZE = 50


def link_of(details: dict, action: str = "") -> str:
    """The thing an audit line is about, by what its details name."""
    if "generation" in details:
        return reverse("generation_detail", args=[details["generation"]])
    if "set" in details:
        return reverse("gallery") + f"?set={details['set']}"
    if "board" in details and action != Action.BOARD_DELETED:
        return reverse("board", args=[details["board"]])
    if "prompt" in details:
        return reverse("prompt_library")
    return ""


@dataclass(frozen=True)
class Line:
    at: datetime
    who: str
    kind: str
    label: str
    text: str
    url: str


def from_audit(event: AuditEvent) -> Line:
    return Line(event.created_at, event.actor_name, event.action,
                event.get_action_display(), event.summary, link_of(event.details, event.action))


def from_finish(generation: Generation) -> Line:
    name = f"{generation.get_kind_display()} #{generation.pk}"
    failed = generation.status == Status.FAILED
    text = f"{name} failed: {generation.error_message}" if failed else f"{name} finished"
    return Line(generation.finished_at,
                generation.author.username if generation.author else "system",
                FAILED if failed else FINISHED, "Failed" if failed else "Finished",
                text, reverse("generation_detail", args=[generation.pk]))


def audit_lines(team: Team, who: str, kind: str, before: datetime | None):
    if kind in (FINISHED, FAILED):
        return AuditEvent.objects.none()
    rows = AuditEvent.objects.for_team(team).filter(action__in=[kind] if kind else SHOWN)
    if who:
        rows = rows.filter(actor_name=who)
    if before:
        rows = rows.filter(created_at__lt=before)
    return rows.order_by("-created_at", "-id")


def finish_lines(team: Team, who: str, kind: str, before: datetime | None):
    if kind and kind not in (FINISHED, FAILED):
        return Generation.objects.none()
    wanted = {FINISHED: [Status.SUCCEEDED], FAILED: [Status.FAILED]}.get(
        kind, [Status.SUCCEEDED, Status.FAILED])
    rows = (Generation.objects.for_team(team).in_gallery().select_related("author")
            .filter(status__in=wanted, finished_at__isnull=False))
    if who:
        rows = rows.filter(Q(author__username=who))
    if before:
        rows = rows.filter(finished_at__lt=before)
    return rows.order_by("-finished_at", "-id")


def page_of(team: Team, *, who: str = "", kind: str = "", before: datetime | None = None,
            size: int = PAGE_SIZE) -> tuple[list[Line], datetime | None]:
    """A page of lines, newest first, and the moment the next (older) page starts
    before, or None on the last page."""
    lines = sorted([*map(from_audit, audit_lines(team, who, kind, before)[:size + 1]),
                    *map(from_finish, finish_lines(team, who, kind, before)[:size + 1])],
                   key=lambda line: line.at, reverse=True)
    if len(lines) <= size:
        return lines, None
    return lines[:size], lines[size - 1].at
