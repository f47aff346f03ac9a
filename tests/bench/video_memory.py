"""Peak worker memory while the studio stores a 50 MB video, for every answer shape.

The API may answer a video call with a `video_url` to download, with ~67 MB of
`video_base64` inline in the JSON answer, or with a `usage_id` whose usage record
later completes with either of the two. For each shape this bench serves a real
~50 MB H.264 MP4 from a small HTTP server on loopback (in this process) and runs the
studio's own task code in a separate worker process, so only the worker's memory is
measured: the dispatcher hands it the call (`dispatch.tick`), and the worker runs
`tasks.send_attempt`, then `tasks.follow_up` under the dispatcher's lease until the
generation is finished, as a django-q2 worker would.

Before measuring, the worker stores a small clip the same way (imports, connections,
codecs warmed up), then takes its resident size as the idle size and resets the
kernel's high-water mark (`/proc/self/clear_refs`); after the run VmHWM is its peak.
Goal: the peak stays within a few MB of the idle size, whatever the video's size.

The peak is also split by phase: "fetch+write" (the call, the answer, the media into
storage) and "read-back" (`storage.describe_video`: facts and poster from the stored
MP4), which is what tells a streaming problem from a decoding one.

Run it with `python -m tests.bench video_memory`; BENCH_VIDEO_MIB=200 (or 10) stores
another size, to see what grows with the video and what does not. With
`python -m tests.bench.video_memory --trace` each phase also gets its peak of Python
objects (tracemalloc), to tell Python buffers from native memory (codec, allocator).
"""

from __future__ import annotations

import base64
import contextlib
import gc
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from collections.abc import Iterator
from fractions import Fraction
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import av

ROOT = Path(__file__).resolve().parents[2]
MIB = 1024 * 1024
# BENCH_VIDEO_MIB=10 or 200 shows whether a figure grows with the video.
VIDEO_BYTES = int(float(os.environ.get("BENCH_VIDEO_MIB", "50")) * MIB)
GOAL_MIB = 5.0  # "a few megabytes"
WORKER_TIMEOUT = 120
TOKEN = "bench-video-memory-token"
# The answer names a video_url, or carries video_base64; or it is a usage_id whose
# record is "processing" at the first poll and completes with either at the next.
SHAPES = ("video_url", "video_base64", "pending+url", "pending+base64")
BIG = {"width": 1280, "height": 720, "min_bytes": VIDEO_BYTES}
SMALL = {"width": 320, "height": 180, "frames": 3}
FPS = 24
BASE64_READ = 3 * 64 * 1024  # a multiple of 3, so the encoded chunks concatenate


# --- the video ----------------------------------------------------------------------


def make_clip(path: Path, width: int, height: int, *, frames: int | None = None,
              min_bytes: int = 0) -> Path:
    """A real H.264 MP4: `frames` frames, or as many as `min_bytes` takes.

    Each frame is a band of fresh noise over a flat grey, encoded losslessly, so the
    bytes per frame are fixed by the band (~440 KB at 720p): 50 MB is a 5 s clip at
    24 fps, like a real high-bitrate render, written in about a second.
    """
    rng = random.Random(2024)
    noise_rows = height * 5 // 16
    written = 0
    with av.open(str(path), "w", options={"movflags": "faststart"}) as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.time_base = Fraction(1, FPS)
        stream.options = {"preset": "ultrafast", "crf": "0"}
        number = 0
        while number < frames if frames is not None else written < min_bytes:
            frame = av.VideoFrame(width, height, "yuv420p")
            luma, *chroma = frame.planes
            flat = bytes([128]) * luma.line_size * (height - noise_rows)
            luma.update(rng.randbytes(luma.line_size * noise_rows) + flat)
            for plane in chroma:
                plane.update(bytes([128]) * plane.buffer_size)
            frame.pts = number
            number += 1
            for packet in stream.encode(frame):
                written += packet.size
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


# --- the fake API -------------------------------------------------------------------


class FakeApi(ThreadingHTTPServer):
    """The Multimodal API's video contract on loopback, answering in one `shape`."""

    daemon_threads = True

    def __init__(self, shape: str, clips: dict[str, Path]) -> None:
        super().__init__(("127.0.0.1", 0), ApiHandler)
        self.shape = shape
        self.clips = clips
        self.polls: dict[str, int] = {}
        self.origin = f"http://127.0.0.1:{self.server_port}"

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a worker gave up
            super().handle_error(request, client_address)


