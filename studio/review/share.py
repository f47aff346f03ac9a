"""Outside share links: one item, or one board's items, shown at `/s/<token>/` to
someone with no account.

A link lives 1-90 days, may ask for a passphrase (stored hashed by Django's password
hashers; wrong tries are slowed the way logins are, studio.teams.login), lets the
original be downloaded or not, and takes notes or not. Any member may revoke one;
an expired or revoked link, or one whose item went to the trash, shows only that it
ended. A board link shows the board's items as they are when it is opened: an item
taken off the board is no longer reachable through it. Every change here is an
action: permission, the move, the audit line, Done.
"""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F

from studio.generations import actions, live, moments
from studio.generations.models import Comment, Generation, Status
from studio.lib import clock
from studio.lib.outcome import Done, refused
from studio.review.models import Board, ShareLink
from studio.teams import audit, crypto, login
from studio.teams.models import AuditEvent, Membership

Action = AuditEvent.Action
SHORTEST_DAYS, LONGEST_DAYS = 1, 90
TOKEN_BYTES = 24  # 32 URL-safe characters
NAME_LIMIT = 80
LINK_TRIES = login.Rule(attempts=20, first_pause=30, longest_pause=30, memory=15 * 60)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_of(link: ShareLink) -> str:
    return crypto.decrypt(link.token_sealed)


def path_of(link: ShareLink) -> str:
    return f"/s/{token_of(link)}/"


def found(token: str) -> ShareLink | None:
    """The link a token opens, by its digest (an index lookup that reveals nothing
    of other tokens), or None."""
    if not token or len(token) > 100:
        return None
    return (ShareLink.objects.select_related("generation", "board", "team")
            .filter(token_digest=digest(token)).first())


def has_ended(link: ShareLink) -> bool:
    if link.board_id:
        return not link.is_live
    return not link.is_live or link.generation.deleted_at is not None


def board_items(link: ShareLink):
    """What a board link shows now: the board's shareable items, in the board's order."""
    return (Generation.objects.for_team(link.team_id).in_gallery()
            .filter(board_items__board=link.board_id, status=Status.SUCCEEDED)
            .exclude(media="").order_by("board_items__position", "board_items__id"))


def board_item(link: ShareLink, pk: int) -> Generation | None:
    """The item `pk` when it is on the link's board now, else None."""
    return board_items(link).filter(pk=pk).first()


def target_of(link: ShareLink) -> dict[str, int]:
    """What a link shares, for its audit lines."""
    return {"board": link.board_id} if link.board_id else {"generation": link.generation_id}


def shared_name(link: ShareLink) -> str:
    return f"the board “{link.board.name}”" if link.board_id else \
        actions.name_of(link.generation)


def may_be_shared(generation: Generation) -> bool:
    return (generation.status == Status.SUCCEEDED and bool(generation.media)
            and generation.deleted_at is None)


# --- actions ----------------------------------------------------------------------------


def share(member: Membership, generation: Generation, *, days: int, passphrase: str = "",
          allow_download: bool = False, allow_notes: bool = True) -> Done:
    """`result`: (the link, its token), the token's only plain appearance."""
    check_may_share(member)
    if not may_be_shared(generation):
        return refused("Only a finished item that is not in the trash can be shared.",
                       "not_shareable")
    return new_link(member, days, passphrase, allow_download, allow_notes,
                    generation=generation)


def share_board(member: Membership, board: Board, *, days: int, passphrase: str = "",
                allow_download: bool = False, allow_notes: bool = True) -> Done:
    """A link to the board's items as they are whenever it is opened. `result`: (the
    link, its token)."""
    check_may_share(member)
    return new_link(member, days, passphrase, allow_download, allow_notes, board=board)


def check_may_share(member: Membership) -> None:
    if not member.can_generate:
        raise PermissionDenied("Members and admins share outside links; viewers cannot.")


