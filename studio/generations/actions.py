"""What a person or a token can do to the team's work, each one function: it checks
the permission, makes the move, writes the audit line and says what happened
(studio.lib.outcome.Done).

The pages turn a `Done` into a message and a redirect, the REST API into JSON or a
problem; a refusal of permission is `PermissionDenied` for both. Nothing here knows
which door it was called through, so every door does the same thing. Finding the
item in the team (404 otherwise) is the door's, through `scoping`.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone

from studio.generations import lifecycle, live, moments, reach, submission
from studio.generations.models import (
    PENDING_STATUSES,
    Comment,
    Generation,
    GenerationSet,
    Lane,
    Rating,
    SavedPrompt,
    Star,
)
from studio.generations.states import GRAPH, State
from studio.lib import clock
from studio.lib.outcome import Done, refused
from studio.multimodal import catalog
from studio.teams import audit
from studio.teams.models import AuditEvent, Density, Membership

Action = AuditEvent.Action
NOT_WAITING = "It is no longer waiting: it may already be going out to the API."
WAITING = (State.HELD, State.QUEUED, State.PAUSED)


def name_of(generation: Generation) -> str:
    return f"{generation.kind_spec.label} #{generation.pk}"


def check_may_change(member: Membership, work, what: str) -> None:
    if not member.may_change(work):
        raise PermissionDenied(f"Only its author or an admin can {what}.")


def record(member: Membership, action: str, summary: str, **details) -> None:
    audit.record(member.team, member.user, action, summary, **details)


# --- one generation in line ------------------------------------------------------


def cancel(member: Membership, generation: Generation) -> Done:
    """A waiting generation canceled (its credits free again); refused once a call may
    be going out."""
    check_may_change(member, generation, "cancel it")
    if not lifecycle.cancel(generation):
        return refused(too_late_to_cancel(generation), "too_late")
    record(member, Action.CANCELED, f"Canceled {name_of(generation)}",
           generation=generation.pk)
    return Done(True, f"{name_of(generation)} canceled.")


def too_late_to_cancel(generation: Generation) -> str:
    generation.refresh_from_db(fields=["state", "status"])
    if not GRAPH[State(generation.state)].moves:
        return f"It already {generation.status}: there is nothing left to cancel."
    return ("It was already sent to the API, where the credits may already be spent, "
            "so it can no longer be canceled.")


def pause(member: Membership, generation: Generation) -> Done:
    check_may_change(member, generation, "change where it waits")
    if not lifecycle.pause(generation):
        return refused(NOT_WAITING, "not_waiting")
    record(member, Action.PAUSED, f"Paused {name_of(generation)}", generation=generation.pk)
    return Done(True, f"#{generation.pk} is paused: it takes no slot until you resume it.")


def resume(member: Membership, generation: Generation) -> Done:
    check_may_change(member, generation, "change where it waits")
    if not lifecycle.resume(generation):
        return refused("It is not paused.", "not_paused")
    record(member, Action.RESUMED, f"Resumed {name_of(generation)}", generation=generation.pk)
    return Done(True, f"#{generation.pk} is waiting for its turn again.")


def move_to_top(member: Membership, generation: Generation) -> Done:
    check_may_change(member, generation, "change where it waits")
    if not lifecycle.move_to_top(generation):
        return refused(NOT_WAITING, "not_waiting")
    owner = f"{generation.author.username}'s" if generation.author else "its author's"
    record(member, Action.MOVED_TO_TOP, f"Moved {name_of(generation)} to the top of "
                                        f"{owner} waiting work", generation=generation.pk)
    live.card_changed(generation)
    return Done(True, f"#{generation.pk} goes first among {owner} waiting work.")


def set_lane(member: Membership, generation: Generation, lane: str) -> Done:
    check_may_change(member, generation, "change where it waits")
    if lane not in Lane.values:
        return refused("Choose urgent, normal or background.", "invalid")
    if lane == Lane.URGENT and not member.can_manage:
        raise PermissionDenied("Only an admin can mark work urgent.")
    if not lifecycle.set_lane(generation, lane):
        return refused(NOT_WAITING, "not_waiting")
    label = Lane(lane).label.lower()
    record(member, Action.LANE_CHANGED, f"Put {name_of(generation)} in the {label} lane",
           generation=generation.pk, lane=lane)
    live.card_changed(generation)
    return Done(True, f"#{generation.pk} is in the {label} lane.")


# --- a set as a whole ------------------------------------------------------------


def waiting_items(generation_set: GenerationSet, *states: State):
    return generation_set.generations.filter(deleted_at=None, state__in=states).order_by("id")


def cancel_rest(member: Membership, generation_set: GenerationSet) -> Done:
    """Every item of the set still waiting is canceled; running ones finish."""
    check_may_change(member, generation_set, "change this set")
    pk = generation_set.pk
    canceled = [g.pk for g in waiting_items(generation_set, *WAITING) if lifecycle.cancel(g)]
    if not canceled:
        return refused(f"Nothing of set #{pk} was still waiting.", "not_waiting")
    record(member, Action.CANCELED, f"Canceled {len(canceled)} waiting items of set #{pk}",
           generations=canceled, set=pk)
    return Done(True, f"Canceled the {len(canceled)} waiting items of set #{pk}; their "
                      "credits are free again.", result=canceled)


def retry_failed(member: Membership, generation_set: GenerationSet) -> Done:
    """The failed items again, as a new set through the one submit path (quoted,
    judged and reserved as a whole). `result`: the submission's outcome."""
    check_may_change(member, generation_set, "change this set")
    pk = generation_set.pk
    failed = list(waiting_items(generation_set, State.FAILED))
    if not failed:
        return refused(f"Nothing of set #{pk} failed.", "nothing_failed")
    if generation_set.kind == submission.MIXED:  # its rows wait for each other
        return refused(f"Set #{pk} made the parts of a piece that wait for each other: "
                       "make its storyboard again, which re-makes what failed.",
                       "mixed_set")
    outcome = submission.submit(member, member.user, retry_order(generation_set, failed,
                                                                 member))
    if not outcome.queued:
        return refused(f"Not retried: {outcome.verdict.refusal}", "budget")
    again = outcome.generations[0].generation_set_id
    return Done(True, f"Retrying the {len(failed)} failed items of set #{pk} as set "
                      f"#{again}" + (": waiting for approval." if outcome.held else "."),
                result=outcome)


