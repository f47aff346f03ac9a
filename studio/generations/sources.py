"""Kinds made from an item of the gallery (catalog.SourceRule): image to video takes
an image, a voice-over takes a video. This module is the one place that knows it:
the form fields, what the API is sent (a signed link to the source), and the links
on a card that open such a kind's form ("Animate", "Voice-over").

A new kind that takes a source is a catalog entry; nothing here names a kind.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from studio.generations import frames, shapes, signing
from studio.generations.models import Generation
from studio.lib.converters import parse_id
from studio.lib.images import check_image_url, check_upload
from studio.multimodal import catalog
from studio.teams.models import Role
from studio.teams.scoping import current_membership

# Stands in for the signed link while the form checks the other parameters.
SIGNED_LATER = "https://signed-link.invalid/"
UPLOAD_TYPES = "image/jpeg,image/png,image/webp"


class SourceGrid(forms.Widget):
    """The team's finished items as a small gallery of thumbnails, newest first: a
    radio group labelled by each item's words, each tile in the item's own shape.
    A page of PAGE is drawn (plus the chosen one when it is older); typing finds by
    the words and "Show older" pages on (`tiles`, through htmx). The field accepts
    any of the team's, e.g. from a card's "Animate" link."""

    template_name = "generations/_source_grid.html"
    drawable = False  # a page of the team's items: not in a form's drawing key
    use_fieldset = True  # a group: its <legend> names it, each tile's label a choice

    def __init__(self, queryset=None, noun: str = "image", slug: str = "", attrs=None):
        super().__init__(attrs)
        self.queryset, self.noun, self.slug = queryset, noun, slug

    def get_context(self, name: str, value, attrs) -> dict:
        context = super().get_context(name, value, attrs)
        context["widget"].update(page_of(self.queryset, name, str(value or ""), self.noun,
                                         self.slug))
        return context

    def id_for_label(self, id_: str) -> str:
        return ""

    def _render(self, template_name: str, context: dict, renderer=None) -> str:
        # The project's templates (and their builtins), not the form renderer's.
        return mark_safe(render_to_string(template_name, context))


PAGE = 24


def page_of(queryset, name: str, chosen: str, noun: str, slug: str, *, q: str = "",
            page: int = 0) -> dict:
    """What a page of tiles shows: items `page * PAGE` on of those matching `q` (the
    chosen one first on the first page when it is not among them), and where the
    next page is."""
    if queryset is None:
        return {"items": [], "first": True, "noun": noun}
    found = queryset
    for word in q.lower().split()[:8]:
        found = found.filter(search_text__contains=word)
    rows = list(found[page * PAGE:(page + 1) * PAGE + 1])
    items = rows[:PAGE]
    if page == 0 and chosen and chosen not in {str(g.pk) for g in items}:
        items = [*queryset.filter(pk=parse_id(chosen))[:1], *items]
    tiles_url = reverse("source_tiles", args=[slug]) if slug else ""
    more = len(rows) > PAGE and tiles_url
    return {"items": [Tile(g, str(g.pk) == chosen) for g in items], "chosen": chosen,
            "first": page == 0, "noun": noun, "q": q, "name": name, "tiles_url": tiles_url,
            "square": shapes.step_of(1.0) - shapes.LOWEST,
            "more_url": f"{tiles_url}?{urlencode({'source_q': q, 'page': page + 1})}"
            if more else ""}


@login_required
@require_GET
def tiles(request: HttpRequest, slug: str) -> HttpResponse:
    """A page of the picker's tiles: found by `source_q`, from `page` (htmx)."""
    membership = current_membership(request, Role.MEMBER)
    kind = catalog.KINDS_BY_SLUG.get(slug)
    if kind is None or kind.source is None or not kind.source.param:
        raise Http404("This kind takes no picture from the gallery.")
    queryset = Generation.objects.for_team(membership.team).finished(kind.source.media)
    page = max(0, min(parse_id(request.GET.get("page", "0")) or 0, 10_000))
    context = page_of(queryset, "source", request.GET.get("source", ""), kind.source.media,
                      slug, q=request.GET.get("source_q", "")[:200], page=page)
    return render(request, "generations/_source_tiles.html", {"widget": context})


@dataclass(frozen=True)
class Tile:
    """One choice of the grid."""

    generation: Generation
    checked: bool

    @property
    def pk(self) -> int:
        return self.generation.pk

    @property
    def label(self) -> str:
        return self.generation.summary[:120] or f"{self.generation.get_kind_display()} " \
            f"#{self.generation.pk}"

    @property
    def aspect(self) -> str:
        """The shape a creator names ("16:9"), else the pixels across and up."""
        width, height = self.generation.width, self.generation.height
        if not (width and height):
            return ""
        for name, across, up in frames.ASPECTS:
            if abs((width / height) / (across / up) - 1) < 0.02:
                return name
        return f"{width} × {height}"

    @property
    def thumbnail_url(self) -> str:
        which = "generation_thumbnail" if self.generation.thumbnail else "generation_media"
        return reverse(which, args=[self.generation.pk])


