"""The detail page of one generation, built in one place: for the detail view, and
for a review form that comes back with its errors."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from studio.generations.models import Generation


def page(request: HttpRequest, generation: Generation, review, *,
         status: int = 200) -> HttpResponse:
    """`generation` from `Generation.objects.for_cards`; `review` the block under it
    (None for a trashed one, which is shown for restoring, not reviewed)."""
    return render(request, "generations/detail.html", {
        "generation": generation, "params": labelled_params(generation),
        "chain": ancestors(generation), "review": review}, status=status)


def labelled_params(generation: Generation) -> list[tuple[str, object]]:
    """(label, value) of each parameter it was made with, in the order given."""
    known = {param.name: param.label for param in generation.kind_spec.params}
    return [(known.get(name, name), value) for name, value in generation.params.items()]


def ancestors(generation: Generation, limit: int = 5) -> list[Generation]:
    """What it was made from, oldest first: image -> video -> voice-over."""
    chain = []
    step = generation.source
    while step is not None and len(chain) < limit:
        chain.append(step)
        step = step.source
    return chain[::-1]
