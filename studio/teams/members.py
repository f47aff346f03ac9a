"""Changing who is in a team and with which role. Every change is audited."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.dispatch import Signal

from studio.teams import audit
from studio.teams.models import AuditEvent, Membership, Role

Action = AuditEvent.Action

# Sent when a member leaves a team or is removed (membership, actor), inside the
# removal's transaction: what they held in it ends with it (the REST API's tokens).
member_left = Signal()


class RuleError(Exception):
    """A change the rules forbid whoever asks, e.g. one that would leave no owner."""


def check_may_manage(actor: Membership, target: Membership) -> None:
    """Admins manage everyone but owners; only an owner touches an owner."""
    if not actor.can_manage:
        raise PermissionDenied("Only an admin or the owner can manage members.")
    if target.role == Role.OWNER and actor.role != Role.OWNER:
        raise PermissionDenied("Only an owner can change an owner's membership.")


def is_last_owner(target: Membership) -> bool:
    if target.role != Role.OWNER:
        return False
    owners = Membership.objects.for_team(target.team_id).filter(role=Role.OWNER)
    return not owners.exclude(pk=target.pk).exists()


def role_name(role: str) -> str:
    return Role(role).label.lower()


@transaction.atomic
def change_role(actor: Membership, target: Membership, role: str) -> bool:
    """False when `target` already has `role`."""
    if role == target.role:
        return False
    if is_last_owner(target):
        raise RuleError(f"{target.user.username} is the team's last owner: "
                        "transfer ownership to someone else first.")
    old = target.role
    target.role = role
    target.save(update_fields=["role"])
    audit.record(target.team, actor.user, Action.ROLE_CHANGED,
                 f"Changed {target.user.username}'s role from {role_name(old)} "
                 f"to {role_name(role)}",
                 member=target.user.username, old=old, new=role)
    return True


def set_cap(actor: Membership, target: Membership, cap: int | None) -> bool:
    """False when the cap is unchanged. None removes the cap."""
    if cap == target.monthly_cap:
        return False
    old = target.monthly_cap
    target.monthly_cap = cap
    target.save(update_fields=["monthly_cap"])
    name = target.user.username
    audit.record(target.team, actor.user, Action.BUDGET_CHANGED,
                 f"Set {name}'s monthly cap to {cap:,} credits" if cap is not None
                 else f"Removed {name}'s monthly cap",
                 member=name, old=old, new=cap)
    return True


@transaction.atomic
def remove(actor: Membership, target: Membership) -> None:
    name = target.user.username
    if is_last_owner(target):
        raise RuleError(f"{name} is the team's last owner: transfer ownership to "
                        "someone else first, or delete the team.")
    target.delete()
    summary = (f"{name} left the team" if target.user_id == actor.user_id
               else f"Removed {name} ({role_name(target.role)}) from the team")
    audit.record(target.team, actor.user, Action.MEMBER_REMOVED, summary,
                 member=name, role=target.role)
    member_left.send(Membership, membership=target, actor=actor.user)


@transaction.atomic
def transfer_ownership(actor: Membership, new_owner: Membership) -> None:
    """`new_owner` becomes an owner and `actor` steps down to admin."""
    new_owner.role = Role.OWNER
    new_owner.save(update_fields=["role"])
    actor.role = Role.ADMIN
    actor.save(update_fields=["role"])
    audit.record(actor.team, actor.user, Action.OWNERSHIP_TRANSFERRED,
                 f"Transferred ownership to {new_owner.user.username}; "
                 f"{actor.user.username} is now an admin",
                 new_owner=new_owner.user.username, old_owner=actor.user.username)
