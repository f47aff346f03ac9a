"""A token's member's notifications (studio.review.notifications): the bell's list,
and marking them read, the same action as the pages. A token reads and marks only
its own member's; reading them needs the `read` scope (marking one read is the
reader's own bookkeeping, not a change to the team's work)."""

from django.http import HttpRequest
from ninja import Field, Query, Schema

from studio.api.lists import PageQuery, page_of, paged
from studio.api.models import Scope
from studio.api.problems import Problem
from studio.api.schemas import Timestamp
from studio.api.service import ERRORS, ItemId, api, membership, need
from studio.review import notifications
from studio.review.models import Notification


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str = Field(description="The page of what it is about, on the studio.")
    actor: str | None
    created_at: Timestamp
    read_at: Timestamp | None


class NotificationFilters(PageQuery):
    unread: bool = False


class MarkedOut(Schema):
    marked: int


def notification_out(notification: Notification) -> dict:
    return {"id": notification.pk, "kind": notification.kind, "text": notification.text,
            "url": notification.url,
            "actor": notification.actor.username if notification.actor else None,
            "created_at": notification.created_at, "read_at": notification.read_at}


def mine(request: HttpRequest):
    need(request, Scope.READ)
    return Notification.objects.of(membership(request)).select_related("actor")


@api.get("/notifications", response={200: page_of(NotificationOut), **ERRORS},
         tags=["notifications"])
def list_notifications(request, filters: Query[NotificationFilters]):
    """The token's member's notifications, newest first; `unread=true` for the unread."""
    rows = mine(request)
    if filters.unread:
        rows = rows.unread()
    return paged(request, rows, filters, notification_out)


@api.post("/notifications/{int:pk}/read", response={200: NotificationOut, **ERRORS},
          tags=["notifications"])
def read_notification(request, pk: ItemId):
    notification = mine(request).filter(pk=pk).first()
    if notification is None:
        raise Problem(404, f"No notification #{pk} of yours.")
    notifications.mark_read(membership(request), notification)
    notification.refresh_from_db()
    return notification_out(notification)


@api.post("/notifications/read", response={200: MarkedOut, **ERRORS},
          tags=["notifications"])
def read_all_notifications(request):
    """Every unread notification of the token's member, read now."""
    need(request, Scope.READ)
    return {"marked": notifications.mark_read(membership(request)).result}
