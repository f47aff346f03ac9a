"""The composer at the top of the gallery: a tab per kind, the prompt first.

Each tab's panel is the kind's own form (generations/_kind_form.html, the same the
per-kind page shows) posting to `/generate/<slug>/` through htmx; the view answers
with the panel again and the new card for the grid (views.queued_answer).

The gallery draws only the panel that shows (the tab the URL names, else the one
last used, which the page's script keeps in a cookie): the others are fetched from
`/generate/<slug>/` when their tab is first pointed at or chosen, so the gallery
does not pay for five forms, their budget checks and the source grid on each load.
"""

from dataclasses import dataclass, field
from functools import cached_property

from django.forms import Form
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from studio.credits import budget
from studio.generations import frames
from studio.generations.forms import FORMS
from studio.multimodal import catalog
from studio.teams.models import Membership

COOKIE = "compose"  # the tab last used; set by static/js/composer.js


def tabs() -> list[tuple[catalog.Kind, str]]:
    """Each kind with its icon, in the catalog's order."""
    return [(kind, kind.icon) for kind in catalog.KINDS.values()]


def why_unavailable(kind: catalog.Kind, team) -> str:
    """Why the team cannot use `kind`, said instead of its form; "" when it can."""
    if kind.premium_only and not team.is_premium:
        return (f"{kind.label} is available to premium API plans only, and "
                f"{team.name} is on the standard plan. An admin can change the tier in "
                "Team settings once the API token is a premium one.")
    return ""


def auto_id(kind: catalog.Kind) -> str:
    """Ids of a panel's fields: five forms share the gallery page."""
    return f"compose-{kind.slug}-%s"


def costs(kind: catalog.Kind) -> list[int]:
    """Every cost one call of `kind` can have (I2V's depends on its provider)."""
    return sorted({p.cost for p in kind.providers} or {kind.cost})


@dataclass
class Panel:
    """One kind's form with what is said about its cost: the verdict of each cost
    its choices can have, so the page shows the right one as they change."""

    kind: catalog.Kind
    form: Form | None  # None: unavailable, or (in the composer) fetched when shown
    unavailable: str = ""
    verdicts: list[budget.Verdict] = field(default_factory=list)
    in_composer: bool = False
    balance: int | None = None  # the team's, as last read from the API

    @property
    def icon(self) -> str:
        return self.kind.icon

    @cached_property
    def cost(self) -> int:
        return self.form.cost_preview if self.form is not None else self.kind.cost

    @cached_property
    def verdict(self) -> budget.Verdict | None:
        """The verdict of the form's current cost."""
        return next((v for v in self.verdicts if v.cost == self.cost), None)

    @cached_property
    def balance_before(self) -> int | None:
        """The team's balance less its reserved work: what the page subtracts the
        cost from to show the balance after."""
        verdict = self.verdict or (self.verdicts[0] if self.verdicts else None)
        if verdict is None or verdict.balance_after is None:
            return None
        return verdict.balance_after + verdict.cost

    @property
    def reserved(self) -> int | None:
        """Credits held for the team's queued and running work."""
        before = self.balance_before
        return None if before is None or self.balance is None else self.balance - before

    @property
    def settings_open(self) -> bool:
        """Settings unfold on the kind's own page, and where one of them is wrong."""
        return not self.in_composer or any(f.errors for f in self.form.setting_fields)

    @property
    def digest(self) -> str:
        """The settings in a few words, for the folded "Settings" line: a picture's
        shape and size, or its pixels when they are Custom."""
        said = unsaid_frame_fields(self.form)
        return " · ".join(filter(None, (setting_words(field) for field in
                                        self.form.setting_fields if field.name not in said)))

    @property
    def errors(self) -> list[str]:
        """The form's errors that belong to no field, less a refusal the verdict
        beside the button already says."""
        if self.form is None:
            return []
        said = {v.refusal for v in self.verdicts}
        return [e for e in self.form.non_field_errors() if e not in said]


def unsaid_frame_fields(form: Form) -> set[str]:
    if "aspect" not in form.fields:
        return set()
    custom = form["aspect"].value() in (None, "", frames.CUSTOM)
    return {"aspect", "size"} if custom else {"width", "height"}


def setting_words(bound) -> str:
    """"Calm Woman", "Width 640": a setting's value as the digest says it."""
    value = bound.value()
    attrs = bound.field.widget.attrs
    if value in (None, "") or str(value) == attrs.get("data-digest-skip"):
        return ""
    if "data-digest-prefix" in attrs:
        return f"{attrs['data-digest-prefix']}{value}"
    choices = getattr(bound.field, "choices", None)
    if choices is not None:
        return next((str(label) for key, label in choices if str(key) == str(value)), "")
    return f"{bound.label} {value}"


def panel(membership: Membership, kind: catalog.Kind, form: Form | None, unavailable: str,
          *, in_composer: bool) -> Panel:
    """`kind`'s panel, with the budget's verdict on each cost it can have."""
    verdicts = [] if unavailable else [budget.judge(membership, cost) for cost in costs(kind)]
    return Panel(kind, None if unavailable else form, unavailable, verdicts, in_composer,
                 membership.team.credits_remaining)


def new_form(kind: catalog.Kind, membership: Membership, initial: dict | None = None,
             *, shortcut: bool = False):
    """A composer panel's empty form; `shortcut`: its prompt is where "n" goes."""
    form = FORMS[kind.endpoint_type](initial=initial or None, team=membership.team,
                                     may_rush=membership.can_manage, auto_id=auto_id(kind))
    if shortcut:
        mark_shortcut(form)
    return form


def mark_shortcut(form: Form) -> None:
    """The "n" key (static/js/ui.js) focuses the form's prompt or text."""
    for words in form.words_fields[:1]:
        words.field.widget.attrs["data-shortcut-new"] = ""


@dataclass
class Composer:
    panels: list[Panel]
    chosen: str  # the slug whose panel shows
    by_url: bool  # chosen by ?compose= (the page's script remembers it as the last used)
    library: list  # the team's saved prompts, most used first (library.py)


def context(request: HttpRequest) -> dict:
    """What the gallery page needs to draw the composer: nothing for a viewer. Built
    only when the template draws it (not for the gallery's htmx fragments)."""
    membership = getattr(request, "membership", None)
    if membership is None or not membership.can_generate:
        return {}
    return {"composer": SimpleLazyObject(lambda: composer(request, membership))}


def composer(request: HttpRequest, membership: Membership) -> Composer:
    """A tab per kind and the panel of the chosen one. `?compose=<slug>` picks the
    tab and pre-fills its form from the query, as a per-kind page does
    (`?compose=i2v&source=12`: that image chosen); else the tab last used."""
    by_url = catalog.KINDS_BY_SLUG.get(request.GET.get("compose", ""))
    chosen = by_url or catalog.KINDS_BY_SLUG.get(request.COOKIES.get(COOKIE, "")) \
        or next(iter(catalog.KINDS.values()))
    panels = []
    for kind in catalog.KINDS.values():
        unavailable = why_unavailable(kind, membership.team)
        if kind != chosen or unavailable:
            panels.append(Panel(kind, None, unavailable, in_composer=True))
            continue
        form = new_form(kind, membership, request.GET.dict() if by_url else None,
                        shortcut=True)
        panels.append(panel(membership, kind, form, unavailable, in_composer=True))
    from studio.generations.library import prompts_of

    return Composer(panels, chosen.slug, by_url is not None, prompts_of(membership.team))
