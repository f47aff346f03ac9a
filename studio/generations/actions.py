"""What a person or a token can do to the team's work, each one function: it checks
the permission, makes the move, writes the audit line and says what happened.

The pages turn a `Done` into a message and a redirect, the REST API into JSON or a
problem; a refusal of permission is `PermissionDenied` for both. Nothing here knows
which door it was called through, so every door does the same thing.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from studio.generations import lifecycle
from studio.generations.models import Generation
from studio.generations.states import GRAPH, State
from studio.teams import audit
from studio.teams.models import AuditEvent, Membership


@dataclass(frozen=True)
class Done:
    """An action's outcome: `ok`, what a person reads, and (when not ok) a short code
    the REST API turns into its problem type."""

    ok: bool
    message: str
    code: str = ""


def cancel(member: Membership, generation: Generation) -> Done:
    """A waiting generation canceled (its credits free again); refused once a call may
    be going out."""
    if not member.may_change(generation):
        raise PermissionDenied("Only its author or an admin can cancel it.")
    name = f"{generation.get_kind_display()} #{generation.pk}"
    if not lifecycle.cancel(generation):
        return Done(False, too_late_to_cancel(generation), "too_late")
    audit.record(generation.team, member.user, AuditEvent.Action.CANCELED,
                 f"Canceled {name}", generation=generation.pk)
    return Done(True, f"{name} canceled.")


def too_late_to_cancel(generation: Generation) -> str:
    generation.refresh_from_db(fields=["state", "status"])
    if not GRAPH[State(generation.state)].moves:
        return f"It already {generation.status}: there is nothing left to cancel."
    return ("It was already sent to the API, where the credits may already be spent, "
            "so it can no longer be canceled.")
