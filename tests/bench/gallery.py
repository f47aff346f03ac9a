"""Gallery and poll cost with a team of 10 members and 10,000 generations.

Fills a fresh SQLite file with one team's history (mixed kinds and statuses, ten
pending among the newest cards, stars, ratings and comments, 120 days of it), with
real thumbnails made by the product's own code (`images.thumbnail`) from real
sandbox renders (`sandbox.media.render_image`): 60 distinct ones, stored once and
shared by the rows. Then, in process with Django's test Client (so "server time" is
the view, middleware and templates, no network), 20 requests of each:

  page        `/`, the gallery's first page
  search      `/?q=<word>&kind=image&member=<name>`, a filtered search
  search q    `/?q=<word>`, a search alone (it reads every row of the team)
  deep page   `/?before=<id>`, the keyset page half way down the history
  poll 204    the first page's poll URL (10 pending ids), nothing changed
  poll 200    the same poll after 3 of the 10 finished and one card was added

with median and p95 server time and the SQL queries of one request; and the bytes
of the thumbnails a browser downloads for the first page: the 48 cards as rendered,
their `srcset`/`poster` thumbnail URLs fetched through the thumbnail view.

Run it with `python -m tests.bench gallery`. The world is built in a child process
(settings read the environment once, and `make bench` runs every bench in one
process) inside a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import html
import io
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

GENERATIONS = 10_000
MEMBERS = ("olivia", "tom", "amara", "kenji", "lucia", "noah", "priya", "sven", "zoe",
           "malik")
PENDING = 10  # among the first page's cards, so its poll follows ten ids
PENDING_BACK = (0, 1, 2, 4, 7, 9, 13, 18, 25, 33)  # places from the newest
REPEATS = 20
DISTINCT_THUMBNAILS = 60  # 48 image renders, 12 video poster renders
HISTORY_DAYS = 120
GOALS = {"page_ms": 50.0, "poll_ms": 5.0, "thumb_bytes": 1.5e6}

KIND_WEIGHTS = {"tts": 35, "image": 40, "video_i2v": 12, "video_t2v": 5,
                "video_cogvideox": 8}
FINISHED_WEIGHTS = {"succeeded": 90, "failed": 7, "canceled": 3}
SUBJECTS = ("lighthouse", "fox", "whale", "astronaut", "cathedral", "robot", "forest",
            "harbour", "dragon", "violin", "glacier", "market", "owl", "train",
            "desert", "lantern", "tiger", "bridge", "garden", "submarine", "castle",
            "orchid", "windmill", "samurai", "jellyfish", "volcano", "bicycle",
            "monastery", "falcon", "carnival", "canyon", "teapot", "reef", "skyline",
            "meadow", "typewriter", "comet", "ferry", "koi", "aurora")
MOODS = ("at dusk", "in heavy rain", "under a full moon", "at golden hour",
         "in morning fog", "in neon light", "after a storm", "in deep winter",
         "on a summer afternoon", "seen from above")
STYLES = ("oil painting", "watercolour", "35mm film photo", "isometric render",
          "ink sketch", "studio portrait", "cinematic still", "paper cut-out",
          "pixel art", "charcoal drawing")
LINES = ("Welcome back to the studio podcast, where we talk about the {s}.",
         "Chapter three: the {s} waited {m}, and nobody came.",
         "Our new {s} collection arrives next week; pre-orders open today.",
         "Take a deep breath and picture a {s} {m}.",
         "Attention passengers: the {s} tour departs from platform four.",
         "In this lesson we will sketch a {s}, step by step.")
VOICES = ("Wise_Woman", "Calm_Woman", "Deep_Voice_Man", "Friendly_Person",
          "Inspirational_girl", "Lively_Girl")
FAILURES = (("insufficient_credits", "The API refused it: not enough credits left "
             "(needs 50, 12 remaining). Top up or ask an admin."),
            ("content_policy", "The API refused the prompt: it may break the content "
             "policy. Reword it and try again."),
            ("timeout", "The API did not answer within 180 s, four times. Try again "
             "later."))
SEARCH_WORD = "lighthouse"


# --- the child: build the world, measure ----------------------------------------------


def measure() -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # As production serves it (hashed names from the manifest), collected into the
    # bench's own folder rather than the checkout's staticfiles/.
    settings.STATIC_ROOT = Path(os.environ["BENCH_STATIC_ROOT"])
    call_command("collectstatic", verbosity=0, interactive=False)
    call_command("migrate", verbosity=0, interactive=False)
    began = time.monotonic()
    world = build_world()
    built = time.monotonic() - began
    results, thumbs = run_requests(world)
    report(world, results, thumbs, built)


class World:
    def __init__(self, team, users, pending_ids, thumbs, photo_sizes, originals):
        self.team, self.users, self.pending_ids = team, users, pending_ids
        self.thumbs = thumbs  # [(name, bytes, kind, width, height)] the rows point at
        # Bytes of each thumbnail and of its original, had they photographs' detail.
        self.photo_sizes = photo_sizes
        self.originals = originals  # thumbnail name -> the render it was made from


def build_world() -> World:
    from django.contrib.auth import get_user_model

    from studio.teams.models import Membership, Role, Team

    rng = random.Random(20240611)
    team = Team.objects.create(name="Bench Team")
    users = [get_user_model().objects.create(username=name) for name in MEMBERS]
    roles = [Role.OWNER, Role.ADMIN, *[Role.MEMBER] * 7, Role.VIEWER]
    for user, role in zip(users, roles):
        user.set_unusable_password()
        user.save()
        Membership.objects.create(team=team, user=user, role=role)
    thumbs, photo_sizes, originals = make_thumbnails(team, rng)
    pending_ids = fill_generations(team, users, thumbs, originals, rng)
    add_reviews(team, users, rng)
    return World(team, users, pending_ids, thumbs, photo_sizes, originals)


def make_thumbnails(team, rng: random.Random, count: int = DISTINCT_THUMBNAILS,
                    photo_like: bool = True):
    """Real renders, thumbnailed by the product's code, each stored once: four
    fifths images, one fifth video posters (1280x720)."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from studio.generations.models import Generation
    from studio.lib import images
    from studio.sandbox.media import render_image

    folder = f"teams/{team.pk}/generations"
    thumbs, photo_sizes, originals = [], [], {}
    for n in range(count):
        video = n >= count * 4 // 5
        width, height = (1280, 720) if video else rng.choice(
            [(1024, 1024)] * 3 + [(1024, 768), (768, 1024), (1536, 1024)])
        prompt = f"{rng.choice(SUBJECTS)} {rng.choice(MOODS)}, {rng.choice(STYLES)}"
        png, _ = render_image(prompt, width, height)
        small = images.thumbnail(io.BytesIO(png), Generation.THUMB_WIDTH)
        name = default_storage.save(f"{folder}/bench-{n}-thumb.webp", ContentFile(small))
        original = default_storage.save(f"{folder}/bench-{n}.png", ContentFile(png))
        thumbs.append((name, len(small), "video" if video else "image", width, height))
        originals[name] = (original, len(png))
        if photo_like:
            photo = with_photo_detail(png, n)
            small = images.thumbnail(io.BytesIO(photo), Generation.THUMB_WIDTH)
            photo_sizes.append((len(small), len(photo)))
    return thumbs, photo_sizes, originals


