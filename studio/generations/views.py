from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing as django_signing
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from studio.generations import (
    actions,
    composer,
    moments,
    reach,
    review,
    sets,
    signing,
    sources,
    submission,
)
from studio.generations import detail as detail_page
from studio.generations.forms import FORMS
from studio.generations.models import CONTENT_TYPES, UNKNOWN_TYPE, Generation, Lane
from studio.lib import media_storage, ranged
from studio.lib.outcome import on_page
from studio.multimodal import catalog
from studio.teams.models import Role
from studio.teams.scoping import current_membership, get_for_team_or_404, team_queryset


@login_required
@require_http_methods(["GET", "POST"])
@vary_on_headers("HX-Request")
def generate(request: HttpRequest, slug: str) -> HttpResponse:
    """A kind's form: its own page, or (htmx) a panel of the gallery's composer,
    which gets the new card for the grid instead of a redirect."""
    kind = catalog.KINDS_BY_SLUG.get(slug)
    if kind is None:
        raise Http404("No such kind of generation.")
    membership = current_membership(request)
    unavailable = composer.why_unavailable(kind, membership.team)
    in_composer = bool(request.htmx)
    form = FORMS[kind.endpoint_type](
        request.POST if request.method == "POST" else None, request.FILES or None,
        initial=request.GET.dict() or None, team=membership.team,
        may_rush=membership.can_manage,
        auto_id=composer.auto_id(kind) if in_composer else "id_%s")
    composer.mark_shortcut(form)
    if request.method == "POST":
        if not membership.can_generate:
            raise PermissionDenied("Viewers can browse and download, not generate.")
        if unavailable:
            raise PermissionDenied(unavailable)
        if form.is_valid():
            outcome = submit(request, kind, form)
            if outcome.queued:
                if in_composer:
                    return queued_answer(request, kind, form, outcome)
                if note := approval_words(outcome, membership.team):
                    messages.info(request, note)
                return redirect("gallery")
            form.add_error(None, outcome.verdict.refusal)
    panel = composer.panel(membership, kind, form, unavailable, in_composer=in_composer) \
        if membership.can_generate else None
    status = 400 if form.is_bound and form.errors else 200
    if in_composer:  # a panel shown for the first time, or sent back with its errors
        template = "_composer_answer.html" if form.is_bound else "_composer_panel.html"
        return render(request, f"generations/{template}", {"panel": panel}, status=status)
    return render(request, "generations/generate.html",
                  {"panel": panel, "kind": kind, "kinds": composer.tabs()},
                  status=status)


def queued_answer(request: HttpRequest, kind: catalog.Kind, form,
                  outcome: submission.Outcome) -> HttpResponse:
    """The composer's answer to queued work: its panel again, the words cleared and
    the settings kept for the next one, and the new cards for the top of the grid."""
    membership = current_membership(request)
    words = {field.name for field in form.words_fields}
    kept = {name: value for name, value in form.data.items() if name not in words}
    fresh = composer.new_form(kind, membership, kept, shortcut=True)
    made = outcome.generations
    cards = team_queryset(request, Generation.objects.for_cards(request.user)).filter(
        pk__in=[g.pk for g in made]).stacked().order_by("-id")
    return render(request, "generations/_composer_answer.html", {
        "panel": composer.panel(membership, kind, fresh, "", in_composer=True),
        "generations": list(cards), "made": made, "outcome": outcome,
        "approvers": sets.approvers(membership.team) if outcome.held else [],
        "self_approved": outcome.approved_by_author and self_approved_words(
            outcome, membership.team)})


def approval_words(outcome: submission.Outcome, team) -> str:
    if outcome.held:
        return held_words(outcome, team)
    return self_approved_words(outcome, team) if outcome.approved_by_author else ""


def self_approved_words(outcome: submission.Outcome, team) -> str:
    generation_set = outcome.generations[0].generation_set
    return (f"Set #{generation_set.pk} ({generation_set.cost:,} credits) is above the "
            f"team's approval limit of {team.approval_above:,} credits: approved by you, "
            "as an admin.")


def held_words(outcome: submission.Outcome, team) -> str:
    generation_set = outcome.generations[0].generation_set
    who = " or ".join(sets.approvers(team)) or "an admin"
    return (f"Set #{generation_set.pk} ({generation_set.cost:,} credits) waits for approval "
            f"by {who}; its credits are reserved meanwhile.")