def new_link(member: Membership, days: int, passphrase: str, allow_download: bool,
             allow_notes: bool, **shared) -> Done:
    """The link to `shared` (its generation or its board), its audit line and Done."""
    if days not in range(SHORTEST_DAYS, LONGEST_DAYS + 1):
        return refused(f"A link lives {SHORTEST_DAYS} to {LONGEST_DAYS} days.", "invalid")
    token = secrets.token_urlsafe(TOKEN_BYTES)
    link = ShareLink.objects.create(
        team=member.team, token_digest=digest(token),
        token_sealed=crypto.encrypt(token), expires_at=clock.now() + timedelta(days=days),
        passphrase_hash=make_password(passphrase) if passphrase else "",
        allow_download=allow_download, allow_notes=allow_notes, created_by=member.user,
        **shared)
    name, lifetime = shared_name(link), f"{days} day{'s' if days != 1 else ''}"
    audit.record(member.team, member.user, Action.LINK_SHARED,
                 f"Shared {name} through an outside link for {lifetime}",
                 **target_of(link), link=link.pk, passphrase=link.has_passphrase,
                 download=allow_download, notes=allow_notes)
    return Done(True, f"An outside link to {name} is ready; it ends in {lifetime}.",
                result=(link, token))


def revoke(member: Membership, link: ShareLink) -> Done:
    """Any member may end a link (viewers too: stopping a leak should be easy)."""
    if link.is_revoked:
        return refused("It was already revoked.", "already_revoked")
    link.revoked_at, link.revoked_by = clock.now(), member.user
    link.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(member.team, member.user, Action.LINK_REVOKED,
                 f"Revoked an outside link to {shared_name(link)}",
                 **target_of(link), link=link.pk)
    return Done(True, "The link is revoked: it shows only that it ended.")


def opened(link: ShareLink) -> None:
    ShareLink.objects.filter(pk=link.pk).update(views=F("views") + 1,
                                                last_opened_at=clock.now())


def leave_note(link: ShareLink, name: str, text: str, moment: moments.Moment,
               generation: Generation | None = None) -> Done:
    """A note from outside, under the name they give, on the link's item (or on
    `generation`, one of its board's items now). `result`: the comment."""
    generation = generation or link.generation
    if not link.allow_notes or has_ended(link) or not reaches(link, generation):
        raise PermissionDenied("This link does not take notes.")
    name, text = name.strip(), text.strip()
    problem = name_problem(name) or moments.first_problem(generation, text, moment)
    if problem:
        return refused(problem, "invalid")
    note = Comment.objects.create(generation=generation, author=None, text=text,
                                  outside_name=name, **moment.fields)
    audit.record(link.team, None, Action.OUTSIDE_NOTE,
                 f"{name} (from outside) left a note on {actions.name_of(generation)}",
                 generation=generation.pk, link=link.pk, comment=note.pk)
    live.card_changed(generation)
    moments.note_made.send(sender=Comment, comment=note)
    return Done(True, "Thank you: your note was sent to the team.", result=note)


def reaches(link: ShareLink, generation: Generation | None) -> bool:
    if generation is None:
        return False
    if link.board_id:
        return board_item(link, generation.pk) is not None
    return generation.pk == link.generation_id


def name_problem(name: str) -> str:
    if not name:
        return "Say who you are, so the team knows whose note it is."
    if len(name) > NAME_LIMIT:
        return f"A name is at most {NAME_LIMIT} characters."
    return ""


# --- the passphrase -------------------------------------------------------------------


class PassphraseTry:
    """One try of a link's passphrase from a client address, slowed like a login:
    per (link, address) after STUDIO_LOGIN_ATTEMPTS failures, and per link from
    everywhere after LINK_TRIES.attempts."""

    def __init__(self, link: ShareLink, address: str):
        self.link = link
        self.now = clock.now().timestamp()
        self.pair = login.Failures.load(login.failures_key("share", str(link.pk), address),
                                        login.pair_rule(), self.now)
        self.whole = login.Failures.load(login.failures_key("share", str(link.pk)),
                                         LINK_TRIES, self.now)

    def check(self, passphrase: str) -> None:
        """Returns when it is right; ValidationError (wrong, or wait) otherwise."""
        wait = max(self.pair.paused_until(), self.whole.paused_until()) - self.now
        if wait > 0:
            raise ValidationError(f"Too many wrong tries. Try again in "
                                  f"{login.in_words(wait)}.", code="throttled")
        self.pair.add(self.now)
        self.whole.add(self.now)
        if not check_password(passphrase, self.link.passphrase_hash):
            raise ValidationError("That is not the passphrase.", code="wrong")
        self.pair.forget()
        self.whole.take_back()