def retry_order(generation_set: GenerationSet, failed: list[Generation],
                member: Membership) -> submission.Order:
    first = failed[0]
    lane = first.lane if first.lane != Lane.URGENT or member.can_manage else Lane.NORMAL
    extra = {"source_upload": first.source_upload.name} if first.source_upload else {}
    return submission.Order(kind=catalog.get(generation_set.kind),
                            params=generation_set.template,
                            expanded=[g.params for g in failed], lane=lane,
                            source=first.source, extra=extra)


VARIATIONS = 4


def vary(member: Membership, generation: Generation) -> Done:
    """The same prompt and settings again, as a set of VARIATIONS through the one submit
    path (quoted, judged and reserved as a whole). `result`: the submission's outcome."""
    if not member.can_generate:
        raise PermissionDenied("Viewers can browse and download, not generate.")
    if generation.kind_spec.local or generation.deleted_at is not None:
        return refused("Only generated work outside the trash can be varied.", "not_variable")
    extra = {"source_upload": generation.source_upload.name} if generation.source_upload else {}
    outcome = submission.submit(member, member.user, submission.Order(
        kind=generation.kind_spec, params=generation.params,
        expanded=[generation.params] * VARIATIONS, source=generation.source, extra=extra))
    if not outcome.queued:
        return refused(f"Not varied: {outcome.verdict.refusal}", "budget")
    made = outcome.generations[0].generation_set
    return Done(True, f"{VARIATIONS} variations of {name_of(generation)} queued as set "
                      f"#{made.pk} ({made.cost:,} credits)"
                      + (": waiting for approval." if outcome.held else "."), result=outcome)


