"""Review statuses: none, needs review, changes requested, approved.

Anyone who may give feedback (members, and viewers where the team lets them rate and
comment: Membership.can_review) sets the first three; "approved" is the admins', or
also the members' when the team's setting says so (Team.members_may_approve), never a
viewer's. Every change is an audit line, a card event (open pages redraw the badge),
and the `review_changed` signal (the REST API's `review.changed` webhook).
"""

from django.core.exceptions import PermissionDenied
from django.dispatch import Signal
from django.utils import timezone

from studio.generations import live
from studio.generations.models import Generation
from studio.lib.outcome import Done, refused
from studio.review.models import ItemReview, NotificationKind, ReviewStatus
from studio.review.notifications import notify
from studio.teams import audit
from studio.teams.models import AuditEvent, Membership

# Sent after a change (generation, status, by: the username).
review_changed = Signal()


def may_set(member: Membership, status: str) -> bool:
    if status == ReviewStatus.APPROVED:
        return member.can_manage or (member.can_generate and member.team.members_may_approve)
    return member.can_review


def choices_for(member: Membership) -> list[tuple[str, str]]:
    return [(value, label) for value, label in ReviewStatus.choices if may_set(member, value)]


def status_of(generation: Generation) -> str:
    found = ItemReview.objects.for_team(generation.team_id).filter(generation=generation) \
        .values_list("status", flat=True).first()
    return found or ReviewStatus.NONE


def set_status(member: Membership, generation: Generation, status: str) -> Done:
    """`result`: the status now."""
    if status not in ReviewStatus.values:
        return refused("Choose none, needs review, changes requested or approved.",
                       "invalid")
    if not may_set(member, status):
        raise PermissionDenied(refusal(member, status))
    if status_of(generation) == status:
        return Done(True, f"It is already “{ReviewStatus(status).label}”.", result=status)
    ItemReview.objects.update_or_create(generation=generation,
                                        defaults={"status": status,
                                                  "changed_by": member.user})
    # The card's stamp moves, so polling pages and the card cache see the change.
    Generation.objects.filter(pk=generation.pk).update(updated_at=timezone.now())
    label = ReviewStatus(status).label
    audit.record(member.team, member.user, AuditEvent.Action.REVIEW_CHANGED,
                 f"Set #{generation.pk} to “{label}”", generation=generation.pk,
                 status=status)
    live.card_changed(generation)
    review_changed.send(sender=ItemReview, generation=generation, status=status,
                        by=member.user.username)
    notify_review_changed(member, generation, label)
    return Done(True, f"#{generation.pk} is “{label}”.", result=status)


def refusal(member: Membership, status: str) -> str:
    if status == ReviewStatus.APPROVED and member.can_generate:
        return "Only an admin can approve items in this team (see Team settings)."
    if status == ReviewStatus.APPROVED:
        return "Viewers cannot approve items."
    return ("Members set review statuses; an admin can let viewers give feedback too, "
            "in Team settings.")


def notify_review_changed(member: Membership, generation: Generation,
                          label: str) -> None:
    """The item's author hears of it (not when they changed it themselves)."""
    author = Membership.objects.for_team(member.team).filter(
        user_id=generation.author_id).first()
    if author is None:
        return
    name = f"{generation.kind_spec.label} #{generation.pk}"
    notify(author, NotificationKind.REVIEW_CHANGED,
           f"{member.user.username} marked {name} “{label}”.",
           f"/generations/{generation.pk}/", actor=member.user)