def with_photo_detail(png: bytes, seed: int) -> bytes:
    """The render with a 1/f-like texture over it: sandbox renders are smooth
    gradients that compress far better than the API's photographic images."""
    from PIL import Image, ImageChops

    random.seed(seed)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    texture = Image.new("L", image.size, 128)
    for octave in range(1, 8):
        side = 2 ** octave
        noise = Image.effect_noise((side, side), 128).resize(image.size,
                                                             Image.Resampling.BICUBIC)
        texture = Image.blend(texture, noise, 0.5 / (1 + octave * 0.15))
    out = io.BytesIO()
    ImageChops.overlay(image, texture.convert("RGB")).save(out, "PNG", compress_level=1)
    return out.getvalue()


@contextmanager
def stamps_as_given():
    """Let bulk_create keep the created_at/updated_at the history needs."""
    from studio.generations.models import Generation

    created = Generation._meta.get_field("created_at")
    updated = Generation._meta.get_field("updated_at")
    created.auto_now_add = updated.auto_now = False
    try:
        yield
    finally:
        created.auto_now_add = updated.auto_now = True


def fill_generations(team, users, thumbs, originals, rng: random.Random, *,
                     count: int = GENERATIONS, pending_back=PENDING_BACK) -> list[int]:
    """`count` rows, oldest first, none in the last 30 seconds; the rows that many
    places back from the newest still pending. Returns the pending ids."""
    from django.utils import timezone

    from studio.generations.models import Generation
    from studio.multimodal import catalog

    now = timezone.now()
    # A busy team: most work in the last weeks, none in the last 30 seconds.
    ages = sorted((rng.expovariate(1 / (HISTORY_DAYS * 86400 / 4)) for _ in
                   range(count)), reverse=True)
    ages = [min(age, HISTORY_DAYS * 86400) + 30 for age in ages]
    pending_at = {count - 1 - back for back in pending_back}
    image_thumbs = [t for t in thumbs if t[2] == "image"]
    video_thumbs = [t for t in thumbs if t[2] == "video"]
    kinds, weights = zip(*KIND_WEIGHTS.items())
    statuses, status_weights = zip(*FINISHED_WEIGHTS.items())
    rows = []
    for n, age in enumerate(ages):
        kind = rng.choices(kinds, weights)[0]
        created = now - timedelta(seconds=age)
        status = (rng.choice(("queued", "running")) if n in pending_at
                  else rng.choices(statuses, status_weights)[0])
        row = Generation(team=team, author=rng.choice(users), kind=kind,
                         params=params_for(kind, rng), status=status,
                         state="sending" if status == "running" else status,
                         cost=catalog.get(kind).cost, created_at=created,
                         updated_at=created + timedelta(seconds=1))
        row.search_text = row.summary.lower()
        shape(row, rng, image_thumbs, video_thumbs, originals)
        rows.append(row)
    with stamps_as_given():
        made = Generation.objects.bulk_create(rows, batch_size=500)
    # Some videos animate an earlier image of the gallery.
    images = [g.pk for g in made if g.kind == "image" and g.status == "succeeded"]
    sourced = [g for g in made if g.kind == "video_i2v" and rng.random() < 0.6]
    for video in sourced:
        earlier = [pk for pk in images[:200] if pk < video.pk] or images[:1]
        video.source_id = rng.choice(earlier)
    with stamps_as_given():
        Generation.objects.bulk_update(sourced, ["source"], batch_size=500)
    group_into_sets(team, made)
    return [g.pk for g in made if g.status in ("queued", "running")]


