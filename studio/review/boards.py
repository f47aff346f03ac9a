"""Boards: what a person or a token does to them, each one action (check, move, audit
line, event) returning a Done, and the active board new work lands on.

Finding the board and the items in the team (404 otherwise) is the door's.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max

from studio.events.publishing import publish
from studio.generations.models import Generation
from studio.lib.outcome import Done, refused
from studio.review.models import ActiveBoard, Board, BoardItem
from studio.teams import audit
from studio.teams.models import AuditEvent, Membership

Action = AuditEvent.Action
NAME_LIMIT = 100
DESCRIPTION_LIMIT = 2000
MAX_ADDED = 200


def check_may_arrange(member: Membership) -> None:
    if not member.can_generate:
        raise PermissionDenied("Viewers can look at boards; members make and arrange them.")


def record(member: Membership, action: str, summary: str, **details) -> None:
    audit.record(member.team, member.user, action, summary, **details)


def changed(board: Board) -> None:
    """Open pages of the board and the boards list redraw what they show of it."""
    publish(board.team_id, "board", {"id": board.pk})


def problems_with(name: str, description: str) -> dict[str, str]:
    """What is wrong with a board's name and description, by field."""
    problems = {}
    if not name:
        problems["name"] = "Give the board a name."
    elif len(name) > NAME_LIMIT:
        problems["name"] = f"A name is at most {NAME_LIMIT} characters."
    if len(description) > DESCRIPTION_LIMIT:
        problems["description"] = f"A description is at most {DESCRIPTION_LIMIT:,} characters."
    return problems


def invalid(problems: dict[str, str]) -> Done:
    return Done(False, " ".join(problems.values()), "invalid", result=problems)


def create(member: Membership, name: str, description: str = "") -> Done:
    """`result`: the board, or on refusal the problems by field."""
    check_may_arrange(member)
    name, description = " ".join(name.split()), description.strip()
    if problems := problems_with(name, description):
        return invalid(problems)
    board = Board.objects.create(team=member.team, name=name, description=description,
                                 made_by=member.user)
    record(member, Action.BOARD_CREATED, f"Made the board “{name}”", board=board.pk)
    changed(board)
    return Done(True, f"The board “{name}” is ready.", result=board)


def edit(member: Membership, board: Board, name: str, description: str,
         cover: Generation | None) -> Done:
    """Name, description and cover (one of its items, or none)."""
    check_may_arrange(member)
    name, description = " ".join(name.split()), description.strip()
    problems = problems_with(name, description)
    if cover is not None and not board.items.filter(generation=cover).exists():
        problems["cover"] = "The cover must be one of the board's items."
    if problems:
        return invalid(problems)
    board.name, board.description, board.cover = name, description, cover
    board.save(update_fields=["name", "description", "cover"])
    record(member, Action.BOARD_CHANGED, f"Changed the board “{name}”", board=board.pk)
    changed(board)
    return Done(True, f"The board “{name}” is saved.", result=board)


def delete(member: Membership, board: Board) -> Done:
    """The board goes; its items stay in the gallery."""
    check_may_arrange(member)
    name, pk = board.name, board.pk
    board.delete()
    record(member, Action.BOARD_DELETED, f"Deleted the board “{name}”", board=pk)
    publish(member.team_id, "board", {"id": pk})
    return Done(True, f"The board “{name}” is deleted; its items are still in the gallery.")


def add(member: Membership, board: Board, generations: list[Generation]) -> Done:
    """Items onto the board, after those on it (ones already on it stay where they
    are). `result`: the ids newly added. The items must be the team's (the door
    found them through the team)."""
    check_may_arrange(member)
    if not generations:
        return refused("Choose something to add first.", "invalid")
    if len(generations) > MAX_ADDED:
        return refused(f"Add at most {MAX_ADDED} at a time.", "invalid")
    added = put_on(board, generations, member.user)
    if not added:
        return Done(True, f"Already on “{board.name}”.", result=[])
    record(member, Action.BOARD_ITEMS_ADDED,
           f"Added {items_named(added)} to the board “{board.name}”",
           board=board.pk, generations=added)
    changed(board)
    return Done(True, f"Added {items_named(added)} to “{board.name}”.", result=added)


