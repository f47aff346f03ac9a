"""A film of ten scenes on this machine: how long the assembly takes and how much
memory the worker needs for it.

Ready parts, as a storyboard would have them: ten 5 s 1280x720 24 fps H.264 clips
(the sandbox's text-to-video render) and ten narrations of 3 to 8 s (the sandbox's
speech). A separate process does only the assembly (film.make_film: title card,
scenes looped to their narrations, crossfades of 0.5 s, subtitles); it reports the
time and its resident size's high-water mark (VmHWM, from the process's start: the
worker's peak). Goals: under 15 s and under 150 MB.

Run it with `python -m tests.bench film`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOALS = {"seconds": 15.0, "peak_mib": 150}
NARRATIONS = [
    "The harbour wakes before the town does, grey and still under a low sky.",
    "Boats drift out, one by one, into the grey morning, and the gulls follow them.",
    "On the quay the nets are mended by hands that have done it for fifty years.",
    "An old man counts the crates twice, then a third time, because the numbers never "
    "quite agree with what the buyers say.",
    "By noon the light is hard and white, and the stones are warm to the touch.",
    "Children run between the bollards, shouting names of ships they will never sail.",
    "Then the wind turns, quickly, the way it always does in the late afternoon.",
    "Clouds pile up over the headland and the first boats come home early, low in the "
    "water, their decks shining with the catch.",
    "Evening comes slowly, lamp by lamp, along the length of the harbour wall.",
    "And the harbour, emptied of voices, listens to the tide.",
]

FILM_CHILD = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
import django; django.setup()
from pathlib import Path
from studio.finishing import film
parts = json.loads(sys.argv[1])
scenes = [film.Scene(Path(clip), Path(voice), text) for clip, voice, text in parts]
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
def cpu():
    used = resource.getrusage(resource.RUSAGE_SELF)
    return used.ru_utime + used.ru_stime
before, cpu_before = status("VmRSS"), cpu()
started = time.perf_counter()
made = film.make_film(scenes, "The Harbour", Path(sys.argv[2]), crossfade=0.5)
print(json.dumps({"before": before, "peak": status("VmHWM"), "length": made.length,
                  "seconds": time.perf_counter() - started, "cpu": cpu() - cpu_before}))
"""


def ready_parts(here: Path) -> list[tuple[str, str, str, float]]:
    from studio.sandbox import media, video
    parts = []
    for n, text in enumerate(NARRATIONS):
        clip = video.render_t2v(f"bench harbour {n}", 5, here).path
        mp3, speech_ms = media.synthesize_mp3(text, "Wise_Woman")
        voice = here / f"narration-{n}.mp3"
        voice.write_bytes(mp3)
        parts.append((str(clip), str(voice), text, speech_ms / 1000))
    return parts


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    import django
    django.setup()
    with tempfile.TemporaryDirectory(prefix="bench-film-") as folder:
        here = Path(folder)
        parts = ready_parts(here)
        child = subprocess.run(
            [sys.executable, "-c", FILM_CHILD, json.dumps([p[:3] for p in parts]),
             str(here / "film.mp4")], cwd=ROOT, capture_output=True, text=True)
        if child.returncode != 0:
            print(f"film: the assembly failed:\n{child.stderr[-2000:]}")
            return
        made = json.loads(child.stdout.strip().splitlines()[-1])
    speech = [p[3] for p in parts]
    fast, small = made["seconds"] < GOALS["seconds"], made["peak"] < GOALS["peak_mib"]
    print(f"film: ten scenes (5 s 1280x720 clips, narrations of {min(speech):.1f} to "
          f"{max(speech):.1f} s) into {made['length']:.1f} s: assembled in "
          f"{made['seconds']:.1f} s, {made['cpu']:.1f} s of CPU (goal under "
          f"{GOALS['seconds']:g} s: {'ok' if fast else 'MISSED'}; load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores); worker resident "
          f"{made['before']:.0f} MiB before, peak {made['peak']:.0f} MiB, growth "
          f"{made['peak'] - made['before']:.0f} MiB (goal: peak under "
          f"{GOALS['peak_mib']} MiB: {'ok' if small else 'MISSED'})")


if __name__ == "__main__":
    main()