def add_fields(form: forms.Form, rule: catalog.SourceRule, team) -> None:
    """The source fields of a form whose kind takes `rule`'s source."""
    choices = Generation.objects.for_team(team).finished(rule.media)
    form.fields["source"] = forms.ModelChoiceField(
        queryset=choices, required=False, label="From the gallery",
        widget=SourceGrid(choices, rule.media, form.kind.slug),
        help_text=f"Any finished {rule.media} of your team.")
    if not rule.param:
        form.fields["source"].widget = forms.HiddenInput()
        return
    if rule.uploads:
        form.fields["image_file"] = forms.FileField(
            required=False, label=f"Or upload an {rule.media}",
            help_text="JPEG, PNG or WebP, up to "
                      f"{settings.STUDIO_MAX_UPLOAD_BYTES // 1_000_000} MB.",
            widget=forms.FileInput(attrs={"accept": UPLOAD_TYPES, "class": "drop-input"}))
    typed = form.fields[rule.param]
    typed.required, typed.label = False, f"Or a public {rule.media} URL"
    form.order_fields(["source", "image_file", rule.param])


def clean(form: forms.Form, rule: catalog.SourceRule, cleaned: dict) -> None:
    """Exactly one source where the API needs one: a gallery item, an upload or a URL."""
    if not rule.param:
        return
    given = [name for name in ("source", "image_file", rule.param) if cleaned.get(name)]
    if not given and not form.has_error("image_file") and not form.has_error(rule.param):
        form.add_error("source", f"Choose a gallery {rule.media}, upload one, or give "
                                 "its URL.")
    elif len(given) > 1:
        form.add_error(given[1], f"Give only one picture: a gallery {rule.media}, an "
                                 "upload or a URL.")
    elif given == [rule.param] and not form.has_error(rule.param):
        try:
            check_image_url(cleaned[rule.param])
        except ValidationError as exc:
            form.add_error(rule.param, exc)


def clean_upload(upload) -> str | None:
    """The upload's file extension, once it is checked to be a usable image."""
    return check_upload(upload) if upload else None


def checked_params(rule: catalog.SourceRule, cleaned: dict) -> dict:
    """The values to check against the API's rules, the source standing in for its link."""
    if rule.param and not cleaned.get(rule.param):
        return {**cleaned, rule.param: SIGNED_LATER}
    return cleaned


def signed_later(rule: catalog.SourceRule | None, cleaned: dict) -> set[str]:
    """Parameters left out of what is stored: the task signs a link to the source."""
    if rule and rule.param and not cleaned.get(rule.param):
        return {rule.param}
    return set()


def api_params(generation: Generation) -> dict:
    """The stored parameters; a source from the team gets a fresh signed link."""
    rule = generation.kind_spec.source
    if rule is None or not rule.param or generation.params.get(rule.param):
        return generation.params
    return {**generation.params, rule.param: signing.source_url_for(generation)}


def may_be_fetched(generation: Generation) -> bool:
    """Whether the API may be sent a link to this item: some kind takes its media as
    a parameter (a video is never handed out as an image to animate)."""
    made = generation.kind_spec.media
    return any(kind.source and kind.source.param and kind.source.media == made
               for kind in catalog.KINDS.values())


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    icon: str


def actions(generation: Generation) -> list[Action]:
    """The kinds that can be made from this finished item, as links to their forms."""
    made = generation.kind_spec.media
    found = [action_for(kind, from_query(kind, generation))
             for kind in catalog.ALL_KINDS.values()
             if kind.source and kind.source.media == made]
    if generation.kind == catalog.TTS and generation.source_id:  # a voice-over: mix it in
        found.append(action_for(catalog.get(catalog.MIX), {
            "video": generation.source_id, "speech": generation.pk}))
    return found


def action_for(kind: catalog.Kind, query: dict) -> Action:
    """The link that opens `kind`'s form from a card, named and drawn as its rule says."""
    return Action(kind.source.action, form_url(kind, query), kind.source.icon or kind.icon)


def from_query(kind: catalog.Kind, generation: Generation) -> dict:
    query = {"source": generation.pk}
    if kind.source.suggest and generation.summary:
        query["suggest"] = generation.summary
    return query


MIX_REMIX = ("video", "speech", "offset", "fit", "volume")


def remix_query(generation: Generation) -> dict:
    """The generation's parameters (and source) that pre-fill its kind's form again."""
    if generation.kind == catalog.SEQUENCE:  # the clips, in their order, as trimmed
        return sequence_query(generation.params)
    if generation.kind == catalog.MIX:  # the form's own fields, not what the worker noted
        return {name: generation.params[name] for name in MIX_REMIX if name in generation.params}
    params = dict(generation.params)
    rule = generation.kind_spec.source
    if generation.source_id:
        params["source"] = generation.source_id
        if rule and rule.param:
            params.pop(rule.param, None)  # the link was signed for this one call
    return params


def sequence_query(params: dict) -> dict:
    """The join editor's query: the clips, and each one's trim and crossfade when set."""
    query = {"ids": params.get("parts", [])}
    trims, fades = params.get("trims") or [], params.get("crossfades") or []
    if any(start or end is not None for start, end in trims):
        query["trim_in"] = [f"{start:g}" if start else "" for start, _ in trims]
        query["trim_out"] = ["" if end is None else f"{end:g}" for _, end in trims]
    if any(fades[1:]):
        query["crossfade"] = [f"{fade:g}" if fade else "" for fade in fades]
    return query


def form_url(kind: catalog.Kind, query: dict) -> str:
    return reverse("generate", args=[kind.slug]) + "?" + urlencode(query)