def group_into_sets(team, made: list) -> None:
    """Runs of two to eight neighbouring rows of one kind become a set, as a generation_set
    submission would have made them: the first page then stacks some of its cards.
    Pending rows stay single, so the page's poll follows the same ten ids."""
    from studio.generations.models import Generation, GenerationSet

    runs, run = [], [made[0]]
    for row in made[1:]:
        finished = row.status not in ("queued", "running")  # the poll follows those alone
        if finished and row.kind == run[0].kind and len(run) < 8 \
                and run[0].status not in ("queued", "running"):
            run.append(row)
            continue
        runs.append(run)
        run = [row]
    runs.append(run)
    grouped = []
    for run in (r for r in runs if len(r) >= 2):
        generation_set = GenerationSet.objects.create(
            team=team, author=run[0].author, kind=run[0].kind, template=run[0].params,
            size=len(run), cost=sum(g.cost for g in run))
        for row in run:
            row.generation_set = generation_set
        grouped.extend(run)
    with stamps_as_given():
        Generation.objects.bulk_update(grouped, ["generation_set"], batch_size=500)


def params_for(kind: str, rng: random.Random) -> dict:
    subject, mood, style = rng.choice(SUBJECTS), rng.choice(MOODS), rng.choice(STYLES)
    prompt = f"A {subject} {mood}, {style}"
    if kind == "tts":
        return {"text": rng.choice(LINES).format(s=subject, m=mood),
                "voice": rng.choice(VOICES)}
    if kind == "image":
        width, height = rng.choice([(1024, 1024)] * 3 + [(1024, 768), (768, 1024)])
        return {"prompt": prompt, "width": width, "height": height,
                **({"style": style} if rng.random() < 0.3 else {})}
    if kind == "video_i2v":
        return {"image_url": "https://cdn.example.com/uploads/source.png",
                "motion_prompt": f"slow push in on the {subject}, {mood}",
                "provider": rng.choice(("wan22", "seedance", "sora2"))}
    if kind == "video_t2v":
        return {"prompt": prompt, "duration": rng.choice((3, 5, 8))}
    return {"prompt": prompt, "num_frames": rng.choice((17, 33, 49)),
            "guidance_scale": 6.0, "num_inference_steps": 50}


