"""Clips joined one after the other into one MP4, frame by frame.

Unlike a mix, a join re-encodes: the clips may differ in size and rate. Every clip is
fitted to the first one's size (scaled, padded with black) and frame rate; its audio
is kept where it has some and silence stands in where it has none, each clip's audio
cut or padded to the clip's own length so picture and sound stay together. One frame
at a time: memory does not grow with the clips' length.

A part may be trimmed (what comes before its trim in and after its trim out is
dropped) and may crossfade with the part before it: for that many seconds both clips
are read side by side, the picture dissolving frame by frame and the sounds fading
into each other, so the join is the sum of the trimmed lengths less the crossfades.

Every clip is judged first (media_limits: an MP4 within the limits, and the join's
length too); the output's sides are the first clip's rounded up to even numbers
(H.264's 4:2:0 needs them). A clip that plays on past the length its header states
is stopped a second later: its header is what was judged.
"""

import array
import contextlib
import gc
import itertools
import math
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image

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
LENGTH_SLACK = 0.01  # seconds a trim may end past the stated length (its rounding)


@dataclass(frozen=True)
class Part:
    source: Source
    cues: list[Cue]  # on the clip's own clock
    name: str = ""  # how messages name it, e.g. "Clip 2 (video #34)"
    trim_in: float = 0.0  # seconds of the clip's own clock dropped before it
    trim_out: float | None = None  # where it is cut on its own clock; None: its end
    crossfade: float = 0.0  # seconds it overlaps the previous part (0: a cut)
    plays_for: float | None = None  # seconds it lasts, the trimmed clip looped or held
    sound: Source | None = None  # an MP3 or WAV played from its start, instead of its own


@dataclass(frozen=True)
class Cut:
    """A part as checked against its clip: where it is cut, and how it meets the
    previous one."""
    part: Part
    name: str
    stated: float  # the clip's length as its header states it
    crossfade: float  # 0 for the first part

    @property
    def end(self) -> float:
        return self.stated if self.part.trim_out is None else self.part.trim_out

    @property
    def seconds(self) -> float:
        if self.part.plays_for is not None:
            return self.part.plays_for
        return self.end - self.part.trim_in

    def frames(self, rate: Fraction) -> int:
        if self.part.plays_for is not None:
            return frames_of(self.part.plays_for, rate)
        return frames_of(self.end, rate) - frames_of(self.part.trim_in, rate)


@dataclass(frozen=True)
class Placed:
    """Where a part landed on the joined clock, in frames."""
    cut: Cut
    start: int
    frames: int


def join(parts: list[Part], out_path: Path | str, *, deadline: Deadline | None = None,
         encoder: dict[str, str] | None = None) -> tuple[float, list[Cue], list[float]]:
    """Write the parts one after the other, each trimmed and dissolving into the next
    as it asks; (length, subtitles shifted onto the joined clock, each part's start).
    `encoder`: libx264's options, when not X264's."""
    if not 2 <= len(parts) <= MAX_PARTS:
        raise FinishingError(f"Join 2 to {MAX_PARTS} clips (this is {len(parts)}).")
    deadline = deadline or Deadline()
    names = [part.name or f"Clip {n}" for n, part in enumerate(parts, start=1)]
    facts = [judged(part.source, media_limits.video, name)
             for part, name in zip(parts, names)]
    for part, name in zip(parts, names):
        if part.sound is not None:
            judged(part.sound, media_limits.sound, f"The sound of {name}")
    cuts = checked_cuts(parts, names, [fact.duration_seconds for fact in facts])
    check_made_length("The joined clip", sum(cut.seconds - cut.crossfade for cut in cuts))
    width, height = facts[0].width + facts[0].width % 2, facts[0].height + facts[0].height % 2
    rate = Fraction(facts[0].fps).limit_denominator(1000)
    with av.open(str(out_path), "w", format="mp4",
                 options={"movflags": "+faststart"}) as out:
        picture = out.add_stream("libx264", rate=rate, options=encoder or X264)
        picture.width, picture.height, picture.pix_fmt = width, height, "yuv420p"
        sound = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
        captions = caption_track(out) if any(part.cues for part in parts) else None
        writer = Writer(out, picture, sound, rate)
        placed = write_parts(cuts, writer, (width, height), rate, deadline)
        writer.finish()
        length = float(writer.frames / rate)
        cues = joined_cues(placed, rate)
        if captions is not None:
            write_captions(out, captions, cues, length)
    return length, cues, [float(p.start / rate) for p in placed]


