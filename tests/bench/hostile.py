"""Hostile media against the memory budgets: each fixture met on the path where it was
found, in a fresh process, its peak resident size printed.

web      a web request (Django's test client, in the process): an upload checked, an
         export converted or refused. Goal: no request grows its process by more than
         the README's budget of 200 MB.
worker   a worker task: an API answer judged and stored (thumbnail, poster), a mix or
         a join made, an export made by the worker. Goal: no worker process above
         300 MB resident, whatever the fixture.

Each case runs in its own process: Django set up on a copy of one migrated SQLite
database, every path warmed up once with small ordinary media (imports, codecs), then
the high-water mark reset (/proc/self/clear_refs) and the case run; growth is VmHWM
minus the resident size before it. Besides the tests' small crafted fixtures, a few
cases use the largest media the limits allow (a 4096x3072 picture, 1920x1088 clips),
to show the budgets hold at the limits too.

Run it with `python -m tests.bench hostile` (about a minute and a half).
"""

from __future__ import annotations

import base64
import gc
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
WEB_BUDGET_MIB = 200
WORKER_PEAK_MIB = 300
CHILD_TIMEOUT = 300


# --- the cases (run in the child) ---------------------------------------------------------


def cases() -> dict:
    from tests.lib import hostile

    def big_picture(fmt: str = "PNG") -> bytes:
        from PIL import Image, ImageDraw

        image = Image.new("RGB", (4096, 3072), (30, 60, 90))
        pen = ImageDraw.Draw(image)
        for x in range(0, 4096, 64):
            pen.line((x, 0, 4095 - x, 4095), fill=(x % 255, 128, 200), width=9)
        out = io.BytesIO()
        image.save(out, fmt)
        return out.getvalue()

    def inline_picture() -> bytes:
        from PIL import Image

        out = io.BytesIO()
        Image.effect_noise((2048, 2048), 80).convert("RGB").save(out, "PNG")
        return out.getvalue()

    return {
        # name: (where, path, fixture maker)
        "upload: 16383x16383 WebP": ("web", "upload", lambda: hostile.webp_canvas()),
        "upload: 13000x13000 PNG": ("web", "upload", lambda: hostile.png_bomb()),
        "upload: truncated JPEG": ("web", "upload", hostile.truncated_jpeg),
        "upload: 4096x3072 PNG (limit)": ("web", "upload", big_picture),
        "export gif: 16000x16000 H.264": ("web", "export video gif",
                                          lambda: hostile.mp4_claiming()),
        "export gif: SPS alone 16000x16000": (
            "web", "export video gif",
            lambda: hostile.mp4_claiming(container_too=False)),
        "export gif: 1920x1088 clip (limit)": (
            "web", "export video gif", lambda: hostile.mp4(1920, 1088, frames=48)),
        "export jpeg: 13000x13000 PNG": ("web", "export image jpeg",
                                         lambda: hostile.png_bomb()),
        "export webp: 13000x13000 PNG": ("web", "export image webp",
                                         lambda: hostile.png_bomb()),
        "export webp: 2048x2048 noise (inline)": ("web", "export image webp",
                                                  inline_picture),
        "export webp: 4096x3072 (to worker)": ("web", "export image webp", big_picture),
        "export mp3: 60 s WAV": ("web", "export audio mp3",
                                 lambda: hostile.wav(60.0, 44100, 2)),
        "export wav: MP3 corrupt mid-way": ("web", "export audio wav",
                                            hostile.mp3_corrupt_in_the_middle),
        "answer image: 13000x13000 PNG": ("worker", "answer image",
                                          lambda: hostile.png_bomb()),
        "answer image: 4096x3072 PNG (limit)": ("worker", "answer image", big_picture),
        "answer image: 4096x3072 JPEG (limit)": ("worker", "answer image",
                                                 lambda: big_picture("JPEG")),
        "answer video: 16000x16000 H.264": ("worker", "answer video",
                                            lambda: hostile.mp4_claiming()),
        "answer video: SPS alone 16000x16000": (
            "worker", "answer video", lambda: hostile.mp4_claiming(container_too=False)),
        "answer video: zero bytes": ("worker", "answer video", lambda: b""),
        "join: first clip 1x1": ("worker", "join",
                                 lambda: hostile.mp4(1, 1, pix_fmt="yuv444p")),
        "join: last frame at 10 h": ("worker", "join",
                                     lambda: hostile.mp4(64, 64, last_at=36000)),
        "join: header says 2 s, frames to 10 h": ("worker", "join",
                                                  hostile.mp4_lying_length),
        "join: two 1920x1088 clips (limit)": ("worker", "join",
                                              lambda: hostile.mp4(1920, 1088, frames=48)),
        "mix pad: last frame at 10 h": ("worker", "mix video",
                                        lambda: hostile.mp4(64, 64, last_at=36000)),
        "mix: MP3 corrupt mid-way": ("worker", "mix speech",
                                     hostile.mp3_corrupt_in_the_middle),
        "worker export webp: 4096x3072": ("worker", "worker export webp", big_picture),
        "worker export jpeg: 4096x3072": ("worker", "worker export jpeg", big_picture),
        "worker export png: 4096x3072 JPEG": ("worker", "worker export png",
                                              lambda: big_picture("JPEG")),
    }