def shape(row, rng: random.Random, image_thumbs, video_thumbs, originals) -> None:
    """Fill in what a row of its status and kind carries once it got there."""
    from studio.multimodal import catalog

    folder = f"teams/{row.team_id}/generations"
    if row.status in ("queued", "running"):
        if row.status == "queued":
            row.queue_position = rng.randint(1, 4)
            row.expected_start_at = row.created_at + timedelta(seconds=90)
        else:
            row.started_at = row.created_at + timedelta(seconds=2)
        return
    row.started_at = row.created_at + timedelta(seconds=rng.uniform(0.1, 20))
    row.finished_at = row.started_at + timedelta(seconds=rng.uniform(1, 120))
    row.updated_at = row.finished_at
    if row.status == "failed":
        row.error_code, row.error_message = rng.choice(FAILURES)
        return
    if row.status == "canceled":
        return
    row.credits_used = row.cost
    row.usage_id = f"usage-{rng.getrandbits(48):012x}"
    media = catalog.get(row.kind).media
    if media == "audio":
        row.media, row.media_format = f"{folder}/speech-{rng.randint(1, 99)}.mp3", "mp3"
        row.media_bytes, row.duration_ms = rng.randint(40_000, 400_000), rng.randint(
            3_000, 40_000)
    elif media == "image":
        name, _, _, width, height = rng.choice(image_thumbs)
        row.thumbnail = name
        row.media, row.media_bytes = originals[name]
        row.media_format, row.width, row.height = "png", width, height
    else:
        name, _, _, width, height = rng.choice(video_thumbs)
        row.thumbnail = name
        row.poster = name.replace("-thumb.webp", "-poster.jpg")
        row.media, row.media_format = f"{folder}/clip-{rng.randint(1, 99)}.mp4", "mp4"
        row.media_bytes, row.width, row.height = rng.randint(800_000, 9_000_000), width, \
            height
        row.fps, row.duration_ms = 24.0, rng.choice((3000, 5000, 8000))


def add_reviews(team, users, rng: random.Random) -> None:
    from studio.generations.models import Comment, Generation, Rating, Star

    finished = list(Generation.objects.filter(team=team, status="succeeded")
                    .values_list("pk", flat=True))
    stars = {(rng.choice(finished), rng.choice(users).pk) for _ in range(2000)}
    Star.objects.bulk_create(Star(generation_id=g, user_id=u) for g, u in stars)
    ratings = {(rng.choice(finished), rng.choice(users).pk) for _ in range(1500)}
    Rating.objects.bulk_create(Rating(generation_id=g, user_id=u, stars=rng.randint(1, 5))
                               for g, u in ratings)
    Comment.objects.bulk_create(
        Comment(generation_id=rng.choice(finished), author=rng.choice(users),
                text=rng.choice(("Love the light here.", "Can we try it warmer?",
                                 "Use this one for the launch.", "Too busy; crop it.")))
        for _ in range(800))