def checked_cuts(parts: list[Part], names: list[str], stated: list[float]) -> list[Cut]:
    cuts = [Cut(part, name, length, part.crossfade if n else 0.0)
            for n, (part, name, length) in enumerate(zip(parts, names, stated))]
    for n, cut in enumerate(cuts):
        check_trim(cut)
        following = cuts[n + 1].crossfade if n + 1 < len(cuts) else 0.0
        if cut.crossfade < 0:
            raise FinishingError(f"{cut.name}: a crossfade cannot be negative "
                                 f"({cut.crossfade:g} s).")
        if cut.crossfade + following > cut.seconds + LENGTH_SLACK:
            raise FinishingError(
                f"{cut.name} plays {cut.seconds:.2f} s once trimmed, too short for its "
                f"crossfades ({cut.crossfade:g} s in, {following:g} s out). Make the "
                "crossfades shorter or the clip longer.")
    return cuts


def check_trim(cut: Cut) -> None:
    trim_in, trim_out = cut.part.trim_in, cut.part.trim_out
    if trim_in < 0:
        raise FinishingError(f"{cut.name}: the trim cannot start before 0 s "
                             f"({trim_in:g} s).")
    if trim_out is not None and trim_out > cut.stated + LENGTH_SLACK:
        raise FinishingError(f"{cut.name} is {cut.stated:.2f} s long: it cannot be cut at "
                             f"{trim_out:g} s.")
    if cut.end <= trim_in:
        raise FinishingError(f"{cut.name}: the trim must start before it ends "
                             f"(in {trim_in:g} s, out {cut.end:g} s).")


class Writer:
    """The joined file's picture and sound, written as they come (frames, samples)."""

    def __init__(self, out, picture, sound, rate: Fraction) -> None:
        self.out, self.picture, self.sound, self.rate = out, picture, sound, rate
        self.frames = 0
        self.samples = 0
        self.waiting = [array.array("f"), array.array("f")]  # less than an AAC frame
        self.tail = [array.array("f"), array.array("f")]  # to mix with the next part

    def show(self, frame) -> None:
        frame.pts, frame.time_base = self.frames, 1 / self.rate
        self.frames += 1
        self.mux(self.picture.encode(frame))

    def sample_at(self, frame_number: int) -> int:
        return round(frame_number * AUDIO_RATE / self.rate)

    def play(self, chunks: Iterator, total: int, keep: int) -> None:
        """A part's sound of `total` samples: its first ones are added to the previous
        part's tail (then played), its last `keep` become the tail the next part
        meets."""
        mixed, at = len(self.tail[0]), 0
        keep = min(keep, total - mixed)
        for chunk in chunks:
            count = len(chunk[0])
            for samples, waiting, tail in zip(chunk, self.waiting, self.tail):
                head, body, kept = split(samples, at, mixed, total - keep)
                if head:
                    tail[at:at + len(head)] = array.array(
                        "f", map(operator.add, tail[at:at + len(head)], head))
                if mixed and at + count >= mixed:  # the overlap is whole: it plays now
                    waiting.extend(tail[:mixed])
                    del tail[:mixed]
                waiting.extend(body)
                tail.extend(kept)
            at += count
            mixed = 0 if at >= mixed else mixed
            self.encode_waiting(final=False)
        for waiting, tail in zip(self.waiting, self.tail):  # a part shorter than it said
            waiting.extend(tail[:mixed])
            del tail[:mixed]

    def encode_waiting(self, *, final: bool) -> None:
        while len(self.waiting[0]) >= AAC_FRAME or (final and self.waiting[0]):
            count = min(AAC_FRAME, len(self.waiting[0]))
            frame = av.AudioFrame(format="fltp", layout="stereo", samples=count)
            frame.sample_rate = AUDIO_RATE
            for channel in range(2):
                frame.planes[channel].update(self.waiting[channel][:count].tobytes())
                del self.waiting[channel][:count]
            frame.pts, frame.time_base = self.samples, Fraction(1, AUDIO_RATE)
            self.samples += count
            self.mux(self.sound.encode(frame))

    def finish(self) -> None:
        self.encode_waiting(final=True)
        self.mux([*self.picture.encode(None), *self.sound.encode(None)])

    def mux(self, packets) -> None:
        for packet in packets:
            self.out.mux(packet)


def split(samples: array.array, at: int, mixed: int, kept_from: int):
    """A chunk starting at sample `at` of a part: the samples mixed into the previous
    part's tail, those played as they are, those kept for the next part's head."""
    def cut(lo: int, hi: int) -> array.array:
        return samples[max(lo - at, 0):max(min(hi - at, len(samples)), 0)]
    return cut(0, mixed), cut(mixed, kept_from), cut(kept_from, at + len(samples))


