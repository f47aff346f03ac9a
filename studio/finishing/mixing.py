"""A video and a speech track into one MP4, the video stream copied as it is.

The video's packets are copied (never decoded or re-encoded), so a mix costs about
what reading the file costs. The speech is decoded and run through an FFmpeg filter
graph (start offset, volume, silence to length, 48 kHz stereo) into an AAC track;
subtitles go in as a `mov_text` track of timed-text samples.

Both files are judged first (media_limits: an MP4 and an MP3 or WAV within the
limits, the mix's own length too), so a ten-hour file is refused before a packet is
read. Any error reading either names the file, and where in it things broke.
"""

import contextlib
import math
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import av

from studio.finishing.subtitles import Cue, mov_text_sample
from studio.lib import media_limits

Source = Path | str | BinaryIO  # a path, or a file open for reading (storage)
AUDIO_RATE = 48_000
AAC_FRAME = 1024
# The mov_text encoder is opened only to write the track's sample description, which
# it derives from an ASS style: one plain style, white on the player's own backing.
ASS_HEADER = b"""[Script Info]
ScriptType: v4.00+
PlayResX: 384
PlayResY: 288

[V4+ Styles]
Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, \
BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, \
BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding
Style: Default,Sans,16,&Hffffff,&Hffffff,&H0,&H0,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,0

[Events]
Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text
"""


class FinishingError(ValueError):
    """What a person can act on: the part that cannot be used, and why."""


class Deadline:
    """When local work must have ended (STUDIO_MAKE_SECONDS after it began): checked
    as packets and frames go, so a job that would outlast django-q2's timeout fails
    saying so, rather than being killed and made again."""

    def __init__(self, seconds: float = math.inf) -> None:
        self.seconds = seconds
        self.started = time.monotonic()

    def check(self) -> None:
        if time.monotonic() - self.started >= self.seconds:
            raise FinishingError(
                f"This ran out of time: it took longer than the {self.seconds:g} s a mix, "
                "a join or an export may take, so it was stopped and nothing was kept. "
                "Use shorter or fewer parts.")


@dataclass(frozen=True)
class MixOptions:
    offset: float = 0.0  # seconds of the video before the voice starts
    fit: str = "shortest"  # shortest: end with the shorter; hold: the longer, holding
    #                        the last frame; pad: the video's length, silence after
    volume: float = 1.0
    subtitles: list[Cue] = field(default_factory=list)  # timed on the mix's clock


FITS = {"shortest": "End with the shorter",
        "hold": "Hold the last frame until the voice ends",
        "pad": "Keep the video's length (silence after the voice)"}


def duration_of(stream, container) -> float:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return (container.duration or 0) / av.time_base


def length(video: float, voice_end: float, fit: str) -> float:
    return {"shortest": min(video, voice_end), "hold": max(video, voice_end),
            "pad": video}[fit]


def mix(video_path: Source, speech_path: Source, out_path: Path | str,
        options: MixOptions, *, names: tuple[str, str] = ("The video", "The speech"),
        deadline: Deadline | None = None) -> float:
    """Write the mix to `out_path`; its length in seconds. `names` name the two files
    in messages (e.g. "The video #12")."""
    deadline = deadline or Deadline()
    video_name, speech_name = names
    picture = judged(video_path, media_limits.video, video_name)
    sound = judged(speech_path, media_limits.sound, speech_name)
    video_len = picture.duration_seconds
    end = length(video_len, options.offset + sound.duration_seconds, options.fit)
    if end <= 0:
        raise FinishingError("Nothing would be left: the voice starts after the video "
                             "ends. Choose a smaller start offset.")
    check_made_length("The mix", end)
    with open_media(video_path, "video", video_name) as video_in, \
            open_media(speech_path, "audio", speech_name) as speech_in:
        video = video_in.streams.video[0]
        speech = speech_in.streams.audio[0]
        with av.open(str(out_path), "w", format="mp4",
                     options={"movflags": "+faststart"}) as out:
            copied = out.add_stream_from_template(video)
            voice = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
            captions = caption_track(out) if options.subtitles else None
            with blamed(video_name, "mixed"):
                copy_video(video_in, video, out, copied, end, hold=end > video_len,
                           what=video_name, deadline=deadline)
            with blamed(speech_name, "mixed"):
                encode_voice(speech_in, speech, out, voice, options, end,
                             what=speech_name, deadline=deadline)
            if captions is not None:
                write_captions(out, captions, options.subtitles, end)
    return end


def judged(source: Source, judge, what: str):
    """media_limits' facts of the file (judged from its header), or FinishingError."""
    try:
        if hasattr(source, "read"):
            return judge(source, what)
        with open(source, "rb") as file:
            return judge(file, what)
    except media_limits.Refused as exc:
        raise FinishingError(str(exc)) from None


def check_made_length(what: str, seconds: float) -> None:
    """What a mix or a join makes is held to the same limit as what it is made of."""
    most = media_limits.limits().seconds
    if seconds > most:
        raise FinishingError(f"{what} would be {media_limits.clock(seconds)} long; the "
                             f"studio makes media up to {media_limits.clock(most)}. Use "
                             "shorter or fewer parts.")


