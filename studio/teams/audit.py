"""The one way to write the audit trail."""

from studio.teams.models import AuditEvent, Team


def record(team: Team, actor, action: str, summary: str, **details) -> AuditEvent:
    """Append an event: `summary` is the sentence an admin reads in the trail."""
    return AuditEvent.objects.create(
        team=team, actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "username", "") or "system",
        action=action, summary=summary[:300], details=details,
    )
