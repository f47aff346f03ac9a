"""A video and a speech track into one MP4, the video stream copied as it is.

The video's packets are copied (never decoded or re-encoded), so a mix costs about
what reading the file costs. The speech is decoded and run through an FFmpeg filter
graph (start offset, volume, silence to length, 48 kHz stereo) into an AAC track;
subtitles go in as a `mov_text` track of timed-text samples.
"""

import contextlib
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import BinaryIO

import av

from studio.finishing.subtitles import Cue, mov_text_sample

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
        options: MixOptions) -> float:
    """Write the mix to `out_path`; its length in seconds."""
    with open_media(video_path, "video") as video_in, \
            open_media(speech_path, "audio") as speech_in:
        video = video_in.streams.video[0]
        speech = speech_in.streams.audio[0]
        video_len = duration_of(video, video_in)
        if video_len <= 0:
            raise FinishingError("The video has no frames to mix.")
        end = length(video_len, options.offset + duration_of(speech, speech_in), options.fit)
        if end <= 0:
            raise FinishingError("Nothing would be left: the voice starts after the video "
                                 "ends. Choose a smaller start offset.")
        with av.open(str(out_path), "w", format="mp4",
                     options={"movflags": "+faststart"}) as out:
            copied = out.add_stream_from_template(video)
            voice = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo")
            captions = caption_track(out) if options.subtitles else None
            copy_video(video_in, video, out, copied, end, hold=end > video_len)
            encode_voice(speech_in, speech, out, voice, options, end)
            if captions is not None:
                write_captions(out, captions, options.subtitles, end)
    return end


def open_media(path: Source, media: str):
    try:
        container = av.open(path if hasattr(path, "read") else str(path), "r")
    except (av.error.InvalidDataError, av.error.FileNotFoundError, OSError) as exc:
        raise FinishingError(f"The {media} cannot be read: {exc}") from None
    streams = container.streams.video if media == "video" else container.streams.audio
    if not streams:
        container.close()
        raise FinishingError(f"The file has no {media} stream.")
    return container


def copy_video(container, stream, out, copied, end: float, *, hold: bool) -> None:
    """Packets shown before `end`, as they are; with `hold`, the last one shown until
    `end`. With B-frames, decode order is not display order: a frame shown after `end`
    that an earlier-shown one refers to is kept too (the video may then run a few
    frames past `end`), and reading stops at the first keyframe shown after it."""
    base, first = stream.time_base, stream.start_time or 0
    pending, last = [], None
    for packet in container.demux(stream):
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
        raise FinishingError("The video has no frames to mix.")
    if hold:
        shown_at = float((last.pts - first) * base)
        last.duration = max(last.duration or 1, round((end - shown_at) / base))
    out.mux(last)


def encode_voice(container, stream, out, voice, options: MixOptions, end: float) -> None:
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
    for frame in container.decode(stream):
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