def open_media(path: Source, media: str, what: str | None = None):
    what = what or f"The {media}"
    try:
        container = media_limits.open_av(path, what)
    except media_limits.Refused as exc:
        raise FinishingError(str(exc)) from None
    streams = container.streams.video if media == "video" else container.streams.audio
    if not streams:
        container.close()
        raise FinishingError(f"{what} has no {media} stream.")
    return container


@contextlib.contextmanager
def blamed(what: str, doing: str) -> Iterator[None]:
    """Any error FFmpeg raises while one file is used becomes a FinishingError that
    names that file."""
    try:
        yield
    except FinishingError:
        raise
    except media_limits.Refused as exc:
        raise FinishingError(str(exc)) from None
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise FinishingError(f"{what} cannot be {doing} "
                             f"({media_limits.describe_error(exc)}).") from None


def decoded(container, stream, what: str) -> Iterator:
    """The stream's frames; a decoding error names the file and where it broke."""
    return _read(container.decode(stream), what, "decoded")


def demuxed(container, stream, what: str) -> Iterator:
    return _read(container.demux(stream), what, "read")


def _read(items: Iterator, what: str, doing: str) -> Iterator:
    at = 0.0
    while True:
        try:
            item = next(items)
        except StopIteration:
            return
        except av.error.FFmpegError as exc:
            raise FinishingError(f"{what} cannot be {doing} past "
                                 f"{media_limits.clock(at)} "
                                 f"({media_limits.describe_error(exc)}).") from None
        at = float(item.pts * item.time_base) if item.pts is not None and \
            item.time_base is not None else at
        yield item


def copy_video(container, stream, out, copied, end: float, *, hold: bool,
               what: str = "The video", deadline: Deadline | None = None) -> None:
    """Packets shown before `end`, as they are; with `hold`, the last one shown until
    `end`. With B-frames, decode order is not display order: a frame shown after `end`
    that an earlier-shown one refers to is kept too (the video may then run a few
    frames past `end`), and reading stops at the first keyframe shown after it."""
    base, first = stream.time_base, stream.start_time or 0
    pending, last = [], None
    deadline = deadline or Deadline()
    for packet in demuxed(container, stream, what):
        deadline.check()
        if packet.dts is None or packet.pts is None:
            continue  # the demuxer's flush packet
        shown_after_end = (packet.pts - first) * base >= end
        if shown_after_end and packet.is_keyframe:
            break
        packet.stream = copied
        if shown_after_end:
            pending.append(packet)  # kept only if a frame shown before `end` follows
            continue
        for held in [*([last] if last is not None else []), *pending]:
            out.mux(held)
        pending, last = [], packet
    if last is None:
        raise FinishingError(f"{what} has no frames to mix.")
    if hold:
        shown_at = float((last.pts - first) * base)
        last.duration = max(last.duration or 1, round((end - shown_at) / base))
    out.mux(last)


def encode_voice(container, stream, out, voice, options: MixOptions, end: float, *,
                 what: str = "The speech", deadline: Deadline | None = None) -> None:
    graph = av.filter.Graph()
    chain = [graph.add_abuffer(template=stream),
             graph.add("adelay", f"delays={round(options.offset * 1000)}:all=1"),
             graph.add("volume", f"{options.volume:g}"),
             graph.add("apad", f"whole_dur={end:.3f}"),
             graph.add("atrim", f"end={end:.3f}"),
             graph.add("aformat", f"sample_fmts=fltp:sample_rates={AUDIO_RATE}"
                                  ":channel_layouts=stereo"),
             graph.add("asetnsamples", f"n={AAC_FRAME}:p=0"),
             graph.add("abuffersink")]
    graph.link_nodes(*chain).configure()
    written = 0
    deadline = deadline or Deadline()
    for frame in decoded(container, stream, what):
        deadline.check()
        try:
            graph.push(frame)
        except av.error.EOFError:
            break  # cut at the mix's end: the rest of the speech is not needed
        written = drain(graph, out, voice, written)
    with contextlib.suppress(av.error.EOFError):
        graph.push(None)
    drain(graph, out, voice, written)
    for packet in voice.encode(None):
        out.mux(packet)


def drain(graph, out, voice, written: int) -> int:
    while True:
        try:
            frame = graph.pull()
        except (av.error.BlockingIOError, av.error.EOFError):
            return written
        frame.pts, frame.time_base = written, Fraction(1, AUDIO_RATE)
        written += frame.samples
        for packet in voice.encode(frame):
            out.mux(packet)


def caption_track(out):
    captions = out.add_stream("mov_text")
    captions.codec_context.subtitle_header = ASS_HEADER
    return captions


def write_captions(out, captions, timed: list[Cue], end: float) -> None:
    base = captions.time_base  # as the muxer settled it when it wrote the header
    for cue in timed:
        if cue.start >= end:
            break
        packet = av.Packet(mov_text_sample(cue.text))
        packet.stream = captions
        packet.time_base = base
        packet.pts = packet.dts = round(cue.start / base)
        packet.duration = max(1, round((min(cue.end, end) - cue.start) / base))
        out.mux(packet)
