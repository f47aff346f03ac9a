"""The one submit path, for the forms and the REST API alike: expand a submission into
its generations, quote them as a whole, and reserve and queue them all or none.

The dispatcher sends each queued row when its rate-limit window has room and it is
its turn (dispatch.py).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.dispatch import Signal

from studio.credits import budget
from studio.generations import alternatives, dispatch, live
from studio.generations.models import Generation, GenerationSet, Lane
from studio.generations.states import State
from studio.multimodal import catalog
from studio.teams import audit
from studio.teams.models import AuditEvent, Membership, Team

# Sent once a submission is queued (membership, generations): apps above this one
# act on new work without this path knowing them (review puts it on the member's
# active board).
submitted = Signal()

# Sent after a set held for an admin's approval commits: (generation_set_id). The
# notifications (studio.review) listen.
held_for_approval = Signal()


@dataclass
class Order:
    """What a person (or a script) asked for, validated."""

    kind: catalog.Kind
    params: dict  # as the API takes them; free text may hold {a|b} alternatives
    count: int = 1
    lane: str = Lane.NORMAL
    source: Generation | None = None
    upload: UploadedFile | None = None
    upload_extension: str = ""
    extra: dict = field(default_factory=dict)  # more fields of each Generation row
    expanded: list[dict] | None = None  # each generation's parameters, given (a retry)


@dataclass
class Outcome:
    verdict: budget.Verdict
    generations: list[Generation]
    expected_finish: datetime | None = None  # when the last item should be answered
    # Above the team's approval limit but queued at once: its author may approve.
    approved_by_author: bool = False

    @property
    def queued(self) -> bool:
        return bool(self.generations)

    @property
    def held(self) -> bool:
        """Waiting for an admin's approval (team setting "approval above")."""
        return bool(self.generations) and self.generations[0].state == State.HELD


def quote(order: Order) -> list[dict]:
    """The parameters of each generation the order makes."""
    if order.expanded is not None:
        return order.expanded
    return alternatives.expand(order.kind, order.params, order.count).params


# The kind of a set whose orders are of several kinds (a storyboard's speeches,
# pictures, clips and film): it is retried by making its piece again, not as one kind.
MIXED = "mixed"

# Connects the rows of a submission of several orders before it commits (which row
# waits for which, a clip's source, a film's parts): each order's rows, in order.
Link = Callable[[list[list[Generation]]], None]


def submit(membership: Membership, author, order: Order,
           limit: Callable[[int], str] | None = None) -> Outcome:
    """Judge the whole quote and queue every generation, or refuse it all; one team
    at a time, so two submissions cannot both spend the last credits. `limit`: a
    further cap on the total (an API token's own), its refusal or ""."""
    return submit_all(membership, author, [order], limit)


def submit_all(membership: Membership, author, orders: list[Order],
               limit: Callable[[int], str] | None = None, *, link: Link | None = None,
               template: dict | None = None) -> Outcome:
    """`submit` for several orders, of any kinds, as one set: quoted, judged, held
    for approval and reserved as a whole. `link` connects their rows before anything
    commits; `template`: what the set keeps of what was asked (default: the first
    order's parameters)."""
    made = [quote(order) for order in orders]
    total = sum(order.kind.cost_for(params) for order, each in zip(orders, made)
                for params in each)
    with transaction.atomic():
        membership.team = Team.objects.select_for_update().get(pk=membership.team_id)
        verdict = budget.judge(membership, total)
        if verdict.allowed and limit is not None:
            verdict.refusal = limit(total)
            verdict.reason = "limit" if verdict.refusal else ""
        over_limit = above_approval_limit(membership.team, total)
        generations = queue(membership.team, author, orders, made, total,
                            held=over_limit and not membership.can_manage,
                            self_approved=over_limit and membership.can_manage,
                            link=link, template=template) \
            if verdict.allowed else []
    if generations:
        submitted.send(sender=Order, membership=membership, generations=generations)
    outcome = Outcome(verdict, generations,
                      approved_by_author=bool(generations) and over_limit
                      and membership.can_manage)
    if outcome.queued and not outcome.held:
        outcome.expected_finish = expected_finish(membership.team, generations)
    return outcome


def expected_finish(team: Team, generations: list[Generation]) -> datetime | None:
    """When the last of `generations` the dispatcher can plan now should be answered."""
    starts = {}
    for kind in dict.fromkeys(g.kind for g in generations if g.kind in catalog.KINDS):
        starts.update(dispatch.forecast(team.api_fingerprint, kind))
    return max((starts[g.pk] for g in generations if g.pk in starts), default=None)


def above_approval_limit(team: Team, total: int) -> bool:
    return team.approval_above is not None and total > team.approval_above


def queue(team: Team, author, orders: list[Order], made: list[list[dict]], total: int, *,
          held: bool = False, self_approved: bool = False, link: Link | None = None,
          template: dict | None = None) -> list[Generation]:
    kinds = {order.kind.endpoint_type for order in orders}
    first = orders[0]
    generation_set = GenerationSet.objects.create(
        team=team, author=author, kind=kinds.pop() if len(kinds) == 1 else MIXED,
        template=first.params if template is None else template,
        count=first.count if len(orders) == 1 else 1,
        size=sum(len(each) for each in made), cost=total)
    # A new row's first state; every later move is lifecycle.py's.
    state = State.HELD if held else State.QUEUED
    rows = [rows_of(team, author, order, each, generation_set, state)
            for order, each in zip(orders, made)]
    if link is not None:
        link(rows)
    generations = [generation for each in rows for generation in each]
    audit.record(team, author, AuditEvent.Action.GENERATED,
                 summary(orders, generations, total) + approval_note(held, self_approved),
                 generation=generations[0].pk, generations=[g.pk for g in generations],
                 kind=generation_set.kind)
    live.set_made(generation_set, generations)
    if held:
        transaction.on_commit(lambda: held_for_approval.send(
            GenerationSet, generation_set_id=generation_set.pk), robust=True)
    return generations


def rows_of(team: Team, author, order: Order, made: list[dict],
            generation_set: GenerationSet, state: State) -> list[Generation]:
    kind = order.kind
    upload_name = ""
    generations = []
    for params in made:
        generation = Generation(team=team, author=author, kind=kind.endpoint_type,
                                params=params, cost=kind.cost_for(params), lane=order.lane,
                                source=order.source, generation_set=generation_set, state=state,
                                **order.extra)
        if order.upload is not None:
            if not upload_name:  # one file, shared by the set's rows
                name = f"upload-{uuid.uuid4().hex}.{order.upload_extension}"
                generation.source_upload.save(name, order.upload, save=False)
                upload_name = generation.source_upload.name
            else:
                generation.source_upload.name = upload_name
        generation.save()
        generations.append(generation)
    return generations


def approval_note(held: bool, self_approved: bool) -> str:
    if held:
        return ", waiting for approval"
    return ", above the approval limit, approved by its author" if self_approved else ""


def summary(orders: list[Order], generations: list[Generation], total: int) -> str:
    kinds = {order.kind.label for order in orders}
    label = kinds.pop() if len(kinds) == 1 else "items"
    if len(generations) == 1:
        return f"Queued {label} #{generations[0].pk} ({total:,} credits)"
    return (f"Queued {len(generations)} {label} #{generations[0].pk}–"
            f"#{generations[-1].pk} ({total:,} credits)")
