"""The team's prompt library: a member keeps a prompt with its kind and settings under
a name (from a kind's form), and anyone who generates takes it back into the composer,
found by typing; each counts how often it was used. The changes are `actions`'."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from studio.generations import actions
from studio.generations.forms import FORMS
from studio.generations.models import SavedPrompt
from studio.lib import redirects
from studio.lib.outcome import refused
from studio.multimodal import catalog
from studio.teams.models import Role
from studio.teams.scoping import current_membership, get_for_team_or_404

SHOWN = 60  # the library's most used, in the composer and on its page


def prompts_of(team) -> list[SavedPrompt]:
    return list(SavedPrompt.objects.for_team(team).select_related("author")[:SHOWN])


@login_required
@require_GET
def library(request: HttpRequest) -> HttpResponse:
    membership = current_membership(request)
    return render(request, "generations/library.html",
                  {"prompts": prompts_of(membership.team)})


@login_required
@require_POST
def save(request: HttpRequest, slug: str) -> HttpResponse:
    """The kind's form as sent, kept under `library_name`; its errors go back to the
    form's page with everything typed."""
    membership = current_membership(request, Role.MEMBER)
    kind = catalog.KINDS_BY_SLUG.get(slug)
    if kind is None:
        raise Http404("No such kind.")
    form = FORMS[kind.endpoint_type](request.POST, team=membership.team)
    if not form.is_valid():
        done = refused("Not saved: the form has something to fix first (Generate "
                               "shows what).", "invalid")
    else:
        done = actions.save_prompt(membership, kind, form.api_params(),
                                   request.POST.get("library_name", ""))
    if request.htmx:  # from the composer: it keeps everything typed
        response = render(request, "generations/_library_saved.html", {
            "ok": done.ok, "message": done.message, "prompts": prompts_of(membership.team)})
        response["HX-Reswap"] = "none"
        return response
    (messages.success if done.ok else messages.error)(request, done.message)
    if not done.ok:
        return redirect(reverse("generate", args=[slug]) + "?" + kept_fields(request))
    return redirects.back(request, "gallery")


def kept_fields(request: HttpRequest) -> str:
    return urlencode({k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"})


@login_required
@require_POST
def use(request: HttpRequest, pk: int) -> HttpResponse:
    """Counted, then the composer on its kind with the prompt and settings filled in."""
    membership = current_membership(request, Role.MEMBER)
    saved = get_for_team_or_404(request, SavedPrompt.objects.all(), pk=pk)
    actions.use_prompt(membership, saved)
    query = urlencode({"compose": saved.kind_spec.slug, **{
        name: value for name, value in saved.params.items() if value not in (None, "")}})
    return redirect(f"{reverse('gallery')}?{query}#composer")
