"""Finished gallery items made of real sandbox media, and reading MP4s back as a
player would (PyAV)."""

import array
import io
import math
from pathlib import Path

import av
from django.core.files.base import ContentFile

from studio.generations import storage
from studio.generations.models import Generation, Status
from studio.sandbox import media, video


def finished_video(team, author, tmp_path: Path, prompt: str = "a harbour at dawn",
                   seconds: int = 2) -> Generation:
    clip = video.render_t2v(prompt, seconds, tmp_path)
    item = Generation.objects.create(team=team, author=author, kind="video_t2v",
                                     cost=1000, params={"prompt": prompt, "duration": seconds},
                                     state="succeeded", status=Status.SUCCEEDED,
                                     media_format="mp4")
    item.media.save(f"{item.file_stem}.mp4", ContentFile(clip.path.read_bytes()), save=False)
    storage.describe_video(item)
    item.save()
    return item


def finished_speech(team, author, text: str = "The harbour wakes. Boats drift out.",
                    voice: str = "Wise_Woman") -> Generation:
    mp3, duration_ms = media.synthesize_mp3(text, voice)
    item = Generation.objects.create(team=team, author=author, kind="tts", cost=14,
                                     params={"text": text, "voice": voice},
                                     state="succeeded", status=Status.SUCCEEDED,
                                     media_format="mp3", duration_ms=duration_ms)
    item.media.save(f"{item.file_stem}.mp3", ContentFile(mp3))
    return item


def gallery_video(team, author, body: bytes) -> Generation:
    """A finished video of the gallery holding `body`, as if stored before any check."""
    item = Generation.objects.create(team=team, author=author, kind="video_t2v", cost=1000,
                                     params={"prompt": "crafted"}, state="succeeded",
                                     status=Status.SUCCEEDED, media_format="mp4")
    item.media.save(f"{item.file_stem}.mp4", ContentFile(body))
    return item


def gallery_speech(team, author, body: bytes, fmt: str = "mp3") -> Generation:
    item = Generation.objects.create(team=team, author=author, kind="tts", cost=14,
                                     params={"text": "Crafted words.", "voice": "Wise_Woman"},
                                     state="succeeded", status=Status.SUCCEEDED,
                                     media_format=fmt)
    item.media.save(f"{item.file_stem}.{fmt}", ContentFile(body))
    return item


def streams(path) -> dict:
    with av.open(str(path)) as container:
        return {s.type: (s.codec_context.name, float(s.duration * s.time_base))
                for s in container.streams if s.duration}


def audio_seconds(path) -> float:
    """How long the sound plays: the samples a decoder gives (AAC's priming, which the
    MP4 says to skip, excluded)."""
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        return sum(frame.samples for frame in container.decode(stream)) / stream.rate


def video_packets(path, until: float | None = None) -> list[bytes]:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [bytes(p) for p in container.demux(stream) if p.size and (
            until is None or p.pts * stream.time_base < until)]


def loudness(path, start: float, end: float) -> float:
    """Root mean square of the audio between two moments (0 is silence)."""
    total, count = 0.0, 0
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        for frame in container.decode(stream):
            at = float(frame.pts * stream.time_base)
            if start <= at < end:  # fltp: the first plane is the left channel
                values = array.array("f", bytes(frame.planes[0]))[:frame.samples]
                total += sum(v * v for v in values)
                count += len(values)
    return math.sqrt(total / count) if count else 0.0


def subtitle_cues(path) -> list[tuple[float, float, str]]:
    with av.open(str(path)) as container:
        if not container.streams.subtitles:
            return []
        stream = container.streams.subtitles[0]
        return [(float(p.pts * stream.time_base), float((p.pts + p.duration) * stream.time_base),
                 bytes(p)[2:].decode()) for p in container.demux(stream)
                if p.size > 2]


def as_file(field) -> io.BytesIO:
    with field.open("rb") as stored:
        return io.BytesIO(stored.read())