class World:
    """A team, its owner logged in, and items made of whatever bytes a case brings."""

    def __init__(self) -> None:
        from django.test import Client

        from tests.conftest import make_team, member_of

        self.team = make_team("Bench", "sbx_bench_hostile_0001")
        self.owner = member_of(self.team, "bench", "owner")
        self.client = Client()
        self.client.force_login(self.owner)

    def item(self, kind: str, body: bytes, fmt: str, **facts):
        from django.core.files.base import ContentFile

        from studio.generations.models import Generation

        item = Generation.objects.create(team=self.team, author=self.owner, kind=kind,
                                         cost=1, params={"prompt": "bench", "text": "Words."},
                                         state="succeeded", status="succeeded",
                                         media_format=fmt, **facts)
        item.media.save(f"{item.file_stem}.{fmt}", ContentFile(body))
        return item

    def queued(self, kind: str, **params):
        from studio.generations.models import Generation
        from studio.multimodal import catalog

        return Generation.objects.create(team=self.team, author=self.owner, kind=kind,
                                         params=params, cost=catalog.get(kind).cost_for(params)
                                         if kind not in catalog.LOCAL_KINDS else 0)


def prepared(world: World, path: str, body: bytes):
    """What meeting `body` on `path` takes, made ready (items stored, clips encoded)
    and returned as a call that does it and says what became of it, in a few words."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    words = path.split()
    if path == "upload":
        def upload() -> str:
            response = world.client.post("/generate/i2v/", {
                "image_file": SimpleUploadedFile("bench.png", body),
                "motion_prompt": "zoom", "provider": "wan22"})
            return f"{response.status_code}"
        return upload
    if words[0] == "export":
        kind = {"video": "video_t2v", "image": "image", "audio": "tts"}[words[1]]
        fmt = {"video": "mp4", "image": "png", "audio": "wav" if body[:4] == b"RIFF"
               else "mp3"}[words[1]]
        item = world.item(kind, body, fmt)
        return lambda: exported(world, item, words[2])
    if words[0] == "answer":
        return lambda: store_answer(world, words[1], body)
    if path in ("join", "mix video", "mix speech"):
        return local_job(world, path, body)
    if words[0] == "worker":
        from studio.finishing import tasks
        from studio.finishing.models import Export

        item = world.item("image", body, "png", width=4096, height=3072)
        export = Export.objects.create(generation=item, format=words[2])

        def made() -> str:
            tasks.export(export.pk)
            export.refresh_from_db()
            return f"{export.state} {export.error_message[:60]}".strip()
        return made
    raise ValueError(path)


def exported(world: World, item, fmt: str) -> str:
    response = world.client.get(f"/generations/{item.pk}/export.{fmt}")
    if hasattr(response, "streaming_content"):
        size = sum(len(chunk) for chunk in response.streaming_content)
        return f"{response.status_code}, {size / 1024:.0f} KiB"
    return f"{response.status_code}"


def store_answer(world: World, media: str, body: bytes) -> str:
    """The worker storing an answer whose media is `body` (base64, spooled as the
    client leaves it)."""
    from studio.generations import storage
    from studio.multimodal import errors
    from studio.multimodal.answers import MediaAnswer
    from studio.multimodal.streaming import Base64Payload

    spool = tempfile.TemporaryFile()
    spool.write(b'"' + base64.b64encode(body) + b'"')
    answer = MediaAnswer(usage_id="u", endpoint_type=None, status="completed",
                         credits_used=1, format="png", duration_seconds=None,
                         media=Base64Payload(spool, 1, spool.tell() - 1))
    generation = world.queued("image" if media == "image" else "video_t2v",
                              prompt="bench", width=1024, height=1024)
    try:
        storage.save_media(generation, answer)
    except errors.MultimodalError as exc:
        return f"refused: {exc.message[:60]}"
    finally:
        spool.close()
    return f"stored {generation.width}x{generation.height}"


def local_job(world: World, path: str, body: bytes):
    from studio.generations import lifecycle
    from studio.lib import clock
    from studio.sandbox import media
    from tests.lib import hostile

    ordinary = world.item("video_t2v", hostile.mp4(1280, 720, frames=24), "mp4")
    if path == "join":
        crafted = world.item("video_t2v", body, "mp4")
        job = world.queued("sequence", parts=[crafted.pk, ordinary.pk, crafted.pk])
    else:
        speech = media.synthesize_mp3("The harbour wakes.", "Wise_Woman")[0]
        picture = world.item("video_t2v", body, "mp4") if path == "mix video" else ordinary
        voice = world.item("tts", body if path == "mix speech" else speech, "mp3")
        job = world.queued("mix", video=picture.pk, speech=voice.pk, offset=0, volume=1.0,
                           fit="pad" if path == "mix video" else "hold", subtitles=False)

    def made() -> str:
        lease = lifecycle.take_local(job, clock.now())
        job.kind_spec.parts.maker(job.pk, lease.isoformat())
        job.refresh_from_db()
        return f"{job.status} {job.error_message[:60]}".strip()
    return made


WARM_UP = {"upload": "png", "export image webp": "png", "export image jpeg": "png",
           "export video gif": "mp4", "export audio mp3": "wav", "export audio wav": "mp3",
           "answer image": "png", "answer video": "mp4", "join": "mp4",
           "mix video": "mp4", "mix speech": "mp3", "worker export webp": "png",
           "worker export jpeg": "png", "worker export png": "png"}


def warm_up(world: World, path: str) -> None:
    """The case's path once with small ordinary media: imports, codecs, first
    allocations."""
    from tests.lib import hostile

    ordinary = {"png": hostile.png(256, 256), "mp4": hostile.mp4(320, 240, frames=24),
                "wav": hostile.wav(1.0), "mp3": hostile.mp3()}
    prepared(world, path, ordinary[WARM_UP[path]])()


def status(field: str) -> int:
    with open("/proc/self/status") as found:
        for line in found:
            if line.startswith(field):
                return int(line.split()[1]) * 1024
    return 0


def child(name: str) -> None:
    import django

    django.setup()
    from django.conf import settings
    from django.test.utils import override_settings

    # No collectstatic here: the pages' static files by their plain names.
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()

    settings.ALLOWED_HOSTS = ["testserver"]
    where, path, make = cases()[name]
    body = make()
    world = World()
    warm_up(world, path)
    act = prepared(world, path, body)
    gc.collect()
    before = status("VmRSS")
    with open("/proc/self/clear_refs", "w") as clear:
        clear.write("5")
    started = time.perf_counter()
    outcome = act()
    print(json.dumps({"name": name, "where": where, "bytes": len(body), "before": before,
                      "peak": status("VmHWM"), "seconds": time.perf_counter() - started,
                      "outcome": outcome}))


# --- the bench (the parent) -----------------------------------------------------------------


def environment(folder: Path, database: Path) -> dict:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "studio.settings",
            "DATABASE_URL": f"sqlite:///{database}", "MEDIA_ROOT": str(folder / "media"),
            "LOG_LEVEL": "ERROR", "PYTHONUNBUFFERED": "1"}


def run(name: str, folder: Path, template: Path) -> dict:
    database = folder / "case.sqlite3"
    shutil.copy(template, database)
    try:
        done = subprocess.run([sys.executable, "-m", "tests.bench.hostile", "--case", name],
                              cwd=ROOT, env=environment(folder, database),
                              capture_output=True, text=True, timeout=CHILD_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"name": name, "failed": f"no answer within {CHILD_TIMEOUT} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode or not lines:
        return {"name": name, "failed": (done.stderr or done.stdout).strip()[-1500:]}
    return json.loads(lines[-1])


def main() -> None:
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="studio-bench-hostile-") as name:
        folder = Path(name)
        template = folder / "template.sqlite3"
        subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT,
                       env=environment(folder, template), check=True)
        results = [run(case, folder, template) for case in cases()]
    print_table(results)
    print(f"goals: a web request grows its process by at most {WEB_BUDGET_MIB} MiB; no "
          f"worker above {WORKER_PEAK_MIB} MiB resident.  "
          f"({time.monotonic() - started:.0f} s)")


def print_table(results: list[dict]) -> None:
    print(f"{'case':<40} {'where':<6} {'file':>9} {'before':>7} {'peak':>7} "
          f"{'growth':>7} {'goal':>4}  outcome")
    for result in results:
        if "failed" in result:
            print(f"{result['name']:<40} FAILED\n{result['failed']}")
            continue
        growth = (result["peak"] - result["before"]) / MIB
        held = growth <= WEB_BUDGET_MIB if result["where"] == "web" else \
            result["peak"] / MIB <= WORKER_PEAK_MIB
        print(f"{result['name']:<40} {result['where']:<6} "
              f"{result['bytes'] / 1024:>7.0f}KB {result['before'] / MIB:>7.0f} "
              f"{result['peak'] / MIB:>7.0f} {growth:>7.0f} {'ok' if held else 'OVER':>4}  "
              f"{result['outcome'][:70]}")
    print("(MiB. before: resident size after warming every path up; peak: VmHWM during "
          "the case;\n growth: peak - before. web: the request's growth against its "
          "budget; worker: the peak against 300 MiB)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--case"]:
        child(sys.argv[2])
    else:
        main()