# --- requests -------------------------------------------------------------------------


class Timing:
    def __init__(self, label: str, path: str, samples: list[float], queries: int,
                 sql_ms: float, status: int, size: int, goal_ms: float | None):
        self.label, self.path, self.samples = label, path, samples
        self.queries, self.sql_ms, self.status, self.size = queries, sql_ms, status, size
        self.goal_ms = goal_ms

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return statistics.quantiles(self.samples, n=20, method="inclusive")[-1]


def timed(client, label: str, path: str, goal_ms: float | None, **headers) -> Timing:
    from django.db import connection

    for _ in range(2):  # warm: templates compiled, connection open
        client.get(path, **headers)
    samples = []
    for _ in range(REPEATS):
        started = time.perf_counter()
        response = client.get(path, **headers)
        samples.append((time.perf_counter() - started) * 1000)
    sql: list[float] = []  # seconds per query, finer than CaptureQueriesContext's ms
    with connection.execute_wrapper(lambda execute, *args: timed_sql(sql, execute, *args)):
        response = client.get(path, **headers)
    if os.environ.get("BENCH_SQL"):
        with connection.execute_wrapper(lambda execute, query, *rest: (
                print(f"  SQL {query[:300]}"), execute(query, *rest))[1]):
            print(f"\n--- the queries of {path}")
            client.get(path, **headers)
    if os.environ.get("BENCH_PROFILE"):
        profile(client, path, headers)
    return Timing(label, path, samples, len(sql), sum(sql) * 1000, response.status_code,
                  len(response.content), goal_ms)


def timed_sql(sql: list[float], execute, query, params, many, context):
    started = time.perf_counter()
    try:
        return execute(query, params, many, context)
    finally:
        sql.append(time.perf_counter() - started)


