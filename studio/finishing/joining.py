"""Clips joined one after the other into one MP4, frame by frame.

Unlike a mix, a join re-encodes: the clips may differ in size and rate. Every clip is
fitted to the first one's size (scaled, padded with black) and frame rate; its audio
is kept where it has some and silence stands in where it has none, each clip's audio
cut or padded to the clip's own length so picture and sound stay together. One frame
at a time: memory does not grow with the clips' length.

Every clip is judged first (media_limits: an MP4 within the limits, and the join's
length too); the output's sides are the first clip's rounded up to even numbers
(H.264's 4:2:0 needs them). A clip that plays on past the length its header states
is stopped a second later: its header is what was judged.
"""

import contextlib
import gc
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av

from studio.finishing.mixing import (
    AAC_FRAME,
    AUDIO_RATE,
    Deadline,
    FinishingError,
    Source,
    blamed,
    caption_track,
    check_made_length,
    decoded,
    duration_of,
    judged,
    open_media,
    write_captions,
)
from studio.finishing.subtitles import Cue
from studio.lib import media_limits

MAX_PARTS = 20
# veryfast, with a short look-ahead and two threads: every frame the encoder keeps
# in flight is 1.4 MB at 720p, 3 MB at the frame limit (1080p), where a look-ahead of
# 8 took the worker to 296 MB and 4 keeps it near 270 (make bench: hostile).
X264 = {"crf": "20", "preset": "veryfast", "rc-lookahead": "4", "threads": "2"}
PLAYS_ON = 1.0  # seconds a clip may run past its stated length (rounding, a last frame)


@dataclass(frozen=True)
class Part:
    source: Source
    cues: list[Cue]  # on the clip's own clock
    name: str = ""  # how messages name it, e.g. "Clip 2 (video #34)"


def join(parts: list[Part], out_path: Path | str, *, deadline: Deadline | None = None
         ) -> tuple[float, list[Cue], list[float]]:
    """Write the parts one after the other; (length, subtitles shifted onto the
    joined clock, each part's start)."""
    if not 2 <= len(parts) <= MAX_PARTS:
        raise FinishingError(f"Join 2 to {MAX_PARTS} clips (this is {len(parts)}).")
    deadline = deadline or Deadline()
    names = [part.name or f"Clip {n}" for n, part in enumerate(parts, start=1)]
    facts = [judged(part.source, media_limits.video, name)
             for part, name in zip(parts, names)]
    check_made_length("The joined clip", sum(fact.duration_seconds for fact in facts))
    width, height = facts[0].width + facts[0].width % 2, facts[0].height + facts[0].height % 2
    rate = Fraction(facts[0].fps).limit_denominator(1000)
    cues, starts, at = [], [], 0.0
    with av.open(str(out_path), "w", format="mp4",
                 options={"movflags": "+faststart"}) as out:
        picture = out.add_stream("libx264", rate=rate, options=X264)
        picture.width, picture.height, picture.pix_fmt = width, height, "yuv420p"
        sound = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
        captions = caption_track(out) if any(part.cues for part in parts) else None
        clocks = Clocks()
        for part, name, fact in zip(parts, names, facts):
            starts.append(at)
            with blamed(name, "joined"):
                length = add_clip(part.source, name, fact.duration_seconds, out, picture,
                                  sound, clocks, (width, height), rate, deadline)
            cues.extend(cue.shifted(at) for cue in part.cues if cue.start < length)
            at += length
            gc.collect()  # a clip's decoders and filter graphs sit in reference cycles
        for packet in [*picture.encode(None), *sound.encode(None)]:
            out.mux(packet)
        if captions is not None:
            write_captions(out, captions, cues, at)
    return at, cues, starts


class Clocks:
    """Where the joined picture and sound have got to (frames, samples)."""

    def __init__(self) -> None:
        self.frames = 0
        self.samples = 0


def add_clip(source: Source, name: str, stated: float, out, picture, sound,
             clocks: Clocks, size: tuple[int, int], rate: Fraction,
             deadline: Deadline) -> float:
    most = math.ceil((stated + PLAYS_ON) * rate)
    with open_media(source, "video", name) as clip:
        video = clip.streams.video[0]
        began = clocks.frames
        for frame in fitted_frames(clip, video, size, rate, name):
            deadline.check()
            if clocks.frames - began >= most:
                raise FinishingError(str(media_limits.played_past(
                    name, float((clocks.frames - began) / rate), stated)))
            frame.pts, frame.time_base = clocks.frames, 1 / rate
            clocks.frames += 1
            for packet in picture.encode(frame):
                out.mux(packet)
        frames = clocks.frames - began
        if frames == 0:
            raise FinishingError(f"{name} has no frames to join.")
        length = float(frames / rate)
    with open_media(source, "video", name) as clip:  # audio from the start again
        audio = clip.streams.audio[0] if clip.streams.audio else None
        for frame in clip_sound(clip, audio, length, name):
            deadline.check()
            frame.pts, frame.time_base = clocks.samples, Fraction(1, AUDIO_RATE)
            clocks.samples += frame.samples
            for packet in sound.encode(frame):
                out.mux(packet)
    return length


def fitted_frames(clip, video, size: tuple[int, int], rate: Fraction,
                  what: str) -> Iterator:
    width, height = size
    graph = av.filter.Graph()
    chain = [graph.add_buffer(template=video),
             graph.add("scale", f"{width}:{height}:force_original_aspect_ratio=decrease"),
             graph.add("pad", f"{width}:{height}:(ow-iw)/2:(oh-ih)/2:black"),
             graph.add("fps", f"fps={rate.numerator}/{rate.denominator}"),
             graph.add("format", "yuv420p"),
             graph.add("buffersink")]
    graph.link_nodes(*chain).configure()
    for frame in decoded(clip, video, what):
        graph.push(frame)
        yield from pulled(graph)
    graph.push(None)
    yield from pulled(graph)


def clip_sound(clip, audio, length: float, what: str) -> Iterator:
    """The clip's sound at 48 kHz stereo, cut or padded with silence to `length`."""
    graph = av.filter.Graph()
    source = graph.add_abuffer(template=audio) if audio is not None else graph.add(
        "anullsrc", f"r={AUDIO_RATE}:cl=stereo")
    chain = [source,
             graph.add("apad", f"whole_dur={length:.4f}"),
             graph.add("atrim", f"end={length:.4f}"),
             graph.add("aformat", f"sample_fmts=fltp:sample_rates={AUDIO_RATE}"
                                  ":channel_layouts=stereo"),
             graph.add("asetnsamples", f"n={AAC_FRAME}:p=0"),
             graph.add("abuffersink")]
    graph.link_nodes(*chain).configure()
    if audio is None:
        yield from pulled(graph, until_eof=True)
        return
    for frame in decoded(clip, audio, what):
        try:
            graph.push(frame)
        except av.error.EOFError:
            break  # cut at the clip's length
        yield from pulled(graph)
    with contextlib.suppress(av.error.EOFError):
        graph.push(None)
    yield from pulled(graph)


def pulled(graph, *, until_eof: bool = False) -> Iterator:
    while True:
        try:
            yield graph.pull()
        except av.error.EOFError:
            return
        except av.error.BlockingIOError:
            if not until_eof:
                return


__all__ = ["MAX_PARTS", "Part", "duration_of", "join"]