def submit(request: HttpRequest, kind: catalog.Kind, form) -> submission.Outcome:
    """The form's order through the one submit path (submission.py)."""
    order = submission.Order(
        kind=kind, params=form.api_params(), count=form.count,
        lane=form.cleaned_data.get("lane") or Lane.NORMAL,
        source=form.cleaned_data.get("source"), upload=form.cleaned_data.get("image_file"),
        upload_extension=getattr(form, "upload_extension", "") or "")
    return submission.submit(current_membership(request, Role.MEMBER), request.user, order)


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    generation = get_for_team_or_404(request, Generation.objects.all(), pk=pk)
    done = actions.cancel(current_membership(request, Role.MEMBER), generation)
    (messages.success if done.ok else messages.error)(request, done.message)
    return redirect("gallery")


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    generations = team_queryset(request, Generation.objects.for_cards(request.user)
                                .prefetch_related("attempt_log"))
    generation = reach.within_reach_or_404(request, generations, pk)
    in_review = review.review_of(request, generation) if not generation.deleted_at else None
    return detail_page.page(request, generation, in_review)


@login_required
@require_GET
def media(request: HttpRequest, pk: int) -> HttpResponse:
    generation = reach.within_reach_or_404(request, Generation.objects.all(), pk)
    if not generation.media:
        raise Http404("This generation has no media yet.")
    unknown = generation.content_type == UNKNOWN_TYPE  # never shown inline: a download
    return serve_file(request, generation.media, generation.content_type,
                      generation.download_name,
                      as_attachment="download" in request.GET or unknown)


# What a generation's derived files are served as: content type, name suffix.
DERIVED_FILES = {"poster": ("image/jpeg", "-poster.jpg"),
                 "thumbnail": ("image/webp", "-thumb.webp")}


@login_required
@require_GET
def derived_file(request: HttpRequest, pk: int, which: str) -> HttpResponse:
    """A video's poster, or a card's thumbnail."""
    generation = reach.within_reach_or_404(request, Generation.objects.all(), pk)
    content_type, suffix = DERIVED_FILES[which]
    return serve_file(request, getattr(generation, which), content_type,
                      generation.file_stem + suffix)


def serve_file(request: HttpRequest, file, content_type: str, name: str,
               as_attachment: bool = False) -> HttpResponse:
    """Media on S3: a redirect to a short-lived presigned URL. On disk: streamed."""
    if not file:
        raise Http404("No such file.")
    direct = media_storage.redirect(file, content_type=content_type,
                                    download_name=name if as_attachment else None)
    return direct or ranged.serve(request, file.open("rb"), file.size, content_type, name,
                                  as_attachment=as_attachment)


@login_required
@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    generations = team_queryset(request, Generation.objects.for_cards(request.user))
    generation = reach.within_reach_or_404(request, generations, pk)
    # A card polling its status stops once there is nothing more to wait for.
    status = 286 if request.htmx and not generation.is_pending else 200
    return render(request, "generations/_one_card.html", {"generation": generation},
                  status=status)


@login_required
@require_GET
def viewer(request: HttpRequest, pk: int) -> HttpResponse:
    """The gallery viewer's content for one item: its media large, its words, the
    facts and the actions."""
    generations = team_queryset(request, Generation.objects.for_cards(request.user))
    generation = reach.within_reach_or_404(request, generations, pk)
    mine = generation.ratings.filter(user=request.user).values_list("stars", flat=True)
    timed = moments.is_timed(generation)
    notes = list(generation.comments.exclude(at=None).select_related("author")) if timed else []
    return render(request, "generations/_viewer.html", {
        "generation": generation, "facts": detail_page.facts(generation),
        "my_rating": mine.first(), "ratings": range(1, 6),
        "notes": notes, "review": {"timed": timed}})



@require_GET
def shared_image(request: HttpRequest, token: str) -> HttpResponse:
    """A team image for the API to fetch, by signed link alone: no login. Not once
    it is in the trash."""
    try:
        generation_id, which = signing.read_token(token)
    except django_signing.SignatureExpired:
        return HttpResponse("This image link has expired.", status=410,
                            content_type="text/plain")
    except django_signing.BadSignature:
        raise Http404("No such image.") from None
    generation = Generation.objects.filter(pk=generation_id, deleted_at=None).first()
    file = generation and (generation.media if which == signing.MEDIA
                           else generation.source_upload)
    if not file or (which == signing.MEDIA and not sources.may_be_fetched(generation)):
        raise Http404("No such image.")
    # Served as the image its name says only when the name is one the studio gives
    # the images it checked; anything else downloads, never rendered.
    content_type = CONTENT_TYPES.get(file.name.rsplit(".", 1)[-1].lower(), UNKNOWN_TYPE)
    if not content_type.startswith("image/"):
        content_type = UNKNOWN_TYPE
    return serve_file(request, file, content_type, file.name.rsplit("/", 1)[-1],
                      as_attachment=content_type == UNKNOWN_TYPE)


@login_required
@require_POST
def density(request: HttpRequest) -> HttpResponse:
    """The member's row size; script sends it in the background (204), a plain form
    is answered with the gallery."""
    done = actions.set_gallery_density(current_membership(request),
                                       request.POST.get("density", ""))
    if request.htmx and done.ok:
        return HttpResponse(status=204)
    return on_page(request, done)