def write_parts(cuts: list[Cut], writer: Writer, size: tuple[int, int], rate: Fraction,
                deadline: Deadline) -> list[Placed]:
    placed = []
    reel = Reel(cuts[0], size, rate, deadline)
    for n, cut in enumerate(cuts):
        start = writer.frames - reel.taken  # its first frames may already be dissolved in
        following = cuts[n + 1] if n + 1 < len(cuts) else None
        with blamed(cut.name, "joined"):
            incoming = show_part(reel, following, writer, size, rate, deadline)
            frames = reel.taken
            reel.close()
            if frames == 0:
                raise FinishingError(f"{cut.name} has no frames to join.")
            placed.append(Placed(cut, start, frames))
            next_start = writer.frames - (incoming.taken if incoming else 0)
            play_part(cut, writer, writer.sample_at(start),
                      writer.sample_at(start + frames), writer.sample_at(next_start))
        reel = incoming or (Reel(following, size, rate, deadline) if following else None)
        gc.collect()  # a clip's decoders and filter graphs sit in reference cycles
    return placed


def show_part(reel: "Reel", following: Cut | None, writer: Writer, size, rate: Fraction,
              deadline: Deadline) -> "Reel | None":
    """The part's frames; its last ones dissolve into the next part's first ones when
    that one crossfades. The next part's reel, if it was begun here."""
    overlap = frames_of(following.crossfade, rate) if following else 0
    if not overlap:
        for frame in reel:
            writer.show(frame)
        return None
    dissolve_from = reel.cut.frames(rate) - overlap
    for frame in reel.until(dissolve_from):
        writer.show(frame)
    incoming = Reel(following, size, rate, deadline)
    for step, outgoing in enumerate(reel.until(reel.taken + overlap), start=1):
        frame = next(incoming, None)
        if frame is None:
            raise FinishingError(f"{following.name} ended before its crossfade did.")
        writer.show(dissolved(outgoing, frame, step / (overlap + 1)))
    return incoming


def frames_of(seconds: float, rate: Fraction) -> int:
    return math.ceil(seconds * rate - 1e-6)


def dissolved(outgoing, incoming, share: float):
    """`share` of the incoming picture over the rest of the outgoing one, blended
    plane by plane in YUV (a blend of the colours, as a blend in RGB would be, at a
    tenth of the cost of converting both there and back)."""
    blend = av.VideoFrame(outgoing.width, outgoing.height, "yuv420p")
    for old, new, out in zip(outgoing.planes, incoming.planes, blend.planes):
        if not old.line_size == new.line_size == out.line_size:
            return av.VideoFrame.from_image(Image.blend(
                outgoing.to_image(), incoming.to_image(), share)).reformat(format="yuv420p")
        size = (old.line_size, old.height)
        out.update(Image.blend(Image.frombuffer("L", size, bytes(old), "raw", "L", 0, 1),
                               Image.frombuffer("L", size, bytes(new), "raw", "L", 0, 1),
                               share).tobytes())
    return blend


class Reel:
    """A part's frames, fitted to the joined size and rate and trimmed, one at a time;
    `taken` counts those handed out."""

    def __init__(self, cut: Cut, size: tuple[int, int], rate: Fraction,
                 deadline: Deadline) -> None:
        self.cut = cut
        self.taken = 0
        self.frames = played_frames(cut, size, rate, deadline)

    def __iter__(self) -> "Reel":
        return self

    def __next__(self):
        frame = next(self.frames)
        self.taken += 1
        return frame

    def until(self, count: int) -> Iterator:
        while self.taken < count:
            frame = next(self, None)
            if frame is None:
                return
            yield frame

    def close(self) -> None:
        self.frames.close()


def played_frames(cut: Cut, size: tuple[int, int], rate: Fraction,
                  deadline: Deadline) -> Iterator:
    """The trimmed clip, or for a part that plays for a set time, the trimmed clip
    looped to it; when a further loop would be cut before it had played a second,
    its last frame is held instead (a jump back for a blink looks like a glitch)."""
    if cut.part.plays_for is None:
        yield from trimmed_frames(cut, size, rate, deadline)
        return
    wanted, shown, last = cut.frames(rate), 0, None
    while shown < wanted and (last is None or wanted - shown >= rate):
        before = shown
        with contextlib.closing(trimmed_frames(cut, size, rate, deadline)) as frames:
            for last in itertools.islice(frames, wanted - shown):
                shown += 1
                yield last
        if shown == before:
            break  # no frames (the caller says so)
    while shown < wanted and last is not None:
        shown += 1
        yield last


