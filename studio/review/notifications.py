"""`notify(member, kind, text, url, actor=None)`: tell one member something, under
their bell (live on their open pages) and, where they chose it, by e-mail.

The generations app says when a job or a set ends and when a set waits for
approval (its signals); the receivers here turn that into notifications without
generations knowing of review.
"""

import functools
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from studio.events.publishing import publish
from studio.events.shapers import Viewer, shaper
from studio.generations.models import PENDING_STATUSES, Generation, GenerationSet
from studio.generations.states import State
from studio.generations.templatetags.cards import CSRF_PLACEHOLDER
from studio.lib.outcome import Done
from studio.review.models import EmailChoice, Notification, NotificationKind
from studio.teams.models import Membership, Role

log = logging.getLogger(__name__)

EMAIL_TASK = "studio.review.notifications.send_email"
BELL_SIZE = 8  # the newest shown under the bell; the rest on /notifications/


def notify(member: Membership, kind: str, text: str, url: str, actor=None, *,
           key: str = "") -> Notification | None:
    """Store it for `member` (never for the one who did it) and ring their bell.
    `key`: said at most once per member (a second notify with it is dropped)."""
    if actor is not None and getattr(actor, "pk", actor) == member.user_id:
        return None
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                team_id=member.team_id, recipient=member, kind=NotificationKind(kind),
                text=text[:300], url=url, actor=actor if getattr(actor, "pk", None) else None,
                key=key)
    except IntegrityError:  # already said
        return None
    ring(member)
    if wants_email(member, kind):
        transaction.on_commit(lambda: async_task(EMAIL_TASK, notification.pk), robust=True)
    return notification


def ring(member: Membership) -> None:
    """Their open pages redraw the bell (the event is about their bell alone)."""
    publish(member.team_id, "notification", {"id": member.pk})


def wants_email(member: Membership, kind: str) -> bool:
    return EmailChoice.objects.for_team(member.team_id).filter(member=member, kind=kind).exists()


def send_email(notification_id: int) -> None:
    """The worker's task: one e-mail; a failing mail server is logged, never raised."""
    notification = Notification.objects.select_related("recipient__user").filter(
        pk=notification_id).first()
    address = notification and notification.recipient.user.email
    if not address:
        return
    link = settings.STUDIO_PUBLIC_URL.rstrip("/") + notification.url
    try:
        subject = " ".join(notification.text.split())[:150]  # one line: no header breaks
        send_mail(f"Studio: {subject}", f"{notification.text}\n\n{link}\n", None, [address])
    except Exception:
        log.exception("notification_email_failed", extra={"notification": notification_id})


def email_choices(member: Membership) -> list[str]:
    return list(EmailChoice.objects.for_team(member.team_id).filter(member=member)
                .values_list("kind", flat=True))


def choose_emails(member: Membership, address: str, kinds: list[str]) -> Done:
    """The action: `member` gets these kinds by e-mail too, at `address` (their
    account's). Their own choice: not in the team's audit trail."""
    with transaction.atomic():
        user = member.user
        if user.email != address:
            user.email = address
            user.save(update_fields=["email"])
        EmailChoice.objects.for_team(member.team_id).filter(member=member).delete()
        EmailChoice.objects.bulk_create(
            EmailChoice(team_id=member.team_id, member=member, kind=NotificationKind(kind))
            for kind in kinds)
    if not kinds:
        return Done(True, "No notifications go by e-mail.")
    return Done(True, f"Saved: {len(kinds)} kind{'s' if len(kinds) != 1 else ''} of "
                      f"notification also go to {address}.")


# --- the bell ---------------------------------------------------------------------


def bell_context(member: Membership) -> dict:
    mine = Notification.objects.of(member)
    return {"unread": mine.unread().count(), "recent": list(mine[:BELL_SIZE])}


def mark_read(member: Membership, notification: Notification | None = None) -> Done:
    """The action: one of `member`'s notifications read, or all of them; their bells
    redraw. Their own business: not in the team's audit trail."""
    rows = Notification.objects.of(member).unread()
    if notification is not None:
        rows = rows.filter(pk=notification.pk)
    changed = rows.update(read_at=timezone.now())
    if changed:
        ring(member)
    return Done(True, "Marked read." if notification else "All notifications marked read.",
                result=changed)