def profile(client, path: str, headers: dict) -> None:
    """BENCH_PROFILE=1: where one request's time goes, 20 requests' worth."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(REPEATS):
        client.get(path, **headers)
    profiler.disable()
    print(f"\n--- profile of {REPEATS} x {path}")
    stats = pstats.Stats(profiler).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "cumulative"))
    stats.print_stats(int(os.environ.get("BENCH_PROFILE_ROWS", "35")))


def run_requests(world: World) -> tuple[list[Timing], dict]:
    from django.test import Client
    from django.utils import timezone

    from studio.generations.models import Generation

    client = Client()
    owner = world.users[0]
    client.force_login(owner)
    member = world.users[4].username
    newest = Generation.objects.filter(team=world.team).order_by("-id")
    middle = newest.values_list("pk", flat=True)[GENERATIONS // 2]
    page_goal = GOALS["page_ms"]
    results = [
        timed(client, "page", "/", page_goal),
        timed(client, "search", f"/?q={SEARCH_WORD}&kind=image&member={member}", page_goal),
        timed(client, "search q", f"/?q={SEARCH_WORD}+dusk", page_goal),
        timed(client, "deep page", f"/?before={middle}", page_goal),
    ]
    first_page = client.get("/").content.decode()
    poll = poll_url(first_page)
    watched = re.search(r"ids=([\d,]+)", poll).group(1).split(",")
    if len(watched) != PENDING:
        raise RuntimeError(f"the first page polls {len(watched)} ids, not {PENDING}: {poll}")
    results.append(timed(client, "poll 204", poll, GOALS["poll_ms"], HTTP_HX_REQUEST="true"))

    # Three of the ten finish and one new card arrives after the page was drawn.
    finishing = Generation.objects.filter(pk__in=watched[:3])
    done = Generation.objects.filter(team=world.team, kind="image", status="succeeded").first()
    finishing.update(status="succeeded", state="succeeded", media=done.media,
                     thumbnail=done.thumbnail, media_format="png",
                     width=done.width, height=done.height,
                     finished_at=timezone.now(), updated_at=timezone.now())
    Generation.objects.create(team=world.team, author=world.users[2], kind="tts",
                              params={"text": "A new line to read."}, cost=14)
    results.append(timed(client, "poll 200", poll, GOALS["poll_ms"], HTTP_HX_REQUEST="true"))
    results.append(floor(client))
    return results, page_thumbnails(client, first_page, world)


def floor(client) -> Timing:
    """What any request costs here before a view does anything: a login-required
    view answering 204, through the same middleware and test Client."""
    import types

    from django.contrib.auth.decorators import login_required
    from django.http import HttpResponse
    from django.test import override_settings
    from django.urls import path

    urls = types.ModuleType("bench_gallery_urls")
    urls.urlpatterns = [path("nothing/", login_required(lambda request: HttpResponse(
        status=204)))]
    sys.modules[urls.__name__] = urls
    with override_settings(ROOT_URLCONF=urls.__name__):
        return timed(client, "floor", "/nothing/", None, HTTP_HX_REQUEST="true")


def poll_url(page: str) -> str:
    found = re.search(r'<div id="poller"[^>]*?hx-get="([^"]+)"', page)
    if not found:
        raise RuntimeError("the first page has no poller")
    return html.unescape(found.group(1))


CARD_CSS_PX = 300  # the card's width in the gallery grid


def page_thumbnails(client, page: str, world: World) -> dict:
    """What a browser fetches for the first page's cards at 1x and at 2x: a 300 px
    card wants 300 or 600 px, so it takes the thumbnail when that is wide enough,
    else the srcset's next candidate, the original."""
    from studio.generations.models import Generation

    cards = re.findall(r'<article class="card[^"]*"[^>]*data-generation-id="(\d+)"', page)
    images = re.findall(r'srcset="(/generations/(\d+)/thumbnail) (\d+)w, (\S+) \d+w"', page)
    posters = re.findall(r'poster="(/generations/(\d+)/thumbnail)"', page)
    at_1x = at_2x = 0
    fetched = []
    thumbs_serve_2x = True
    for url, _, width, original in images:
        thumb = body_size(client, url)
        at_1x += thumb
        thumbs_serve_2x = int(width) >= 2 * CARD_CSS_PX
        at_2x += thumb if thumbs_serve_2x else body_size(client, html.unescape(original))
        fetched.append(url)
    for url, _ in posters:
        size = body_size(client, url)
        at_1x += size
        at_2x += size
        fetched.append(url)
    started = time.perf_counter()
    for url in fetched:
        body_size(client, url)
    serve_ms = (time.perf_counter() - started) * 1000 / max(1, len(fetched))
    # The same cards, had their pictures the detail of photographs.
    index = {name: n for n, (name, *_rest) in enumerate(world.thumbs)}
    image_ids = [int(pk) for _, pk, _, _ in images]
    poster_ids = [int(pk) for _, pk in posters]
    names = dict(Generation.objects.filter(pk__in=image_ids + poster_ids)
                 .values_list("pk", "thumbnail"))
    photo = {pk: world.photo_sizes[index[names[pk]]] for pk in image_ids + poster_ids}
    posters_photo = sum(photo[pk][0] for pk in poster_ids)
    return {"cards": len(cards), "stacks": page.count("card-stack"),
            "images": len(images), "posters": len(posters),
            "at_1x": at_1x, "at_2x": at_2x, "serve_ms": serve_ms,
            "photo_1x": sum(photo[pk][0] for pk in image_ids) + posters_photo,
            "photo_2x": sum(photo[pk][0 if thumbs_serve_2x else 1] for pk in image_ids)
            + posters_photo, "thumbs_serve_2x": thumbs_serve_2x}


def body_size(client, url: str) -> int:
    response = client.get(url)
    if response.status_code != 200:
        raise RuntimeError(f"{url} answered {response.status_code}")
    if response.streaming:
        size = sum(len(chunk) for chunk in response.streaming_content)
        response.close()
        return size
    return len(response.content)


# --- report ---------------------------------------------------------------------------


def verdict(value: float, goal: float) -> str:
    return "ok" if value <= goal else "OVER"