class ApiHandler(BaseHTTPRequestHandler):
    server: FakeApi
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_POST(self) -> None:
        if not self.authorised():
            return
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        if self.path != "/api/v1/multimodal/video/t2v":
            return self.send_json(404, {"detail": "Not found"})
        clip = "big" if body.get("prompt") == "bench" else "small"
        answer = {"usage_id": f"u-{clip}", "credits_used": 1000, "credits_remaining": 5}
        if self.server.shape.startswith("pending"):
            return self.send_json(201, {**answer, "status": "processing"})
        self.send_media(201, {**answer, "status": "completed"}, clip)

    def do_GET(self) -> None:
        if found := re.fullmatch(r"/files/(\w+)\.mp4", self.path):
            return self.send_file(found.group(1))
        if not self.authorised():
            return
        found = re.fullmatch(r"/api/v1/multimodal/usage/u-(\w+)", self.path)
        if found is None or found.group(1) not in self.server.clips:
            return self.send_json(404, {"detail": "Not found"})
        clip = found.group(1)
        record = {"id": f"u-{clip}", "endpoint_type": "video_t2v", "credits_used": 1000,
                  "created_at": "2026-01-01T00:00:00Z"}
        # The provider is still working at the first poll and done at the next.
        polls = self.server.polls[clip] = self.server.polls.get(clip, 0) + 1
        if polls == 1:
            return self.send_json(200, {**record, "status": "processing"})
        self.send_media(200, {**record, "status": "completed",
                              "completed_at": "2026-01-01T00:01:00Z"}, clip)

    def authorised(self) -> bool:
        if self.headers.get("Authorization", "").startswith(f"Bearer {TOKEN}"):
            return True
        self.send_json(401, {"detail": "Invalid API token"})
        return False

    def send_media(self, status: int, answer: dict, clip: str) -> None:
        path = self.server.clips[clip]
        answer = {**answer, "format": "mp4", "duration_seconds": 1.0}
        if self.server.shape.endswith("base64"):
            return self.send_base64(status, answer, path)
        self.send_json(status, {**answer, "video_url": f"{self.server.origin}/files/{clip}.mp4"})

    def send_base64(self, status: int, answer: dict, path: Path) -> None:
        """The answer with the file inline, streamed: never a 67 MB string here."""
        head = json.dumps(answer)[:-1].encode() + b', "video_base64": "'
        tail = b'"}'
        encoded = 4 * -(-path.stat().st_size // 3)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(head) + encoded + len(tail)))
        self.end_headers()
        self.wfile.write(head)
        with path.open("rb") as clip:
            while chunk := clip.read(BASE64_READ):
                self.wfile.write(base64.b64encode(chunk))
        self.wfile.write(tail)

    def send_file(self, clip: str) -> None:
        path = self.server.clips.get(clip)
        if path is None:
            return self.send_json(404, {"detail": "Not found"})
        self.send_response(200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(path.stat().st_size))
        self.end_headers()
        with path.open("rb") as clip_file:
            while chunk := clip_file.read(256 * 1024):
                self.wfile.write(chunk)

    def send_json(self, status: int, answer: dict) -> None:
        body = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextlib.contextmanager
def serving(shape: str, clips: dict[str, Path]) -> Iterator[FakeApi]:
    server = FakeApi(shape, clips)
    thread = threading.Thread(target=server.serve_forever, name=f"fake-api-{shape}",
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# --- the worker (a separate process) ------------------------------------------------


def memory() -> dict[str, int]:
    """VmRSS and VmHWM of this process, in bytes."""
    found = {}
    with open("/proc/self/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0]) * 1024
    return found


def reset_peak() -> bool:
    """Reset VmHWM to the current RSS (Linux 4.0+); False where not allowed."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
        return True
    except OSError:
        return False


class Meter:
    """Peak resident size per phase of a run, against the idle size before it.

    At each phase boundary the phase's peak (VmHWM) is read and the mark reset, so
    "fetch+write" (the call, the answer, the media into storage), "read-back"
    (`storage.describe_video`: facts and poster from the stored MP4) and "finish"
    (the row and the ledger) are told apart. With `trace`, tracemalloc's peak per
    phase says how much of it was Python objects.
    """

    PHASES = ("fetch+write", "read-back", "finish")

    def __init__(self, trace: bool) -> None:
        self.trace = trace
        self.phase = self.PHASES[0]
        self.peaks = dict.fromkeys(self.PHASES, 0)
        self.python = dict.fromkeys(self.PHASES, 0)

    def start(self) -> None:
        if self.trace:
            tracemalloc.start()
        gc.collect()
        self.idle = memory()
        self.resettable = reset_peak()

    def switch(self, phase: str) -> None:
        """Close the current phase with its peak; `phase` starts from here."""
        self.peaks[self.phase] = max(self.peaks[self.phase], memory()["VmHWM"])
        if self.trace:
            peak = tracemalloc.get_traced_memory()[1]
            self.python[self.phase] = max(self.python[self.phase], peak)
            tracemalloc.reset_peak()
        if self.resettable:
            reset_peak()
        self.phase = phase

    def stop(self) -> dict:
        self.switch(self.phase)
        if self.trace:
            tracemalloc.stop()
        peak = max(self.peaks.values())
        return {"idle": self.idle["VmRSS"], "idle_hwm": self.idle["VmHWM"], "peak": peak,
                "after": memory()["VmRSS"],
                "hwm_reset": self.resettable,
                "phases": self.peaks if self.resettable else {},
                "python": self.python if self.trace else {}}


def worker(shape: str, origin: str, trace: bool) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from studio.generations import dispatch, storage, tasks
    from studio.generations.models import Generation, Status
    from studio.teams.models import Membership, Team

    call_command("migrate", verbosity=0, interactive=False)
    sent: list[tuple[str, tuple]] = []
    # The dispatcher's hand-off to django-q2, kept here to run the task in this process.
    dispatch.async_task = lambda name, *args, **options: sent.append((name, args))
    functions = {dispatch.SEND_TASK: tasks.send_attempt,
                 dispatch.FOLLOW_UP_TASK: tasks.follow_up}
    user, _ = get_user_model().objects.get_or_create(username="bench")
    meter: Meter | None = None
    describe_video = storage.describe_video

    def measured_describe_video(generation: Generation) -> None:
        if meter is not None:
            meter.switch("read-back")
        try:
            describe_video(generation)
        finally:
            if meter is not None:
                meter.switch("finish")

    storage.describe_video = measured_describe_video

    def submit(prompt: str) -> Generation:
        team = Team(name=f"bench {shape} {prompt}", api_url=origin, tier="premium",
                    api_url_source="operator")
        team.api_token = f"{TOKEN}-{prompt}"  # its own rate window: no wait
        team.save()
        Membership.objects.create(team=team, user=user, role="owner")
        return Generation.objects.create(team=team, author=user, kind="video_t2v",
                                         params={"prompt": prompt, "duration": 5},
                                         cost=1000)

    def work(generation: Generation) -> Generation:
        """Dispatcher passes and worker tasks until the generation is finished."""
        for _ in range(10):
            dispatch.tick()
            while sent:
                name, args = sent.pop(0)
                functions[name](*args)
            generation.refresh_from_db()
            if not generation.is_pending:
                return generation
        raise RuntimeError(f"generation {generation.pk} still {generation.status}")

    warm = work(submit("warm-up"))
    if warm.status != Status.SUCCEEDED:
        raise RuntimeError(f"warm-up {warm.status}: {warm.error_message}")

    generation = submit("bench")
    meter = Meter(trace)
    meter.start()
    began = time.monotonic()
    generation = work(generation)
    seconds = time.monotonic() - began
    report = {"shape": shape, **meter.stop(), "seconds": round(seconds, 2),
              "status": generation.status, "error": generation.error_message,
              "media_bytes": generation.media_bytes}
    if generation.media:
        with generation.media.open("rb") as stored:
            report["stored_bytes"] = stored.size
            report["sha256"] = hashlib.file_digest(stored, "sha256").hexdigest()
        report["poster"] = bool(generation.poster) and generation.poster.size > 0
        report["size"] = f"{generation.width}x{generation.height}"
    print(json.dumps(report), flush=True)


# --- the bench ----------------------------------------------------------------------


def run_worker(shape: str, origin: str, folder: Path, trace: bool) -> dict:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "studio.settings",
        "DATABASE_URL": f"sqlite:///{folder / shape}.sqlite3",
        "MEDIA_ROOT": str(folder / f"media-{shape}"),
        "LOG_LEVEL": "WARNING",
        "STUDIO_PROVIDER_POLL": "0",  # follow up at the next dispatcher pass
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "tests.bench.video_memory", "--worker", shape, origin,
               *(["--trace"] if trace else [])]
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=WORKER_TIMEOUT)
    except subprocess.TimeoutExpired:
        return {"shape": shape, "failed": f"no answer within {WORKER_TIMEOUT} s"}
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"shape": shape, "failed": (done.stderr.strip() or done.stdout.strip())[-2000:]}
    return json.loads(lines[-1])


def stored_ok(result: dict, size: int, digest: str) -> str:
    if "failed" in result:
        return "worker failed"
    if result["status"] != "succeeded":
        return f"{result['status']}: {result['error']}"
    if result.get("stored_bytes") != size or result.get("media_bytes") != size:
        return f"stored {result.get('stored_bytes')} of {size} bytes"
    if result.get("sha256") != digest:
        return "stored bytes differ"
    if not result.get("poster"):
        return "no poster"
    return f"yes ({result['size']}, poster)"


def main(trace: bool | None = None) -> None:
    trace = "--trace" in sys.argv if trace is None else trace
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="studio-bench-video-") as name:
        folder = Path(name)
        clips = {"big": make_clip(folder / "big.mp4", BIG["width"], BIG["height"],
                                  min_bytes=BIG["min_bytes"]),
                 "small": make_clip(folder / "small.mp4", SMALL["width"], SMALL["height"],
                                    frames=SMALL["frames"])}
        size = clips["big"].stat().st_size
        with clips["big"].open("rb") as big:
            digest = hashlib.file_digest(big, "sha256").hexdigest()
        print(f"A {size / MIB:.1f} MiB H.264 MP4 ({BIG['width']}x{BIG['height']}), "
              "served on loopback; each shape stored by a fresh worker process.")
        results = []
        for shape in SHAPES:
            with serving(shape, clips) as server:
                results.append(run_worker(shape, server.origin, folder, trace))
    print_table(results, size, digest)
    print(f"goal: growth within a few MiB (<= {GOAL_MIB:g}) of the idle worker, "
          f"whatever the video's size.  ({time.monotonic() - started:.0f} s)")
    for result in results:
        if "failed" in result:
            print(f"\n{result['shape']} worker failed:\n{result['failed']}")
        elif result["python"]:
            print(f"{result['shape']}: Python objects (tracemalloc) peaked at "
                  + ", ".join(f"{mib(peak)} MiB in {phase}"
                              for phase, peak in result["python"].items()))


def mib(amount: int) -> str:
    return f"{amount / MIB:.1f}"


def print_table(results: list[dict], size: int, digest: str) -> None:
    """Growth is peak minus idle; per phase too (see Meter), when VmHWM can be reset."""
    columns = ("shape", "video", "idle RSS", "peak RSS", "growth", "fetch+write",
               "read-back", "held after", "seconds", "goal", "stored OK")
    widths = (15, 6, 8, 8, 6, 11, 9, 10, 7, 4, 0)
    rows = []
    for result in results:
        ok = stored_ok(result, size, digest)
        if "failed" in result:
            rows.append((result["shape"], mib(size), *["-"] * 8, ok))
            continue
        idle = result["idle"]
        growth = (result["peak"] - idle) / MIB
        phases = [mib(result["phases"][phase] - idle) if result["phases"] else "?"
                  for phase in Meter.PHASES[:2]]
        if not result["hwm_reset"]:
            ok += " (VmHWM could not be reset: growth counts from the warm-up's peak)"
        rows.append((result["shape"], mib(size), mib(idle), mib(result["peak"]),
                     f"{growth:.1f}", *phases, mib(result["after"] - idle),
                     f"{result['seconds']:.2f}",
                     "ok" if growth <= GOAL_MIB else "OVER", ok))
    for row in [columns, *rows]:
        print("  ".join(f"{cell:<{width}}" if i in (0, 10) else f"{cell:>{width}}"
                        for i, (cell, width) in enumerate(zip(row, widths))).rstrip())
    print("(MiB. idle: resident size after storing a small clip first; peak: VmHWM while "
          "storing the video;\n growth: peak - idle, and so per phase; held after: resident "
          "size after the run - idle)")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        worker(sys.argv[2], sys.argv[3], "--trace" in sys.argv)
    else:
        main()
