"""What the studio world holds, written by the product's own code where it has a say:
sandbox renders for the media (`studio.sandbox.media`, `studio.sandbox.video`), the
storage module for the files and what is read back from them (thumbnails, posters,
waveforms, video facts), the invitation and audit modules for their rows.

Imported only in the child process `python -m tests.browser.world` starts, once
Django is set up over the world's own database (see world.py).

Northwind Studio (premium): an owner, an admin, a member and a viewer; 52 finished
generations of every kind with real media over nine days, a remix chain (image ->
image to video -> voice-over), stars, ratings and comments, two in the trash, a
failed one with a reason, a canceled one, two running and three queued with their
place in line; a ledger and an audit trail over those days; invitations open,
revoked, used and expired. Quiet Room (standard tier): nothing at all, for the empty
states. And a person who belongs to no team.
"""

from __future__ import annotations

import base64
import io
import itertools
import shutil
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from importlib import import_module
from pathlib import Path

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.core.management import call_command

from studio.credits.models import LedgerEntry, Source
from studio.generations import storage
from studio.generations.models import Attempt, Comment, Generation, Rating, SavedPrompt, Star
from studio.generations.states import State, status_of
from studio.lib import clock
from studio.multimodal import catalog
from studio.multimodal.answers import MediaAnswer
from studio.multimodal.streaming import Base64Payload
from studio.review import share
from studio.sandbox import media, video
from studio.sandbox.models import SandboxAccount
from studio.teams import audit, invitations
from studio.teams.middleware import SESSION_KEY as CURRENT_TEAM_KEY
from studio.teams.models import AuditEvent, Invitation, Membership, Role, Team

Action = AuditEvent.Action
TEAM, EMPTY_TEAM = "Northwind Studio", "Quiet Room"
BALANCE = 97_524
HISTORY_DAYS = 9

IMAGES = [  # prompt, width, height, style
    ("an orange lighthouse on a basalt cliff at dusk, oil painting", 768, 512, ""),
    ("a violet forest in morning fog", 512, 768, ""),
    ("a paper cut-out whale over a sleeping harbour", 768, 512, "paper-craft"),
    ("a neon night market in heavy rain, 35mm film photo", 640, 640, ""),
    ("an astronaut tending a rooftop garden", 512, 768, ""),
    ("a glacier seen from above, ink sketch", 896, 512, ""),
    ("koi under a full moon, watercolour", 640, 640, "watercolor"),
    ("a brass robot playing the violin in an empty concert hall", 512, 640, ""),
    ("a desert train at golden hour, cinematic still", 896, 512, ""),
    ("lanterns drifting over a canyon after a storm", 768, 512, ""),
    ("a samurai crossing a snowy bridge, ink wash", 512, 768, ""),
    ("an isometric castle built from orchids", 640, 640, ""),
]
SUBJECTS = ("windmill", "jellyfish", "volcano", "bicycle", "monastery", "falcon",
            "carnival", "teapot", "reef", "skyline", "meadow", "typewriter", "comet",
            "ferry", "aurora", "tiger")
MOODS = ("at dusk", "in neon light", "after a storm", "in deep winter", "seen from above",
         "on a summer afternoon")
LINES = [  # text, voice
    ("Welcome back to the Northwind podcast. Today: lighthouses, and the people who "
     "kept them burning.", "Wise_Woman"),
    ("Welcome back to the Northwind podcast. Today: lighthouses, and the people who "
     "kept them burning.", "Deep_Voice_Man"),
    ("Chapter three. The whale waited in the harbour all night, and nobody came.",
     "Calm_Woman"),
    ("Our spring collection arrives next week; pre-orders open today.", "Lively_Girl"),
    ("Take a deep breath, and picture a violet forest in morning fog.", "Patient_Man"),
    ("Attention passengers: the desert train departs from platform four.",
     "Imposing_Manner"),
    ("In this lesson we sketch a glacier, step by step.", "Friendly_Person"),
    ("The night market opens at eight. Bring an umbrella.", "Casual_Guy"),
    ("Every lantern carries a wish. Tonight, the canyon is full of them.",
     "Inspirational_girl"),
    ("Thank you for calling Northwind Studio. Please hold.", "Elegant_Man"),
    ("The robot played until the hall was empty, and then it played some more.",
     "Young_Knight"),
    ("Ready? Three, two, one: go!", "Exuberant_Girl"),
    ("A castle of orchids: fragile, fragrant, and surprisingly hard to storm.",
     "Abbess"),
    ("Thanks for listening. See you next week.", "Sweet_Girl_2"),
]
VOICE_OVER = ("The lighthouse has stood here for two hundred years. Tonight, for the "
              "first time, its light goes out.", "Determined_Man")
