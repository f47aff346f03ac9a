"""The doors of outside links: members share and revoke from the item's page or the
board's page; an outsider opens `/s/<token>/`, gives the passphrase when one is set,
plays the item (or each of the board's items) through the link's own media
addresses, downloads when allowed and leaves notes.

The outsider's pages carry no team chrome, say `noindex` (meta and X-Robots-Tag),
are never cached and send no referrer to other sites (the token is in the address).
An item link reaches only its own item's files: no id appears in any address it
serves. A board link names its items by id (`/s/<token>/items/<id>/media`), each
checked against what is on the board at that moment.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from studio.generations import detail, moments, review
from studio.generations.models import UNKNOWN_TYPE, Generation
from studio.generations.views import DERIVED_FILES, serve_file
from studio.lib.client_address import client_address
from studio.lib.converters import parse_id
from studio.review import share
from studio.review.board_views import board_or_404, board_page
from studio.review.models import ShareLink
from studio.teams.scoping import current_membership, get_for_team_or_404

UNLOCKED = "share_unlocked"  # session key: the links whose passphrase was given


class ShareForm(forms.Form):
    expires_days = forms.IntegerField(
        label="Ends after (days)", initial=14, min_value=share.SHORTEST_DAYS,
        max_value=share.LONGEST_DAYS,
        error_messages={"required": "Say how many days, 1 to 90.",
                        "min_value": "At least 1 day.", "max_value": "At most 90 days.",
                        "invalid": "A whole number of days, 1 to 90."})
    passphrase = forms.CharField(
        label="Passphrase (optional)", required=False, max_length=200, strip=False,
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}),
        help_text="Send it apart from the link.")
    allow_download = forms.BooleanField(label="Allow downloading the original",
                                        required=False)
    # Notes are taken unless turned off: a form sent without this field (a script
    # using the stable hook: expires_days, passphrase, allow_download) takes notes.
    no_notes = forms.BooleanField(label="Take no notes from them", required=False)


class PassphraseForm(forms.Form):
    passphrase = forms.CharField(label="Passphrase", strip=False, widget=forms.PasswordInput,
                                 error_messages={"required": "Enter the passphrase."})


class OutsideNoteForm(forms.Form):
    name = forms.CharField(label="Your name", max_length=share.NAME_LIMIT,
                           error_messages={"required": "Say who you are, so the team "
                                                       "knows whose note it is."})
    text = forms.CharField(label="Your note", max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
                           error_messages={"required": "Write something first."})
    at = forms.FloatField(label="At (seconds, optional)", required=False, min_value=0,
                          widget=forms.NumberInput(attrs={"step": "0.1", "min": 0}),
                          error_messages={"invalid": "A time in seconds, like 1.5."})
    point_x = forms.FloatField(required=False, widget=forms.HiddenInput)
    point_y = forms.FloatField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, generation: Generation, **kwargs):
        super().__init__(*args, **kwargs)
        self.generation = generation

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            for field, problem in moments.problems(self.generation, self.moment()).items():
                shown = field != "point" and moments.is_timed(self.generation)
                self.add_error("at" if shown else None, problem)
        return cleaned

    def moment(self) -> moments.Moment:
        data = self.cleaned_data
        x, y = data.get("point_x"), data.get("point_y")
        return moments.Moment(at=data.get("at"),
                              point=(x, y) if x is not None and y is not None else None)


# --- members ---------------------------------------------------------------------------


def shared_item(request: HttpRequest, pk: int) -> Generation:
    return get_for_team_or_404(request, Generation.objects.in_gallery(), pk=pk)


@login_required
@require_POST
def create(request: HttpRequest, pk: int) -> HttpResponse:
    generation = shared_item(request, pk)
    member = current_membership(request)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return item_page(request, generation, form)
    done = share.share(member, generation, days=form.cleaned_data["expires_days"],
                       passphrase=form.cleaned_data["passphrase"],
                       allow_download=form.cleaned_data["allow_download"],
                       allow_notes=not form.cleaned_data["no_notes"])
    if not done.ok:
        form.add_error(None, done.message)
        return item_page(request, generation, form)
    messages.success(request, done.message)
    return redirect(f"/generations/{generation.pk}/#sharing")


def item_page(request: HttpRequest, generation: Generation, form: ShareForm) -> HttpResponse:
    """The item's page again, the share form with its errors and what was typed."""
    shown = Generation.objects.for_cards(request.user).get(pk=generation.pk)
    return detail.page(request, shown, review.review_of(request, shown), status=400,
                       share_form=form)


@login_required
@require_POST
def create_for_board(request: HttpRequest, pk: int) -> HttpResponse:
    board = board_or_404(request, pk)
    form = ShareForm(request.POST)
    if not form.is_valid():
        return board_page(request, board, status=400, share_form=form)
    done = share.share_board(current_membership(request), board,
                             days=form.cleaned_data["expires_days"],
                             passphrase=form.cleaned_data["passphrase"],
                             allow_download=form.cleaned_data["allow_download"],
                             allow_notes=not form.cleaned_data["no_notes"])
    if not done.ok:
        form.add_error(None, done.message)
        return board_page(request, board, status=400, share_form=form)
    messages.success(request, done.message)
    return redirect(f"/boards/{board.pk}/#sharing")


@login_required
@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    member = current_membership(request)
    link = get_for_team_or_404(
        request, ShareLink.objects.select_related("generation", "board"), pk=pk)
    done = share.revoke(member, link)
    (messages.success if done.ok else messages.error)(request, done.message)
    if link.board_id:
        return redirect(f"/boards/{link.board_id}/#sharing")
    return redirect(f"/generations/{link.generation_id}/#sharing")