def check_may_approve(member: Membership) -> None:
    if not member.can_manage:
        raise PermissionDenied("Only an admin can approve or decline a set.")


def approve(member: Membership, generation_set: GenerationSet) -> Done:
    """A set held above the team's approval limit lets its credits be spent."""
    check_may_approve(member)
    pk = generation_set.pk
    approved = [g.pk for g in waiting_items(generation_set, State.HELD)
                if lifecycle.approve(g)]
    if not approved:
        return refused(f"Set #{pk} is not waiting for approval.", "not_held")
    record(member, Action.APPROVED, f"Approved set #{pk}: {len(approved)} items, "
                                    f"{generation_set.cost:,} credits",
           generations=approved, set=pk)
    return Done(True, f"Set #{pk} approved: its {len(approved)} items are queued.")


def decline(member: Membership, generation_set: GenerationSet) -> Done:
    check_may_approve(member)
    pk = generation_set.pk
    reason = f"Declined by {member.user.username}."
    declined = [g.pk for g in waiting_items(generation_set, State.HELD)
                if lifecycle.cancel(g, reason)]
    if not declined:
        return refused(f"Set #{pk} is not waiting for approval.", "not_held")
    record(member, Action.DECLINED, f"Declined set #{pk}: {len(declined)} items",
           generations=declined, set=pk)
    return Done(True, f"Set #{pk} declined: its {generation_set.cost:,} credits are free "
                      "again.")


# --- the trash -------------------------------------------------------------------


def delete(member: Membership, generation: Generation) -> Done:
    """To the trash, restorable for STUDIO_TRASH_DAYS."""
    check_may_change(member, generation, "delete this")
    if generation.status in PENDING_STATUSES:
        return refused("It is still queued or running: cancel it first.", "pending")
    moved = Generation.objects.filter(pk=generation.pk, deleted_at=None).update(
        deleted_at=clock.now(), deleted_by=member.user, updated_at=timezone.now())
    if not moved:
        return refused("It is already in the trash.", "in_trash")
    record(member, Action.DELETED, f"Deleted {name_of(generation)}", generation=generation.pk)
    live.card_changed(generation)
    return Done(True, f"{name_of(generation)} moved to the trash. It can be restored from "
                      f"the trash for {settings.STUDIO_TRASH_DAYS} days.")


def restore(member: Membership, generation: Generation) -> Done:
    if not reach.may_restore(member, generation):
        raise PermissionDenied("Only its author or an admin can restore it, within "
                               f"{settings.STUDIO_TRASH_DAYS} days of its deletion.")
    Generation.objects.filter(pk=generation.pk).update(
        deleted_at=None, deleted_by=None, updated_at=timezone.now())
    record(member, Action.RESTORED, f"Restored {name_of(generation)}",
           generation=generation.pk)
    live.card_changed(generation)
    return Done(True, f"{name_of(generation)} is back in the gallery.")


# --- review: stars, ratings, comments ------------------------------------------


def star(member: Membership, generation: Generation, starred: bool | None = None) -> Done:
    """A member's own bookmark (viewers too): set, or toggled when `starred` is None.
    `result`: whether it is starred now. Personal, so not in the team's audit trail."""
    mine = Star.objects.filter(generation=generation, user=member.user)
    wanted = not mine.exists() if starred is None else starred
    if wanted:
        Star.objects.get_or_create(generation=generation, user=member.user)
    else:
        mine.delete()
    live.card_changed(generation)
    return Done(True, f"{name_of(generation)} {'starred' if wanted else 'unstarred'}.",
                result=wanted)