def trimmed_frames(cut: Cut, size: tuple[int, int], rate: Fraction,
                   deadline: Deadline) -> Iterator:
    """The clip's frames from its trim in to its trim out (or its end). A clip that
    plays on past its stated length is stopped a second later."""
    first = frames_of(cut.part.trim_in, rate)
    last = frames_of(cut.part.trim_out, rate) if cut.part.trim_out is not None else None
    most = math.ceil((cut.stated + PLAYS_ON) * rate)
    with blamed(cut.name, "joined"), open_media(cut.part.source, "video", cut.name) as clip:
        for number, frame in enumerate(fitted_frames(clip, clip.streams.video[0], size,
                                                     rate, cut.name)):
            deadline.check()
            if number >= most:
                raise FinishingError(str(media_limits.played_past(
                    cut.name, float(number / rate), cut.stated)))
            if last is not None and number >= last:
                return
            if number >= first:
                yield frame


def play_part(cut: Cut, writer: Writer, start: int, end: int, next_start: int) -> None:
    """The part's sound over the samples its picture covers, faded in over the overlap
    with the previous part and out over the one with the next."""
    total, fade_in, keep = end - start, len(writer.tail[0]), end - next_start
    separate = cut.part.sound is not None
    what = f"The sound of {cut.name}" if separate else cut.name
    with open_media(cut.part.sound if separate else cut.part.source,
                    "audio" if separate else "video", what) as clip:
        audio = clip.streams.audio[0] if clip.streams.audio else None
        chunks = (channels(frame) for frame in clip_sound(
            clip, audio, 0.0 if separate else cut.part.trim_in, total, (fade_in, keep),
            what))
        writer.play(chunks, total, keep)


def channels(frame) -> list[array.array]:
    return [array.array("f", bytes(plane))[:frame.samples] for plane in frame.planes[:2]]


def fitted_frames(clip, video, size: tuple[int, int], rate: Fraction,
                  what: str) -> Iterator:
    width, height = size
    graph = av.filter.Graph()
    fitting = [graph.add("scale", f"{width}:{height}:force_original_aspect_ratio=decrease"),
               graph.add("pad", f"{width}:{height}:(ow-iw)/2:(oh-ih)/2:black")
               ] if (video.width, video.height) != size else []  # each copies a frame
    chain = [graph.add_buffer(template=video), *fitting,
             graph.add("fps", f"fps={rate.numerator}/{rate.denominator}"),
             graph.add("format", "yuv420p"),
             graph.add("buffersink")]
    graph.link_nodes(*chain).configure()
    for frame in decoded(clip, video, what):
        graph.push(frame)
        yield from pulled(graph)
    graph.push(None)
    yield from pulled(graph)


def clip_sound(clip, audio, skip: float, total: int, fades: tuple[int, int],
               what: str) -> Iterator:
    """The clip's sound at 48 kHz stereo from `skip` seconds in, cut or padded with
    silence to `total` samples; faded in and out over `fades` samples."""
    graph = av.filter.Graph()
    source = [graph.add_abuffer(template=audio), graph.add("asetpts", "PTS-STARTPTS"),
              graph.add("atrim", f"start={skip:.4f}"),
              graph.add("asetpts", "PTS-STARTPTS")] if audio is not None else [
        graph.add("anullsrc", f"r={AUDIO_RATE}:cl=stereo")]
    chain = [*source,
             graph.add("aformat", f"sample_fmts=fltp:sample_rates={AUDIO_RATE}"
                                  ":channel_layouts=stereo"),
             graph.add("apad", f"whole_len={total}"),
             graph.add("atrim", f"end_sample={total}"),
             *fading(graph, fades, total),
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
            break  # cut at the part's end
        yield from pulled(graph)
    with contextlib.suppress(av.error.EOFError):
        graph.push(None)
    yield from pulled(graph)


def fading(graph, fades: tuple[int, int], total: int) -> list:
    fade_in, fade_out = fades
    return [*([graph.add("afade", f"t=in:ss=0:ns={fade_in}")] if fade_in else []),
            *([graph.add("afade", f"t=out:ss={total - fade_out}:ns={fade_out}")]
              if fade_out else [])]


def joined_cues(placed: list[Placed], rate: Fraction) -> list[Cue]:
    """Each part's subtitles within its trim, moved to where it starts; cut where the
    next part begins, so they never overlap."""
    timed = []
    for n, here in enumerate(placed):
        start = float(here.start / rate)
        ends = [float((here.start + here.frames) / rate),
                *([float(placed[n + 1].start / rate)] if n + 1 < len(placed) else [])]
        shift, until = start - here.cut.part.trim_in, min(ends)
        for cue in here.cut.part.cues:
            moved = Cue(round(max(cue.start + shift, start), 3),
                        round(min(cue.end + shift, until), 3), cue.text)
            if moved.end > moved.start and cue.end > here.cut.part.trim_in:
                timed.append(moved)
    return timed


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