@shaper("notification")
def bell_for(event, viewer: Viewer, memo: dict) -> dict | None:
    """The bell, drawn for its owner alone; the form's CSRF token is filled in by
    the page (static/js/live.js)."""
    member = viewer.membership
    if member.pk != event.payload["id"]:
        return None
    html = render_to_string("review/_bell.html", {
        **bell_context(member), "csrf_token": CSRF_PLACEHOLDER})
    return {"html": html, "csrf": CSRF_PLACEHOLDER}


# --- what generations tell ----------------------------------------------------------


def quietly(receiver):
    """A receiver that never breaks the move it hears of: a notification is news."""
    @functools.wraps(receiver)
    def guarded(*args, **kwargs) -> None:
        try:
            receiver(*args, **kwargs)
        except Exception:
            log.exception("notification_not_made", extra={"receiver": receiver.__name__})
    return guarded



@quietly
def on_move(sender, generation_id: int, target: str, **moved) -> None:
    """The lifecycle's `moved` signal: a job of one's own ended (alone, or the last
    of its set; a set also ends when its last pending items are canceled)."""
    if target not in (State.SUCCEEDED, State.FAILED, State.CANCELED):
        return
    generation = Generation.objects.select_related("generation_set").filter(
        pk=generation_id).first()
    if generation is None or generation.author_id is None:
        return
    author = Membership.objects.for_team(generation.team_id).filter(
        user_id=generation.author_id).first()
    if author is None:
        return
    generation_set = generation.generation_set
    if generation_set is not None and generation_set.size > 1:
        set_ended(author, generation_set)
    elif target != State.CANCELED:  # a job one canceled oneself needs no word
        job_ended(author, generation, target)


def job_ended(author: Membership, generation: Generation, target: str) -> None:
    url = reverse("generation_detail", args=[generation.pk])
    if target == State.SUCCEEDED:
        notify(author, NotificationKind.FINISHED,
               f"{generation.get_kind_display()} #{generation.pk} finished.", url,
               key=f"finished:{generation.pk}")
    else:
        notify(author, NotificationKind.FAILED,
               f"{generation.get_kind_display()} #{generation.pk} failed: "
               f"{generation.error_message or generation.error_code}", url,
               key=f"failed:{generation.pk}")


def set_ended(author: Membership, generation_set: GenerationSet) -> None:
    items = Generation.objects.for_team(generation_set.team_id).filter(
        generation_set=generation_set)
    if items.filter(status__in=PENDING_STATUSES).exists():
        return
    done = items.filter(state=State.SUCCEEDED).count()
    failed = items.filter(state=State.FAILED).count()
    if not done and not failed:
        return  # all of it canceled: nothing came of it to tell
    canceled = items.filter(state=State.CANCELED).count()
    text = f"Set #{generation_set.pk} finished: " + ", ".join(
        f"{n} {word}" for n, word in ((done, "done"), (failed, "failed"),
                                      (canceled, "canceled")) if n) + "."
    notify(author, NotificationKind.SET_FINISHED, text,
           reverse("gallery") + f"?set={generation_set.pk}",
           key=f"set_finished:{generation_set.pk}")


@quietly
def on_held(sender, generation_set_id: int, **details) -> None:
    """A set waits for approval: every admin hears of it, but its author."""
    generation_set = GenerationSet.objects.select_related("author").filter(
        pk=generation_set_id).first()
    if generation_set is None:
        return
    admins = Membership.objects.for_team(generation_set.team_id).filter(
        role__in=(Role.ADMIN, Role.OWNER))
    who = generation_set.author.username if generation_set.author else "Someone"
    for admin in admins:
        notify(admin, NotificationKind.APPROVAL_WAITING,
               f"{who}'s set #{generation_set.pk} ({generation_set.cost:,} credits) "
               "waits for approval.", reverse("approvals"), actor=generation_set.author,
               key=f"approval:{generation_set.pk}")
