"""The boards' pages: the list (with its create form), a board's page (a gallery of
its items with the gallery's filters and cards, ordered by hand or by date), and the
forms that change a board. Each change is one action of studio.review.boards."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from studio.generations.filtering import GalleryFilter, filter_names
from studio.generations.models import Generation
from studio.lib.converters import parse_id
from studio.lib.outcome import on_page, on_page_or_text
from studio.review import boards
from studio.review.models import Board
from studio.teams.scoping import current_membership, get_for_team_or_404, team_queryset

ORDERS = {"hand": ("board_items__position", "board_items__id"), "date": ("-created_at", "-id")}


def board_or_404(request: HttpRequest, pk: int) -> Board:
    return get_for_team_or_404(request, Board.objects.select_related("cover"), pk=pk)


def item_or_404(request: HttpRequest, value: str) -> Generation:
    """The team's generation (not in the trash) named by a form's id, or 404."""
    pk = parse_id(value or "")
    if pk is None:
        raise Http404("No such item in this team.")
    return get_for_team_or_404(request, Generation.objects.in_gallery(), pk=pk)


def items_or_404(request: HttpRequest, values: list[str]) -> list[Generation]:
    """All these ids, the team's items, or 404: another team's id reads as unknown."""
    ids = list(dict.fromkeys(parse_id(value) for value in values))
    if None in ids:
        raise Http404("No such item in this team.")
    found = {g.pk: g for g in team_queryset(request, Generation.objects.in_gallery())
             .filter(pk__in=ids)}
    if len(found) != len(ids):
        raise Http404("No such item in this team.")
    return [found[pk] for pk in ids]


def listed(request: HttpRequest) -> QuerySet:
    return team_queryset(request, Board.objects.select_related("cover", "made_by")) \
        .annotate(size=Count("items"))


@login_required
@require_http_methods(["GET", "POST"])
def board_list(request: HttpRequest) -> HttpResponse:
    member = current_membership(request)
    typed, problems = {"name": "", "description": ""}, {}
    if request.method == "POST":
        typed = {name: request.POST.get(name, "") for name in typed}
        done = boards.create(member, typed["name"], typed["description"])
        if done.ok:
            return redirect("board", pk=done.result.pk)
        problems = done.result
    return render(request, "review/boards.html", {
        "boards": listed(request), "typed": typed, "problems": problems},
        status=400 if problems else 200)


@login_required
def board(request: HttpRequest, pk: int) -> HttpResponse:
    return board_page(request, board_or_404(request, pk))


def board_page(request: HttpRequest, found: Board, status: int = 200,
               **extra) -> HttpResponse:
    """The board's page; `extra` for a form shown again with its errors."""
    member = current_membership(request)
    data = {k: v for k, v in request.GET.items()
            if k in filter_names() - {"board", "set"}}
    form = GalleryFilter(data or None, team=member.team)
    form.fields.pop("board", None)
    order = request.GET.get("order") if request.GET.get("order") in ORDERS else "hand"
    rows = team_queryset(request, Generation.objects.in_gallery().for_cards(request.user)) \
        .filter(board_items__board=found)
    if form.is_bound:
        rows = form.apply(rows, request.user)
    return render(request, "review/board.html", {
        "board": found, "form": form, "generations": list(rows.order_by(*ORDERS[order])),
        "order": order, "filtered": form.active, "typed": None, "problems": {},
        "sortable": member.can_generate and order == "hand" and not form.active, **extra},
        status=status)


@login_required
@require_POST
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = board_or_404(request, pk)
    member = current_membership(request)
    typed = {name: request.POST.get(name, "") for name in ("name", "description", "cover")}
    cover = item_or_404(request, typed["cover"]) if typed["cover"] else None
    done = boards.edit(member, found, typed["name"], typed["description"], cover)
    if done.ok:
        return on_page(request, done, reverse("board", args=[pk]))
    found.refresh_from_db()
    rows = team_queryset(request, Generation.objects.in_gallery().for_cards(request.user)) \
        .filter(board_items__board=found).order_by(*ORDERS["hand"])
    return render(request, "review/board.html", {
        "board": found, "form": GalleryFilter(None, team=member.team),
        "generations": list(rows), "order": "hand", "typed": typed,
        "problems": done.result, "editing": True}, status=400)


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    done = boards.delete(current_membership(request), board_or_404(request, pk))
    return on_page(request, done, reverse("boards"))


@login_required
@require_POST
def add(request: HttpRequest, pk: int) -> HttpResponse:
    """`generation` (an id), or several `ids`; back to `next`, else the board."""
    found = board_or_404(request, pk)
    values = request.POST.getlist("ids") or [request.POST.get("generation", "")]
    done = boards.add(current_membership(request), found, items_or_404(request, values))
    return on_page_or_text(request, done, reverse("board", args=[pk]))


@login_required
@require_POST
def add_selection(request: HttpRequest) -> HttpResponse:
    """The gallery's selection bar: its ticked `ids` onto the chosen `board`."""
    found = board_or_404(request, parse_id(request.POST.get("board", "")) or 0)
    done = boards.add(current_membership(request), found,
                      items_or_404(request, request.POST.getlist("ids")))
    return on_page_or_text(request, done, reverse("board", args=[found.pk]))



@login_required
@require_POST
def remove(request: HttpRequest, pk: int) -> HttpResponse:
    found = board_or_404(request, pk)
    done = boards.remove(current_membership(request), found,
                         item_or_404(request, request.POST.get("generation", "")))
    return on_page(request, done, reverse("board", args=[pk]))


@login_required
@require_POST
def reorder(request: HttpRequest, pk: int) -> HttpResponse:
    """The order a drag left: every `ids` of the board, first to last."""
    found = board_or_404(request, pk)
    ids = [parse_id(value) for value in request.POST.getlist("ids")]
    done = boards.reorder(current_membership(request), found,
                          [pk for pk in ids if pk is not None])
    return on_page_or_text(request, done, reverse("board", args=[pk]))


@login_required
@require_POST
def move(request: HttpRequest, pk: int) -> HttpResponse:
    """One place earlier or later: the buttons beside each item."""
    found = board_or_404(request, pk)
    step = -1 if request.POST.get("step") == "earlier" else 1
    done = boards.move(current_membership(request), found,
                       item_or_404(request, request.POST.get("generation", "")), step)
    return on_page(request, done, reverse("board", args=[pk]))


@login_required
@require_POST
def activate(request: HttpRequest, pk: int) -> HttpResponse:
    done = boards.activate(current_membership(request), board_or_404(request, pk))
    return on_page(request, done, reverse("board", args=[pk]))


@login_required
@require_POST
def deactivate(request: HttpRequest) -> HttpResponse:
    return on_page(request, boards.deactivate(current_membership(request)),
                   reverse("boards"))
