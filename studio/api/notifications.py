"""A token's member's notifications (studio.review.notifications): the bell's list,
and marking them read, the same action as the pages. A token reads and marks only
its own member's; reading them needs the `read` scope (marking one read is the
reader's own bookkeeping, not a change to the team's work)."""

from datetime import datetime

from django.http import HttpRequest
from django.utils.http import urlencode
from ninja import Field, Query, Schema

from studio.api.models import Scope
from studio.api.problems import Problem
from studio.api.service import ERRORS, PAGE_SIZE, ItemId, api, membership, need
from studio.lib.converters import LARGEST_ID
from studio.review import notifications
from studio.review.models import Notification


class NotificationOut(Schema):
    id: int
    kind: str
    text: str
    url: str = Field(description="The page of what it is about, on the studio.")
    actor: str | None
    created_at: datetime
    read_at: datetime | None


class NotificationPage(Schema):
    items: list[NotificationOut]
    next: str | None = Field(description="The next page's URL; null on the last page.")


class NotificationFilters(Schema):
    unread: bool = False
    before: int | None = Field(None, ge=1, le=LARGEST_ID)
    limit: int = Field(PAGE_SIZE, ge=1, le=4 * PAGE_SIZE)


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


@api.get("/notifications", response={200: NotificationPage, **ERRORS},
         tags=["notifications"])
def list_notifications(request, filters: Query[NotificationFilters]):
    """The token's member's notifications, newest first; `unread=true` for the unread."""
    rows = mine(request).order_by("-id")
    if filters.unread:
        rows = rows.unread()
    if filters.before:
        rows = rows.filter(pk__lt=filters.before)
    page = list(rows[:filters.limit + 1])
    more = len(page) > filters.limit
    page = page[:filters.limit]
    return {"items": [notification_out(n) for n in page],
            "next": next_url(request, filters, page[-1].pk) if more else None}


def next_url(request: HttpRequest, filters: NotificationFilters, last: int) -> str:
    query = {"before": last, "limit": filters.limit}
    if filters.unread:
        query["unread"] = "true"
    return request.build_absolute_uri(f"{request.path}?{urlencode(query)}")


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