CLIP_PROMPTS = {
    "video_t2v": ["a paper boat sailing through a flooded city", "fireflies over a meadow"],
    "video_cogvideox": ["a fox running through fresh snow", "clouds over a mountain lake",
                        "a hummingbird at a red flower"],
    "video_i2v": ["slow zoom in on the lighthouse", "pan right across the harbour",
                  "tilt up from the market stalls"],
}
STORYBOARD_SCRIPT = """\
The lighthouse has stood here for two hundred years.
Picture: an orange lighthouse on a basalt cliff at dusk
Motion: slow zoom in on the lighthouse

Chapter three. The whale waited in the harbour all night, and nobody came.
Picture: a paper cut-out whale over a sleeping harbour

Tonight, for the first time, its light goes out.
Motion: the beam fades across the waves
"""
MARKET_SCRIPT = """\
The night market opens at eight. Bring an umbrella.
Picture: a neon night market in heavy rain

Every stall has a story.
Motion: pan left across the stalls
"""
COMMENTS = [
    ("adam", "Love the light on the water. Can we try a wider crop for the banner?"),
    ("mia", "Wider version coming: 1280 by 720 next."),
    ("olivia", "Approved for the spring campaign."),
]


def build() -> dict:
    """Migrate, fill the database and media folder, and say what is where."""
    call_command("migrate", verbosity=0, interactive=False)
    work = Path(tempfile.mkdtemp(prefix="studio-world-renders-"))
    try:
        return Builder(work).build()
    finally:
        shutil.rmtree(work, ignore_errors=True)


