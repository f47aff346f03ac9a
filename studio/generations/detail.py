"""The detail page of one generation, built in one place: for the detail view, and
for a review form that comes back with its errors.

It leads with the media; the facts a person cares about each appear once, in words
(a size, a length, a voice); the calls to the API and their ids fold away under
"Technical details"."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from studio.generations.models import Generation
from studio.multimodal import catalog

# Parameters shown apart (the words, the source) or merged into one fact (size, length,
# frames, voice), so that no fact appears twice.
SHOWN_APART = {*catalog.WORDS,
               *(kind.source.param for kind in catalog.ALL_KINDS.values()
                 if kind.source and kind.source.param),
               "voice", "width", "height", "duration", "num_frames",
               # a local kind's parts ("Made from") and what the worker noted
               "video", "speech", "parts", "speech_ms", "starts", "cues", "trims",
               "crossfades"}


def page(request: HttpRequest, generation: Generation, review, *,
         status: int = 200, **more) -> HttpResponse:
    """`generation` from `Generation.objects.for_cards`; `review` the block under it
    (None for a trashed one, which is shown for restoring, not reviewed); `more`:
    what a later layer's block on the page needs (a share form with its errors)."""
    return render(request, "generations/detail.html", {
        "generation": generation, "facts": facts(generation),
        "cost": cost_in_words(generation), "source_url": source_url(generation),
        "chain": ancestors(generation), "review": review, **more}, status=status)


def facts(generation: Generation) -> list[tuple[str, str]]:
    """(label, value) of how it was made, each fact once, in words (the kind and the
    words typed are shown apart)."""
    params = generation.params
    rows = []
    if params.get("voice"):
        rows.append(("Voice", voice_name(params["voice"])))
    for label, value in (("Size", size(generation)), ("Duration", length(generation)),
                         ("Frames", frames(generation))):
        if value:
            rows.append((label, value))
    if timing := cuts_in_words(params):
        rows.append(("Cuts", timing))
    known = {param.name: param.label for param in generation.kind_spec.params} | LOCAL_LABELS
    rows += [(known.get(name, name.replace("_", " ").capitalize()), in_words(value))
             for name, value in params.items()
             if name not in SHOWN_APART and value not in (None, "")]
    return rows


LOCAL_LABELS = {"offset": "Voice starts after (s)", "fit": "When lengths differ",
                "volume": "Voice volume", "subtitles": "Subtitle track"}


def cuts_in_words(params: dict) -> str:
    """A sequence's trims and crossfades, clip by clip: "#4 whole · crossfade 1 s ·
    #7 0.5-3 s", with an en dash; empty when every clip plays whole after a cut."""
    ids, trims, fades = (params.get(name) or [] for name in ("parts", "trims", "crossfades"))
    if not any(start or end is not None for start, end in trims) and not any(fades[1:]):
        return ""
    words = []
    for n, pk in enumerate(ids):
        start, end = trims[n] if n < len(trims) else (0, None)
        if n:
            fade = fades[n] if n < len(fades) else 0
            words.append(f"crossfade {fade:g} s" if fade else "cut")
        whole = not start and end is None
        words.append(f"#{pk} " + ("whole" if whole else
                                  f"{start or 0:g}–{'end' if end is None else f'{end:g} s'}"))
    return " · ".join(words)


def voice_name(voice: str) -> str:
    """Deep_Voice_Man -> Deep Voice Man."""
    return voice.replace("_", " ")


def size(generation: Generation) -> str:
    """Width by height in pixels, as made, else as asked for."""
    width = generation.width or generation.params.get("width")
    height = generation.height or generation.params.get("height")
    return f"{width} × {height}" if width and height else ""


def length(generation: Generation) -> str:
    """The clip's length as players show it (0:06), else the length asked for."""
    if generation.duration_ms:
        return clock_time(generation.duration_ms // 1000)
    asked = generation.params.get("duration")
    return clock_time(asked) if isinstance(asked, int) and asked > 0 else ""


def clock_time(seconds: int) -> str:
    return f"{seconds // 60}:{seconds % 60:02d}"


def frames(generation: Generation) -> str:
    if generation.frame_count and generation.fps:
        return f"{generation.frame_count:,} at {generation.fps:g} fps"
    asked = generation.params.get("num_frames")
    return f"{asked:,}" if asked else ""


def in_words(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def cost_in_words(generation: Generation) -> str:
    """What it cost: charged (and the quote when the charge differs), held while it
    is pending, or nothing."""
    if generation.kind_spec.local:
        return "Free: made by the studio from gallery items, no API call"
    quoted = f"{generation.cost:,} credits"
    if generation.credits_used is not None:
        charged = f"{generation.credits_used:,} credits"
        return charged if generation.credits_used == generation.cost \
            else f"{charged} (quoted {quoted})"
    if generation.is_pending:
        return f"{quoted}, held until it finishes"
    return f"Nothing charged (quoted {quoted})"


def source_url(generation: Generation) -> str:
    """The public address a source was fetched from, when one was typed (a source
    from the gallery or an upload is shown as such, and its signed link never is)."""
    rule = generation.kind_spec.source
    if rule is None or not rule.param or generation.source_id or generation.source_upload:
        return ""
    return generation.params.get(rule.param, "")


def ancestors(generation: Generation, limit: int = 5) -> list[Generation]:
    """What it was made from, oldest first: image -> video -> voice-over."""
    chain = []
    step = generation.source
    while step is not None and len(chain) < limit:
        chain.append(step)
        step = step.source
    return chain[::-1]
