"""Finishing on this machine: how long a mix takes (the video copied, not re-encoded)
and how much memory a join of ten clips needs (streamed frame by frame).

mix   a 5 s 1280x720 H.264 clip (the sandbox's text-to-video render) and 5 s of
      speech into one MP4, with subtitles; the median of 5 runs. Goal: under 1 s.
join  ten such clips into one, in a separate process: its resident size before the
      join (imports and codecs warmed up by a small join) and its peak during it
      (VmHWM, after resetting the high-water mark). Goal: growth under 100 MB.

Run it with `python -m tests.bench finishing`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOALS = {"mix_seconds": 1.0, "join_growth_mib": 100}
SPEECH = ("The harbour wakes before the town does. Boats drift out, one by one, "
          "into the grey morning, and the gulls follow them.")

JOIN_CHILD = """
import json, os, resource, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
import django; django.setup()
from pathlib import Path
from studio.finishing import joining
clips = [Path(p) for p in sys.argv[1:]]
out = Path(clips[0]).parent
joining.join([joining.Part(c, []) for c in clips[:2]], out / "warm.mp4")
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1]) / 1024
before = status("VmRSS")
open("/proc/self/clear_refs", "w").write("5")
started = time.perf_counter()
length, _, _ = joining.join([joining.Part(c, []) for c in clips], out / "joined.mp4")
print(json.dumps({"before": before, "peak": status("VmHWM"), "length": length,
                  "seconds": time.perf_counter() - started}))
"""


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
    import django
    django.setup()
    from studio.finishing import mixing, subtitles
    from studio.sandbox import media, video

    with tempfile.TemporaryDirectory(prefix="bench-finishing-") as folder:
        here = Path(folder)
        clips = [video.render_t2v(f"bench harbour {n}", 5, here).path for n in range(10)]
        mp3, speech_ms = media.synthesize_mp3(SPEECH, "Wise_Woman")
        speech = here / "speech.mp3"
        speech.write_bytes(mp3)
        cues = subtitles.cues(SPEECH, speech_ms / 1000)
        times = []
        for n in range(5):
            started = time.perf_counter()
            mixing.mix(clips[0], speech, here / f"mix-{n}.mp4",
                       mixing.MixOptions(fit="pad", subtitles=cues))
            times.append(time.perf_counter() - started)
        mixed = statistics.median(times)
        child = subprocess.run([sys.executable, "-c", JOIN_CHILD, *map(str, clips)],
                               cwd=ROOT, capture_output=True, text=True, check=True)
        joined = json.loads(child.stdout.strip().splitlines()[-1])
    growth = joined["peak"] - joined["before"]
    print(f"mix: 5 s 1280x720 H.264 + {speech_ms / 1000:.1f} s speech, subtitles: median "
          f"{mixed * 1000:.0f} ms of 5 (min {min(times) * 1000:.0f}); goal under "
          f"{GOALS['mix_seconds']:g} s: {'ok' if mixed < GOALS['mix_seconds'] else 'MISSED'}")
    print(f"join: ten 5 s 1280x720 clips into {joined['length']:.1f} s in "
          f"{joined['seconds']:.1f} s; worker resident {joined['before']:.0f} MiB before, "
          f"peak {joined['peak']:.0f} MiB: growth {growth:.0f} MiB; goal under "
          f"{GOALS['join_growth_mib']} MiB: "
          f"{'ok' if growth < GOALS['join_growth_mib'] else 'MISSED'}")


if __name__ == "__main__":
    main()