def check_may_review(member: Membership) -> None:
    if not member.can_review:
        raise PermissionDenied("Members rate and comment; an admin can let viewers do it "
                               "too, in Team settings.")


def rate(member: Membership, generation: Generation, stars: int) -> Done:
    check_may_review(member)
    if stars not in range(1, 6):
        return refused("A rating is from 1 to 5 stars.", "invalid")
    Rating.objects.update_or_create(generation=generation, user=member.user,
                                    defaults={"stars": stars})
    record(member, Action.RATED, f"Rated {name_of(generation)} {stars} of 5",
           generation=generation.pk, stars=stars)
    live.card_changed(generation)
    return Done(True, f"You rated {name_of(generation)} {stars} of 5.")


def comment(member: Membership, generation: Generation, text: str,
            moment: moments.Moment = moments.NOWHERE) -> Done:
    """A note, at a moment of a clip or a point of a picture when `moment` says so.
    `result`: the comment."""
    check_may_review(member)
    text = text.strip()
    problem = moments.first_problem(generation, text, moment)
    if problem:
        return refused(problem, "invalid")
    made = Comment.objects.create(generation=generation, author=member.user, text=text,
                                  **moment.fields)
    record(member, Action.COMMENTED, f"Commented on {name_of(generation)}",
           generation=generation.pk, comment=made.pk)
    live.card_changed(generation)
    moments.note_made.send(sender=Comment, comment=made)
    return Done(True, "Comment added.", result=made)


def delete_comment(member: Membership, found: Comment) -> Done:
    check_may_change(member, found, "delete this comment")
    generation_id = found.generation_id
    found.delete()
    record(member, Action.COMMENT_DELETED, f"Deleted a comment on #{generation_id}",
           generation=generation_id)
    live.card_changed(found.generation)
    return Done(True, "Comment deleted.")


# --- how the gallery looks to this member ---------------------------------------------


def set_gallery_density(member: Membership, density: str) -> Done:
    """Small, medium or large rows: the member's own, kept across visits and devices."""
    if density not in Density.values:
        return refused("Choose small, medium or large.", "invalid")
    Membership.objects.filter(pk=member.pk).update(gallery_density=density)
    member.gallery_density = density
    return Done(True, f"The gallery shows {Density(density).label.lower()} rows.")


# --- the team's prompt library ----------------------------------------------------------

PROMPT_NAME_LIMIT = 80


def save_prompt(member: Membership, kind: catalog.Kind, params: dict, name: str) -> Done:
    """A prompt with its kind and settings, kept for the team under `name`.
    `result`: the saved prompt."""
    if not member.can_generate:
        raise PermissionDenied("Viewers can browse and download, not keep prompts.")
    name = " ".join(name.split())
    if not name:
        return refused("Give the prompt a name to find it by.", "invalid")
    if len(name) > PROMPT_NAME_LIMIT:
        return refused(f"A name is at most {PROMPT_NAME_LIMIT} characters.", "invalid")
    if SavedPrompt.objects.for_team(member.team).filter(name__iexact=name).exists():
        return refused(f"The library already has a prompt named “{name}”: choose another "
                       "name.", "taken")
    saved = SavedPrompt.objects.create(team=member.team, author=member.user, name=name,
                                       kind=kind.endpoint_type, params=params)
    record(member, Action.PROMPT_SAVED,
           f"Saved the prompt “{name}” to the library", prompt=saved.pk)
    return Done(True, f"“{name}” is in the team's prompt library.", result=saved)


def use_prompt(member: Membership, saved: SavedPrompt) -> Done:
    """A saved prompt taken back into the composer: counted."""
    if not member.can_generate:
        raise PermissionDenied("Viewers can browse and download, not generate.")
    SavedPrompt.objects.filter(pk=saved.pk).update(uses=F("uses") + 1)
    return Done(True, f"“{saved.name}” is in the composer.", result=saved)