class Builder:
    def __init__(self, work: Path) -> None:
        self.work = work
        self.now = clock.now()
        self.ids: dict[str, int | str] = {}
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="world-render")
        self.renders: dict[tuple, Future] = {}
        self.finished: list[Generation] = []  # in the order they finished, for the ledger

    def build(self) -> dict:
        with self.pool:
            self.people()
            self.history()
            self.chain()
        self.reviews()
        self.boards()
        self.links()
        self.prompts()
        self.trash()
        self.unfinished()
        self.storyboards()
        self.ledger()
        self.trail()
        self.invitations()
        self.notifications()
        return {"sessions": self.sessions(), "ids": self.ids}

    # --- teams and people -------------------------------------------------------

    def people(self) -> None:
        self.team = team("northwind", TEAM, tier="premium", budget=250_000)
        self.empty_team = team("quietroom", EMPTY_TEAM, tier="standard")
        self.owner, self.admin, self.member, self.viewer, self.stranger = (
            person(name) for name in ("olivia", "adam", "mia", "victor", "sam"))
        for user, role in ((self.owner, Role.OWNER), (self.admin, Role.ADMIN),
                           (self.member, Role.MEMBER), (self.viewer, Role.VIEWER)):
            Membership.objects.create(team=self.team, user=user, role=role,
                                      monthly_cap=20_000 if role == Role.MEMBER else None)
        # The owner's second team: a team switcher in her top bar, and the empty team.
        Membership.objects.create(team=self.empty_team, user=self.owner, role=Role.OWNER)
        self.authors = itertools.cycle([self.member, self.owner, self.member, self.admin])

    def sessions(self) -> dict[str, str]:
        """A logged-in session per role: what a browser holds after logging in."""
        return {
            "owner": session(self.owner, self.team), "admin": session(self.admin, self.team),
            "member": session(self.member, self.team),
            "viewer": session(self.viewer, self.team),
            "empty": session(self.owner, self.empty_team),
            "stranger": session(self.stranger, None),
        }

    # --- generations --------------------------------------------------------------

    def history(self) -> None:
        """52 finished generations, oldest first, spread over the last nine days."""
        by_kind = {
            "image": IMAGES + [(f"a {s} {m}", 640, 640, "") for s, m in
                               zip(SUBJECTS, itertools.cycle(MOODS), strict=False)],
            "tts": LINES, **CLIP_PROMPTS}
        # Each kind spread evenly through the days.
        plan = sorted((((number + 0.5) / len(specs), kind, spec)
                       for kind, specs in by_kind.items()
                       for number, spec in enumerate(specs)), key=lambda item: item[0])
        plan = [(kind, spec) for _, kind, spec in plan]
        for kind, spec in sorted([*plan, ("tts", VOICE_OVER)],
                                 key=lambda item: item[0] in ("image", "tts")):
            self.media(kind, spec)  # the clips first: they take longest
        step = timedelta(days=HISTORY_DAYS) / len(plan)
        for number, (kind, spec) in enumerate(plan):
            at = self.now - timedelta(days=HISTORY_DAYS) + number * step
            row = self.made(kind, spec, at)
            self.ids.setdefault(kind, row.pk)
        self.ids["compare"] = "&".join(f"ids={pk}" for pk in Generation.objects.filter(
            kind="image", status="succeeded").order_by("-id").values_list("pk", flat=True)[:3])

    def made(self, kind: str, spec, at, *, author=None, source=None) -> Generation:
        """A succeeded row of `kind` made from `spec` (see IMAGES, LINES, CLIP_PROMPTS)."""
        data, fmt, duration_ms = self.media(kind, spec).result()
        if kind == "image":
            prompt, width, height, style = spec
            params = {"prompt": prompt, "width": width, "height": height, "style": style}
        elif kind == "tts":
            params = {"text": spec[0], "voice": spec[1]}
        else:
            params = {"video_t2v": {"prompt": spec, "duration": 1},
                      "video_cogvideox": {"prompt": spec, "num_frames": 17,
                                          "num_inference_steps": 20},
                      "video_i2v": {"motion_prompt": spec, "provider": "sora2"}}[kind]
            if kind == "video_i2v" and source is None:
                params["image_url"] = "https://images.example.com/harbour.png"
        return self.finish(kind, params, at, data, fmt, duration_ms=duration_ms,
                           author=author, source=source)

    def media(self, kind: str, spec) -> Future:
        """(bytes, format, duration in ms) of one generation's media, rendered on the
        pool while the rows before it are written. A video kind's rows share one clip."""
        key = (kind, spec if kind in ("image", "tts") else None)
        if key not in self.renders:
            self.renders[key] = self.pool.submit(render, kind, spec, self.work)
        return self.renders[key]

    def row(self, kind: str, params: dict, at, state: State, *, author=None, source=None,
            **fields) -> Generation:
        spec = catalog.get(kind)
        params = spec.with_defaults(params)
        row = Generation.objects.create(
            team=self.team, author=author or next(self.authors), kind=kind, params=params,
            cost=spec.cost_for(params), state=state, status=status_of(state),
            source=source, **fields)
        Generation.objects.filter(pk=row.pk).update(created_at=at)
        row.created_at = at
        return row

    def finish(self, kind: str, params: dict, at, data: bytes, fmt: str, *,
               duration_ms: int | None = None, author=None, source=None) -> Generation:
        """A succeeded row whose media went through the studio's storage, as the
        API's base64 answer would."""
        row = self.row(kind, params, at, State.SUCCEEDED, author=author, source=source)
        encoded = base64.b64encode(data)
        storage.save_media(row, MediaAnswer(
            usage_id=None, endpoint_type=kind, status="completed", credits_used=row.cost,
            format=fmt, media=Base64Payload(io.BytesIO(encoded), 0, len(encoded)),
            duration_seconds=duration_ms / 1000 if duration_ms else None))
        seconds = 40 if row.kind_spec.media == "video" else 3
        row.started_at, row.finished_at = at + timedelta(seconds=1), at + timedelta(
            seconds=seconds)
        row.usage_id, row.credits_used = f"usage_world_{row.pk:05d}", row.cost
        row.save()
        self.attempt(row, Attempt.Outcome.SUCCEEDED, 200, seconds - 1)
        self.finished.append(row)
        return row

    def attempt(self, row: Generation, outcome: str, http_status: int | None,
                seconds: float, **error) -> None:
        sent = row.started_at or row.created_at
        number = row.attempt_log.count() + 1
        Attempt.objects.create(
            generation=row, number=number, token_key=row.team.api_fingerprint[:64],
            kind=row.kind, sent_at=sent, outcome=outcome, http_status=http_status,
            finished_at=sent + timedelta(seconds=seconds) if http_status else None,
            latency_ms=round(seconds * 1000) if http_status else None, **error)

    def chain(self) -> None:
        """The lighthouse image animated, and the animation voiced over."""
        lighthouse = Generation.objects.get(params__prompt=IMAGES[0][0])
        at = self.now - timedelta(hours=20)
        animation = self.made("video_i2v", "slow zoom in on the lighthouse, then it goes dark",
                              at, author=self.member, source=lighthouse)
        voice_over = self.made("tts", VOICE_OVER, at + timedelta(minutes=5),
                               author=self.member, source=animation)
        self.ids.update(image=lighthouse.pk, video_i2v=animation.pk, tts=voice_over.pk)

    def prompts(self) -> None:
        """The team's prompt library: three kept prompts, used now and then."""
        for name, kind, params, uses, author in (
                ("Harbour at dusk", "image", {"prompt": IMAGES[0][0], "width": 1536,
                                              "height": 1024, "style": ""}, 7, self.member),
                ("Podcast opening", "tts", {"text": LINES[0][0], "voice": LINES[0][1]}, 3,
                 self.owner),
                ("Ink wash portrait", "image", {"prompt": IMAGES[10][0], "width": 832,
                                                "height": 1024, "style": "ink"}, 0,
                 self.admin)):
            SavedPrompt.objects.create(team=self.team, author=author, name=name, kind=kind,
                                       params=params, uses=uses)

    def reviews(self) -> None:
        people = {"olivia": self.owner, "adam": self.admin, "mia": self.member}
        lighthouse = Generation.objects.get(pk=self.ids["image"])
        for number, (name, text) in enumerate(COMMENTS):
            Comment.objects.create(generation=lighthouse, author=people[name], text=text,
                                   **({"point_x": 0.3, "point_y": 0.4} if number == 0 else {}))
        self.notes_at_moments()
        images = list(Generation.objects.filter(kind="image").order_by("-id")[:12])
        for number, row in enumerate([lighthouse, *images]):
            if number % 2 == 0:
                Star.objects.get_or_create(generation=row, user=self.member)
            if number % 5 == 0:
                Star.objects.get_or_create(generation=row, user=self.owner)
            for user, stars in ((self.owner, 4 + number % 2), (self.admin, 3 + number % 3)):
                if number % 3 != 2:
                    Rating.objects.update_or_create(generation=row, user=user,
                                                    defaults={"stars": stars})
        Rating.objects.update_or_create(generation=lighthouse, user=self.member,
                                        defaults={"stars": 5})

    def boards(self) -> None:
        """Two boards, review statuses across the newest images, and a few tags."""
        from studio.review.models import Board, BoardItem, ItemReview, ItemTag, Tag

        images = list(Generation.objects.filter(kind="image", status="succeeded")
                      .order_by("-id")[:8])
        board = Board.objects.create(team=self.team, name="Spring campaign",
                                     description="Picks for the client's spring launch.",
                                     made_by=self.member, cover=images[0])
        for position, row in enumerate(images[:6], start=1):
            BoardItem.objects.create(board=board, generation=row, position=position,
                                     added_by=self.member)
        Board.objects.create(team=self.team, name="Moodboard", made_by=self.owner)
        for row, status in zip(images, ("approved", "changes_requested", "needs_review",
                                        "approved"), strict=False):
            ItemReview.objects.create(generation=row, status=status, changed_by=self.admin)
        for name, rows in (("hero", images[:2]), ("night", images[1:4])):
            tag = Tag.objects.create(team=self.team, name=name)
            for row in rows:
                ItemTag.objects.create(tag=tag, generation=row)
        self.ids["board"] = board.pk

    def notes_at_moments(self) -> None:
        """The animated lighthouse discussed at a moment and over a range."""
        clip = Generation.objects.get(pk=self.ids["video_i2v"])
        mentioned = Comment.objects.create(
            generation=clip, author=self.admin, text="@mia the boat should enter here",
            at=1.5)
        mentioned.mentions.add(self.member)
        Comment.objects.create(generation=clip, author=self.owner,
                               text="Too dark from here to the end", at=2.5, until=3.5)

    def links(self) -> None:
        """Outside links to the animated lighthouse: open, behind a passphrase, and
        revoked; and a note a client left through the open one. An open link to the
        spring board."""
        from studio.review.models import Board

        clip = Generation.objects.get(pk=self.ids["video_i2v"])
        sharer = Membership.objects.get(team=self.team, user=self.member)
        for key, options in (("share", {"allow_download": True}),
                             ("share_locked", {"passphrase": "harbour lights"}),
                             ("share_ended", {})):
            link, token = share.share(sharer, clip, days=14, **options).result
            self.ids[key] = token
        share.revoke(Membership.objects.get(team=self.team, user=self.admin), link)
        board = Board.objects.get(pk=self.ids["board"])
        self.ids["share_board"] = share.share_board(sharer, board, days=14,
                                                    allow_download=True).result[1]
        Comment.objects.create(generation=clip, outside_name="Cleo (client)", at=0.5,
                               text="Lovely. Could the boat come in a little sooner?")

    def trash(self) -> None:
        """Two finished ones in the trash: the member's own, and one an admin moved."""
        for row, by, days in ((self.finished[5], self.member, 2),
                              (self.finished[9], self.admin, 6)):
            Generation.objects.filter(pk=row.pk).update(
                deleted_at=self.now - timedelta(days=days), deleted_by=by)
            self.ids.setdefault("trashed", row.pk)

    def unfinished(self) -> None:
        """The newest cards: failed, canceled, running and queued ones."""
        at = self.now - timedelta(minutes=50)
        failed = self.row("image", {"prompt": "a crowded stadium of famous faces"}, at,
                          State.FAILED, author=self.member, error_code="content_policy",
                          error_message="The API refused the prompt: it may break the "
                                        "content policy. Reword it and try again.",
                          started_at=at, finished_at=at + timedelta(seconds=2))
        self.attempt(failed, Attempt.Outcome.REFUSED, 400, 0.4, error_code="content_policy",
                     error_message="Prompt rejected by the content policy")
        at += timedelta(minutes=10)
        timed_out = self.row(
            "video_t2v", {"prompt": "a storm over the sea, seen from a lighthouse"}, at,
            State.FAILED, author=self.admin, error_code="timeout",
            error_message="The API did not answer within 180 s, four times. Try again later.",
            started_at=at, finished_at=at + timedelta(minutes=13))
        for _ in range(4):
            self.attempt(timed_out, Attempt.Outcome.ERROR, 504, 180, error_code="timeout",
                         error_message="Gateway timeout")
        at += timedelta(minutes=10)
        canceled = self.row("tts", {"text": "A take we no longer need.", "voice": "Casual_Guy"},
                            at, State.CANCELED, author=self.member, finished_at=at)
        at = self.now - timedelta(seconds=40)
        rendering = self.row(
            "video_i2v", {"motion_prompt": "pan left across the night market",
                          "provider": "wan22", "image_url": "https://example.com/market.png"},
            at, State.AWAITING_PROVIDER, author=self.admin, started_at=at,
            follow_up_at=self.now + timedelta(seconds=20), usage_id="usage_world_pending")
        self.attempt(rendering, Attempt.Outcome.ACCEPTED, 202, 1.2)
        sending = self.row("image", {"prompt": "a red kite over green hills at noon",
                                     "width": 1024, "height": 1024},
                           self.now - timedelta(seconds=4), State.SENDING,
                           author=self.member, started_at=self.now - timedelta(seconds=3),
                           lease_owner="world-worker",
                           lease_until=self.now + timedelta(hours=1))
        self.attempt(sending, Attempt.Outcome.IN_FLIGHT, None, 0)
        queued = [
            self.row(kind, params, self.now - timedelta(seconds=3 - n), State.QUEUED,
                     author=self.member, queue_position=n + 1,
                     expected_start_at=self.now + timedelta(seconds=45 + 60 * n))
            for n, (kind, params) in enumerate([
                ("image", {"prompt": "a red kite over green hills at dusk", "width": 1024,
                           "height": 1024}),
                ("tts", {"text": "The kite climbs, and the town falls quiet below it.",
                         "voice": "Calm_Woman"}),
                ("video_cogvideox", {"prompt": "a red kite climbing into low cloud"}),
            ])]
        self.ids.update(failed=failed.pk, canceled=canceled.pk, running=sending.pk,
                        rendering=rendering.pk, queued=queued[0].pk)

    # --- storyboards (strip's) ------------------------------------------------------

    def storyboards(self) -> None:
        """"The keeper": scene 1 made (the lighthouse, its animation, its voice-over),
        scene 2 spoken and then reworded, scene 3 not made. "Night market": being made,
        its parts queued and running (no worker moves them)."""
        from studio.storyboards import actions, parts
        from studio.storyboards.models import Scene

        mia = Membership.objects.get(team=self.team, user=self.member)
        keeper = actions.create(mia, "The keeper", STORYBOARD_SCRIPT,
                                look="oil painting, dusk light", crossfade=0.5).result
        first, second, _ = keeper.ordered_scenes
        made = {parts.PICTURE: self.ids["image"], parts.CLIP: self.ids["video_i2v"],
                parts.SPEECH: self.ids["tts"]}
        for part, pk in made.items():
            self.put(first, part, Generation.objects.get(pk=pk))
        self.put(second, parts.SPEECH, self.speech_of_the_world())
        Scene.objects.filter(pk=second.pk).update(narration=second.narration + " Slowly.")
        market = actions.create(mia, "Night market", MARKET_SCRIPT).result
        at = self.now - timedelta(minutes=2)
        for scene in market.ordered_scenes:
            for part, state in zip(parts.PARTS, (State.SUCCEEDED, State.SENDING, State.QUEUED),
                                   strict=True):
                if state == State.SUCCEEDED:
                    row = self.speech_of_the_world()
                else:
                    params = parts.params_of(scene, part)
                    if part == parts.CLIP:
                        params["image_url"] = "https://example.com/market.png"
                    row = self.row(parts.KIND_OF[part], params, at, state, author=self.member,
                                   started_at=at if state == State.SENDING else None)
                self.put(scene, part, row)
        self.ids.update(storyboard=keeper.pk, storyboard_making=market.pk,
                        scene=second.pk)
        self.film_made(mia)

    def film_made(self, mia: Membership) -> None:
        """"Harbour lights": its one scene made (the lighthouse, its animation, its
        voice-over) and its film, a card of the gallery (the animation's clip stands in
        for the film the worker would join)."""
        from studio.storyboards import actions, making, parts

        harbour = actions.create(mia, "Harbour lights", VOICE_OVER[0], voice=VOICE_OVER[1],
                                 provider="sora2").result
        scene = harbour.ordered_scenes[0]
        for part, pk in ((parts.PICTURE, self.ids["image"]), (parts.CLIP, self.ids["video_i2v"]),
                         (parts.SPEECH, self.ids["tts"])):
            self.put(scene, part, Generation.objects.get(pk=pk))
        data, _, _ = self.media("video_i2v", None).result()
        params = {**making.film_params(harbour, [scene]),
                  "cues": [[1.0, 4.0, VOICE_OVER[0]]], "starts": [1.0]}
        film = self.finish(catalog.FILM, params, self.now - timedelta(hours=19), data, "mp4",
                           duration_ms=4000, author=self.member)
        harbour.film, harbour.film_made_from = film, making.film_params(harbour, [scene])
        harbour.save(update_fields=["film", "film_made_from"])
        self.ids.update(storyboard_film=harbour.pk, film=film.pk)

    def speech_of_the_world(self) -> Generation:
        return Generation.objects.in_gallery().filter(kind="tts", status="succeeded") \
            .exclude(pk=self.ids["tts"]).order_by("id").first()

    @staticmethod
    def put(scene, part: str, row: Generation) -> None:
        """The part made (or being made) from the scene as it is now."""
        from studio.storyboards import parts

        setattr(scene, part, row)
        setattr(scene, f"{part}_made_from", parts.made_from(scene, part))
        scene.save(update_fields=[part, f"{part}_made_from"])

    # --- money and history ---------------------------------------------------------

    def ledger(self) -> None:
        """A charge per finished call, a refund and a reconciliation find, with the
        balance the API reported after each, ending at BALANCE."""
        refund_after = self.finished[20]
        entries = []
        for row in self.finished:
            entries.append((row.finished_at, row, row.cost, Source.STUDIO))
            if row is refund_after:
                entries.append((row.finished_at + timedelta(minutes=3), row, -row.cost,
                                Source.STUDIO))
        entries.append((self.now - timedelta(days=3, hours=2), None, 14,
                        Source.RECONCILIATION))
        entries.sort(key=lambda entry: entry[0])
        remaining = BALANCE + sum(entry[2] for entry in entries)
        for at, row, credits, source in entries:
            remaining -= credits
            entry = LedgerEntry.objects.create(
                team=self.team, generation=row, member=row.author if row else None,
                kind=row.kind if row else "tts", credits=credits, source=source,
                usage_id=row.usage_id if row else "usage_world_found",
                credits_remaining=remaining)
            LedgerEntry.objects.filter(pk=entry.pk).update(created_at=at)
        Team.objects.filter(pk=self.team.pk).update(credits_remaining=BALANCE,
                                                    credits_as_of=self.now)

    def trail(self) -> None:
        """Who did what: joins, settings, a role change, work queued, deleted, restored."""
        start = self.now - timedelta(days=HISTORY_DAYS + 1)
        events = [
            (start, self.owner, Action.API_TOKEN_CHANGED, "Changed the API token"),
            (start, self.owner, Action.TIER_CHANGED, "Changed the API tier to premium"),
            (start, self.admin, Action.MEMBER_JOINED, "adam joined as Admin through an "
                                                      "invitation from olivia"),
            (start, self.member, Action.MEMBER_JOINED, "mia joined as Member through an "
                                                       "invitation from olivia"),
            (start, self.viewer, Action.MEMBER_JOINED, "victor joined as Member through an "
                                                       "invitation from adam"),
            (start, self.owner, Action.ROLE_CHANGED, "Changed victor's role from Member to "
                                                     "Viewer"),
            (start, self.owner, Action.BUDGET_CHANGED, "Set the team's monthly budget to "
                                                       "250,000 credits"),
            (start, self.admin, Action.BUDGET_CHANGED, "Set mia's monthly cap to 20,000 "
                                                       "credits"),
        ]
        for row in Generation.objects.filter(team=self.team).order_by("id"):
            events.append((row.created_at, row.author, Action.GENERATED,
                           f"Queued {row.get_kind_display()} #{row.pk} ({row.cost} credits)"))
            if row.deleted_at:
                events.append((row.deleted_at, row.deleted_by, Action.DELETED,
                               f"Deleted {row.get_kind_display()} #{row.pk}"))
            if row.status == "canceled":
                events.append((row.finished_at, row.author, Action.CANCELED,
                               f"Canceled {row.get_kind_display()} #{row.pk}"))
        restored = self.finished[14]
        events.append((self.now - timedelta(days=4), self.admin, Action.DELETED,
                       f"Deleted {restored.get_kind_display()} #{restored.pk}"))
        events.append((self.now - timedelta(days=4) + timedelta(minutes=2), self.admin,
                       Action.RESTORED, f"Restored {restored.get_kind_display()} "
                                        f"#{restored.pk}"))
        for number, (at, actor, action, summary) in enumerate(sorted(
                events, key=lambda event: event[0])):
            event = audit.record(self.team, actor, action, summary)
            AuditEvent.objects.filter(pk=event.pk).update(
                created_at=at + timedelta(microseconds=number))

    def notifications(self) -> None:
        """Mia's bell: her jobs ended, a note and a mention, the oldest read; Adam's: a
        set waits for his approval."""
        from studio.review.notifications import mark_read, notify

        mia = Membership.objects.get(team=self.team, user=self.member)
        image, failed = self.finished[0], Generation.objects.filter(
            team=self.team, status="failed").first()
        notify(mia, "finished", f"Image #{image.pk} finished.", f"/generations/{image.pk}/")
        mark_read(mia)
        if failed:
            notify(mia, "failed", f"{failed.get_kind_display()} #{failed.pk} failed: "
                   f"{failed.error_message}", f"/generations/{failed.pk}/")
        notify(mia, "note", f"olivia left a note on Image #{image.pk}: “Warmer light?”",
               f"/generations/{image.pk}/", actor=self.owner)
        notify(mia, "mention", f"adam mentioned you on Image #{image.pk}",
               f"/generations/{image.pk}/", actor=self.admin)
        adam = Membership.objects.get(team=self.team, user=self.admin)
        notify(adam, "approval_waiting", "mia's set #1 (2,400 credits) waits for approval.",
               "/approvals/", actor=self.member)

    def invitations(self) -> None:
        """Open, revoked, used and expired links (their audit events come along)."""
        used = invitations.create(self.team, self.admin, Role.MEMBER, 7)
        Invitation.objects.filter(pk=used.pk).update(accepted_by=self.viewer,
                                                     accepted_at=self.now - timedelta(days=8))
        revoked = invitations.create(self.team, self.owner, Role.VIEWER, 1)
        invitations.revoke(revoked, self.owner)
        expired = invitations.create(self.team, self.owner, Role.MEMBER, 1)
        Invitation.objects.filter(pk=expired.pk).update(
            created_at=self.now - timedelta(days=5), expires_at=self.now - timedelta(days=4))
        open_link = invitations.create(self.team, self.owner, Role.MEMBER, 7)
        invitations.create(self.team, self.admin, Role.VIEWER, 30)
        self.ids.update(invitation=open_link.token, expired_invitation=expired.token)


