"""Every list the REST API answers has one shape, `{items, next}`: at most `limit`
items, and `next` the absolute URL of the page after (the same query with its
`cursor`), or null on the last page. A new list operation takes `Query[PageQuery]`
(or a subclass with its filters), declares `page_of(ItemOut)` as its answer and
returns `paged(...)` of a queryset, or `sliced(...)` of a short fixed list."""

import functools
from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from pydantic import create_model

from studio.lib.converters import LARGEST_ID

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


class PageQuery(Schema):
    cursor: int = Field(None, ge=1, le=LARGEST_ID,
                        description="Where the page starts: take it from `next`.")
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Items at most.")


@functools.cache  # one class per item: the document names each schema once
def page_of(item: type[Schema]) -> type[Schema]:
    name = item.__name__.removesuffix("Out") + "Page"
    return create_model(name, __base__=Schema, __doc__=f"A page of {name[:-4]} items.",
                        items=(list[item], ...),
                        next=(str | None, Field(description="The next page's URL; null "
                                                            "on the last page.")))


def next_url(request: HttpRequest, cursor: int) -> str:
    query = request.GET.copy()
    query["cursor"] = str(cursor)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def paged(request: HttpRequest, rows: QuerySet, page: PageQuery,
          show: Callable[[Any], dict], newest_first: bool = True) -> dict:
    """Keyset pages by id (newest first, or oldest first): the cursor is the id the
    next page starts after, so rows made meanwhile never shift a page."""
    if page.cursor:
        rows = rows.filter(pk__lt=page.cursor) if newest_first else \
            rows.filter(pk__gt=page.cursor)
    found = list(rows.order_by("-pk" if newest_first else "pk")[:page.limit + 1])
    more = len(found) > page.limit
    return {"items": [show(row) for row in found[:page.limit]],
            "next": next_url(request, found[page.limit - 1].pk) if more else None}


def sliced(request: HttpRequest, items: Sequence, page: PageQuery,
           show: Callable[[Any], dict]) -> dict:
    """Pages of a short list that has no ids: the cursor is a 1-based position."""
    start = (page.cursor or 1) - 1
    end = start + page.limit
    return {"items": [show(item) for item in items[start:end]],
            "next": next_url(request, end + 1) if end < len(items) else None}