# --- the outsider ------------------------------------------------------------------------


def outside(response: HttpResponse) -> HttpResponse:
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def open_link(token: str) -> ShareLink:
    link = share.found(token)
    if link is None:
        raise Http404("No such link.")
    return link


def ended(request: HttpRequest) -> HttpResponse:
    return outside(render(request, "review/shared_ended.html", status=410))


def unlocked(request: HttpRequest, link: ShareLink) -> bool:
    return not link.has_passphrase or link.pk in request.session.get(UNLOCKED, [])


@never_cache
@require_http_methods(["GET", "POST"])
def shared(request: HttpRequest, token: str) -> HttpResponse:
    link = open_link(token)
    if share.has_ended(link):
        return ended(request)
    if request.method == "POST" or not unlocked(request, link):
        return passphrase(request, link, token)
    share.opened(link)
    if link.board_id:
        return board_shared_page(request, link, token)
    return shared_page(request, link, token, OutsideNoteForm(generation=link.generation))


def passphrase(request: HttpRequest, link: ShareLink, token: str) -> HttpResponse:
    form = PassphraseForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            share.PassphraseTry(link, client_address(request)).check(
                form.cleaned_data["passphrase"])
        except ValidationError as wrong:
            form.add_error("passphrase", wrong)
        else:
            request.session[UNLOCKED] = [*request.session.get(UNLOCKED, []), link.pk]
            request.session.cycle_key()
            return outside(redirect(f"/s/{token}/"))
    status = 400 if form.is_bound else 200
    return outside(render(request, "review/shared_passphrase.html",
                          {"form": form, "token": token}, status=status))


def shared_page(request: HttpRequest, link: ShareLink, token: str, form: OutsideNoteForm,
                status: int = 200) -> HttpResponse:
    generation = link.generation
    return outside(render(request, "review/shared.html", {
        "link": link, "token": token, "item": generation, "form": form,
        "timed": moments.is_timed(generation), "picture": moments.is_picture(generation),
        "media": generation.kind_spec.media}, status=status))


def board_shared_page(request: HttpRequest, link: ShareLink, token: str,
                      failed: OutsideNoteForm | None = None) -> HttpResponse:
    """The board's items now, in its order, each with its own note form (`failed`,
    the one sent with errors, shown again with what was typed)."""
    items = [{"item": item, "media": item.kind_spec.media,
              "timed": moments.is_timed(item), "picture": moments.is_picture(item),
              "form": failed if failed and failed.generation.pk == item.pk
              else note_form(item)} for item in share.board_items(link)]
    return outside(render(request, "review/shared_board.html", {
        "link": link, "token": token, "board": link.board, "items": items},
        status=400 if failed else 200))


def note_form(generation: Generation, data=None) -> OutsideNoteForm:
    """Ids of their own per item: a board's page has one form per item."""
    return OutsideNoteForm(data, generation=generation, auto_id=f"id_{generation.pk}_%s")


def reached(link: ShareLink, pk: int | None) -> Generation:
    """The item an outside address names: an item link's own (no id in the address),
    or an item on the link's board at this moment (by id); 404 for anything else."""
    if link.board_id is None and pk is None:
        return link.generation
    found = share.board_item(link, pk) if link.board_id and pk is not None else None
    if found is None:
        raise Http404("No such item through this link.")
    return found


@require_POST
def note(request: HttpRequest, token: str, pk: int | None = None) -> HttpResponse:
    """On a board link the item is in the address, or (the stable hook's
    `/s/<token>/notes/`) in the field `generation`."""
    link = open_link(token)
    if share.has_ended(link):
        return ended(request)
    if not unlocked(request, link):
        return outside(redirect(f"/s/{token}/"))
    if link.board_id and pk is None:
        pk = parse_id(request.POST.get("generation", "")) or 0
    generation = reached(link, pk)
    if not link.allow_notes:
        raise PermissionDenied("This link does not take notes.")
    form = note_form(generation, request.POST) if link.board_id else \
        OutsideNoteForm(request.POST, generation=generation)
    if form.is_valid():
        done = share.leave_note(link, form.cleaned_data["name"], form.cleaned_data["text"],
                                form.moment(), generation)
        if done.ok:
            messages.success(request, done.message)
            anchor = f"item-{pk}" if pk else "note"
            return outside(redirect(f"/s/{token}/#{anchor}"))
        form.add_error(None, done.message)
    if link.board_id:
        return board_shared_page(request, link, token, failed=form)
    return shared_page(request, link, token, form, status=400)


@require_GET
def media(request: HttpRequest, token: str, which: str = "media",
          pk: int | None = None) -> HttpResponse:
    """The shared item's own file (with ranges), poster or thumbnail; the original as
    a download only when the link allows it. A board link's items by their id, only
    while they are on the board."""
    link = open_link(token)
    if share.has_ended(link):
        return ended(request)
    if not unlocked(request, link):
        raise PermissionDenied("Give the passphrase first.")
    generation = reached(link, pk)
    if which != "media":
        content_type, suffix = DERIVED_FILES[which]
        return outside(serve_file(request, getattr(generation, which), content_type,
                                  generation.file_stem + suffix))
    download = "download" in request.GET
    if download and not link.allow_download:
        raise PermissionDenied("This link does not allow downloading.")
    unknown = generation.content_type == UNKNOWN_TYPE
    return outside(serve_file(request, generation.media, generation.content_type,
                              generation.download_name, as_attachment=download or unknown))