def render(kind: str, spec, work: Path) -> tuple[bytes, str, int | None]:
    if kind == "image":
        prompt, width, height, style = spec
        return *media.render_image(prompt, width, height, style or None), None
    if kind == "tts":
        data, duration_ms = media.synthesize_mp3(*spec)
        return data, "mp3", duration_ms
    if kind == "video_t2v":
        clip = video.render_t2v(CLIP_PROMPTS[kind][0], 1, work)
    elif kind == "video_cogvideox":
        clip = video.render_cogvideox(CLIP_PROMPTS[kind][0], 17, 6.0, 20, work)
    else:
        picture, _ = media.render_image(IMAGES[0][0], 768, 512)
        clip = video.render_i2v(picture, CLIP_PROMPTS[kind][0], 4, work)
    return clip.path.read_bytes(), "mp4", None


def team(key: str, name: str, *, tier: str, budget: int | None = None) -> Team:
    token = f"sbx_world_{key}_token"
    row = Team(name=name, tier=tier, monthly_budget=budget)
    row.api_token = token
    row.save()
    SandboxAccount.provision(token, tier=tier, label=name, credits=BALANCE)
    return row


def person(username: str):
    """No password: the world's people arrive logged in (see `session`)."""
    user = get_user_model()(username=username)
    user.set_unusable_password()
    user.save()
    return user


def session(user, team: Team | None) -> str:
    """The key of a session logged in as `user` with `team` as the current team, as
    Django's test client's force_login makes it."""
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if team is not None:
        store[CURRENT_TEAM_KEY] = team.pk
    store.save()
    return store.session_key