def items_named(ids: list[int]) -> str:
    return f"#{ids[0]}" if len(ids) == 1 else f"{len(ids)} items"


def put_on(board: Board, generations: list[Generation], user) -> list[int]:
    with transaction.atomic():
        there = set(board.items.values_list("generation_id", flat=True))
        last = board.items.aggregate(last=Max("position"))["last"] or 0
        new = [g for g in dict.fromkeys(generations) if g.pk not in there]
        # Two adds at once: the item is on the board once.
        BoardItem.objects.bulk_create(
            [BoardItem(board=board, generation=g, position=last + n, added_by=user)
             for n, g in enumerate(new, start=1)], ignore_conflicts=True)
    return [g.pk for g in new]


def remove(member: Membership, board: Board, generation: Generation) -> Done:
    check_may_arrange(member)
    if not board.items.filter(generation=generation).delete()[0]:
        return refused(f"#{generation.pk} is not on “{board.name}”.", "not_on_board")
    if board.cover_id == generation.pk:
        Board.objects.filter(pk=board.pk).update(cover=None)
    record(member, Action.BOARD_ITEM_REMOVED,
           f"Removed #{generation.pk} from the board “{board.name}”",
           board=board.pk, generation=generation.pk)
    changed(board)
    return Done(True, f"#{generation.pk} is off “{board.name}” (still in the gallery).")


def reorder(member: Membership, board: Board, ids: list[int]) -> Done:
    """The order by hand: `ids` first, in this order; the board's others after them,
    as they were. Not in the audit trail: arranging is not a change of content."""
    check_may_arrange(member)
    items = {item.generation_id: item for item in board.items.order_by("position", "id")}
    wanted = [pk for pk in dict.fromkeys(ids) if pk in items]
    if not wanted:
        return refused("None of those items is on this board.", "invalid")
    order = wanted + [pk for pk in items if pk not in wanted]
    for position, pk in enumerate(order, start=1):
        items[pk].position = position
    BoardItem.objects.bulk_update(items.values(), ["position"])
    changed(board)
    return Done(True, "The board's order is saved.", result=order)


def move(member: Membership, board: Board, generation: Generation, step: int) -> Done:
    """One place earlier (-1) or later (1): the keyboard's way to order by hand."""
    order = list(board.items.order_by("position", "id").values_list("generation_id",
                                                                    flat=True))
    if generation.pk not in order:
        return refused(f"#{generation.pk} is not on “{board.name}”.", "not_on_board")
    here = order.index(generation.pk)
    there = max(0, min(len(order) - 1, here + step))
    order.insert(there, order.pop(here))
    done = reorder(member, board, order)
    return Done(done.ok, f"#{generation.pk} moved to place {there + 1} of {len(order)}.",
                result=done.result) if done.ok else done


# --- the active board -----------------------------------------------------------


def activate(member: Membership, board: Board) -> Done:
    """From now on, every generation this member submits also lands on `board`."""
    check_may_arrange(member)
    ActiveBoard.objects.update_or_create(membership=member, defaults={"board": board})
    return Done(True, f"New generations go into “{board.name}”.", result=board)


def deactivate(member: Membership) -> Done:
    ActiveBoard.objects.filter(membership=member).delete()
    return Done(True, "New generations go only to the gallery.")


def active_board(member: Membership | None) -> Board | None:
    if member is None or member.pk is None:
        return None
    found = ActiveBoard.objects.for_team(member.team).filter(membership=member) \
        .select_related("board").first()
    return found.board if found else None


def on_submitted(sender, membership: Membership, generations: list[Generation],
                 **_) -> None:
    """The one submit path's `submitted` signal: new work onto the active board."""
    board = active_board(membership)
    if board is not None:
        put_on(board, generations, generations[0].author)
        changed(board)
