"""Who reaches a generation in the trash: the one rule, for every page and action.

Who restores follows the one rule for changing someone's work
(Membership.may_change): its author while still a member, or an admin, within
STUDIO_TRASH_DAYS of its deletion. To anyone else a trashed generation is as missing
as one that never was.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from studio.generations.models import Generation
from studio.lib import clock
from studio.teams.models import Membership
from studio.teams.scoping import current_membership, get_for_team_or_404


def trash_cutoff():
    return clock.now() - timedelta(days=settings.STUDIO_TRASH_DAYS)


def may_restore(membership: Membership, generation: Generation) -> bool:
    """Whether this member may bring this generation back from the trash: the one
    rule for who still reaches a trashed generation at all."""
    in_time = generation.deleted_at is not None and generation.deleted_at >= trash_cutoff()
    return in_time and membership.may_change(generation)


def restorable(membership: Membership, generations: QuerySet[Generation]
               ) -> QuerySet[Generation]:
    """What this member finds in the trash: may_restore as a query (an admin's is the
    whole team's, a member's their own work)."""
    in_time = generations.filter(deleted_at__gte=trash_cutoff())
    if membership.can_manage:
        return in_time
    if membership.can_generate:
        return in_time.filter(author_id=membership.user_id)
    return in_time.none()


def within_reach_or_404(request: HttpRequest, generations: QuerySet[Generation],
                        pk: int) -> Generation:
    """The current team's generation; a trashed one is as missing as one that never
    was, except to whoever may restore it."""
    generation = get_for_team_or_404(request, generations, pk=pk)
    if generation.deleted_at and not may_restore(current_membership(request), generation):
        raise Http404("No such item in this team.")
    return generation