def report(world: World, results: list[Timing], thumbs: dict, built: float) -> None:
    from django.conf import settings

    print(f"{GENERATIONS} generations of one team ({len(world.users)} members), "
          f"{len(world.pending_ids)} pending; built in {built:.1f}s; DEBUG={settings.DEBUG}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"server time: Django test Client in process, {REPEATS} requests each after 2 "
          "warm-up ones; queries and SQL time of one more\n")
    header = (f"{'request':<11}{'status':>7}{'median ms':>11}{'p95 ms':>9}{'queries':>9}"
              f"{'sql ms':>8}{'KB':>7}{'goal ms':>9}  verdict")
    print(header)
    print("-" * len(header))
    for r in results:
        goal = "-" if r.goal_ms is None else f"{r.goal_ms:.0f}"
        judged = "" if r.goal_ms is None else verdict(r.median, r.goal_ms)
        print(f"{r.label:<11}{r.status:>7}{r.median:>11.1f}{r.p95:>9.1f}{r.queries:>9}"
              f"{r.sql_ms:>8.2f}{r.size / 1024:>7.0f}{goal:>9}  {judged}")
    for r in results:
        print(f"  {r.label:<10} {r.path}")
    print("  floor: a login-required view that answers 204 at once, through the same "
          "middleware;\n  view time of a row is about its median minus the floor, SQL "
          "included. BENCH_PROFILE=1 adds a cProfile of each row, BENCH_SQL=1 its queries.")
    goal = GOALS["thumb_bytes"]
    print(f"the first page's {thumbs['cards']} cards stack {thumbs['stacks']} sets of several "
          "(their progress is counted in the page's own query)")
    print(f"\ncard pictures a browser downloads for the first page ({thumbs['cards']} cards: "
          f"{thumbs['images']} images, {thumbs['posters']} video posters; "
          f"{thumbs['serve_ms']:.1f} ms to serve a thumbnail):")
    print(f"  {'':<40}{'sandbox renders':>16}{'photo-like':>12}   goal")
    from studio.generations.models import Generation

    at_2x = "the thumbnails" if thumbs["thumbs_serve_2x"] else "the originals"
    rows = ((f"at 1x: the {Generation.THUMB_WIDTH}w thumbnails", thumbs["at_1x"],
             thumbs["photo_1x"]),
            (f"at 2x: srcset picks {at_2x}", thumbs["at_2x"], thumbs["photo_2x"]))
    for label, size, photo in rows:
        print(f"  {label:<40}{size / 1e6:>13.3f} MB{photo / 1e6:>9.3f} MB   "
              f"{goal / 1e6:.1f} MB  {verdict(size, goal)} / {verdict(photo, goal)}")
    print("  (photo-like: the same renders with a 1/f texture over them, which compresses "
          "like a photograph;\n  sandbox renders are smooth gradients. 2x: a 300 px card "
          "on a 2x screen wants 600 px.)")


# --- the parent: a fresh world in a temporary folder -----------------------------------


def main() -> None:
    from tests.stack import INHERITED_BUT_IGNORED

    with tempfile.TemporaryDirectory(prefix="bench-gallery-") as tmp:
        env = {key: value for key, value in os.environ.items()
               if key not in INHERITED_BUT_IGNORED and not key.startswith("AWS_")} | {
            "DJANGO_SETTINGS_MODULE": "studio.settings",
            "DATABASE_URL": f"sqlite:///{Path(tmp) / 'db.sqlite3'}",
            "MEDIA_ROOT": str(Path(tmp) / "media"),
            "BENCH_STATIC_ROOT": str(Path(tmp) / "static"),
            "DEBUG": "false",
            "SECRET_KEY": "bench-gallery-secret-key-0123456789-abcdefghijklmnop",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        done = subprocess.run([sys.executable, "-m", "tests.bench.gallery", "--child"],
                              cwd=ROOT, env=env)
    if done.returncode:
        raise SystemExit(f"the gallery bench failed ({done.returncode})")


if __name__ == "__main__":
    if "--child" in sys.argv:
        measure()
    else:
        main()
