"""A film: a title card, then scenes (a clip under its narration), dissolving one
into the next, with the narrations as subtitles. One MP4: H.264, AAC, mov_text.

Each scene lasts as long as its clip, or longer when its narration needs it: the
narration, a breath after it, and the crossfade into the next scene, so no words are
faded out. A clip shorter than that is looped; when a further loop would be cut
before it had played a second, its last frame is held instead (joining.played_frames).
The narration replaces the clip's own sound.

The film is one join (joining.py): every frame is decoded and encoded once, one at a
time, and the title card is a still drawn with Pillow at the first clip's size and
frame rate, written as a short clip of its own.
"""

import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageFont

from studio.finishing import joining, subtitles
from studio.finishing.joining import Part
from studio.finishing.mixing import Deadline, FinishingError, Source, judged
from studio.finishing.subtitles import Cue
from studio.lib import media_limits

BREATH = 0.3  # seconds of quiet after a narration before the next scene comes in
TITLE_SECONDS = 2.0
MAX_CROSSFADE = 2.0
MAX_SCENES = joining.MAX_PARTS - 1  # the title card is a part of the join too
MAX_TITLE = 120  # characters
BACKGROUND = (18, 18, 24)
INK = (240, 240, 235)
# A film is long (ten scenes are a minute or more), so x264's fastest preset: a file
# about twice a sequence's size, at a third of the encoder's memory and half its time
# (make bench: film, where veryfast missed both goals).
FILM_X264 = {"crf": "20", "preset": "ultrafast", "threads": "2"}


@dataclass(frozen=True)
class Scene:
    clip: Source  # an MP4
    narration: Source  # an MP3 or WAV
    text: str  # the narration's words, for the subtitles
    name: str = ""  # how messages name it, e.g. "Scene 2 (video #34)"


@dataclass(frozen=True)
class Film:
    length: float  # seconds
    cues: list[Cue]  # on the film's clock
    starts: list[float]  # where each scene starts (the title card starts at 0)


def make_film(scenes: list[Scene], title: str, out_path: Path | str, *,
              crossfade: float = 0.5, deadline: Deadline | None = None) -> Film:
    """Write the film to `out_path`."""
    check_film(scenes, title, crossfade)
    names = [scene.name or f"Scene {n}" for n, scene in enumerate(scenes, start=1)]
    clips = [judged(scene.clip, media_limits.video, name) for scene, name in zip(scenes, names)]
    voices = [judged(scene.narration, media_limits.sound, f"The narration of {name}")
              for scene, name in zip(scenes, names)]
    with tempfile.TemporaryDirectory(prefix="studio-film-") as folder:
        card = title_card(title, (clips[0].width, clips[0].height), clips[0].fps,
                          Path(folder) / "title.mp4")
        parts = [Part(card, [], "The title card"),
                 *(scene_part(scene, name, clip.duration_seconds, voice.duration_seconds,
                              crossfade, following=n + 1 < len(scenes))
                   for n, (scene, name, clip, voice) in enumerate(
                       zip(scenes, names, clips, voices)))]
        length, cues, starts = joining.join(parts, out_path, deadline=deadline,
                                            encoder=FILM_X264)
    return Film(length, cues, starts[1:])


def check_film(scenes: list[Scene], title: str, crossfade: float) -> None:
    if not 1 <= len(scenes) <= MAX_SCENES:
        raise FinishingError(f"A film has 1 to {MAX_SCENES} scenes (this is {len(scenes)}).")
    if not title.strip() or len(title) > MAX_TITLE:
        raise FinishingError(f"A film needs a title of 1 to {MAX_TITLE} characters.")
    if not 0 <= crossfade <= MAX_CROSSFADE:
        raise FinishingError(f"The crossfade is 0 to {MAX_CROSSFADE:g} s "
                             f"(this is {crossfade:g} s).")


def scene_part(scene: Scene, name: str, clip_seconds: float, voice_seconds: float,
               crossfade: float, *, following: bool) -> Part:
    """The scene as a part of the join: as long as its clip, or as its narration and
    a breath (at least the crossfade in) and, when a scene follows, the crossfade out
    need."""
    needed = max(voice_seconds + BREATH, crossfade) + (crossfade if following else 0.0)
    return Part(scene.clip, subtitles.cues(scene.text, voice_seconds), name,
                crossfade=crossfade, plays_for=max(clip_seconds, needed),
                sound=scene.narration)


def title_card(title: str, size: tuple[int, int], fps: float, out_path: Path) -> Path:
    """TITLE_SECONDS of the title, white on a dark frame, as a silent MP4."""
    width, height = size[0] + size[0] % 2, size[1] + size[1] % 2
    rate = Fraction(fps).limit_denominator(1000)
    still = av.VideoFrame.from_image(title_image(title, (width, height))).reformat(
        format="yuv420p")
    with av.open(str(out_path), "w", format="mp4") as out:
        picture = out.add_stream("libx264", rate=rate, options=FILM_X264)
        picture.width, picture.height, picture.pix_fmt = width, height, "yuv420p"
        for number in range(round(TITLE_SECONDS * rate)):
            still.pts, still.time_base = number, 1 / rate
            for packet in picture.encode(still):
                out.mux(packet)
        for packet in picture.encode(None):
            out.mux(packet)
    return out_path


def title_image(title: str, size: tuple[int, int]) -> Image.Image:
    """The title centred, in Pillow's own font at a size that reads on the frame
    (about a twelfth of its height), wrapped to fit its width."""
    image = Image.new("RGB", size, BACKGROUND)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(12, size[1] // 12))
    lines = wrapped(title.strip(), draw, font, size[0] * 0.85)
    draw.multiline_text((size[0] / 2, size[1] / 2), "\n".join(lines), font=font,
                        fill=INK, anchor="mm", align="center", spacing=size[1] // 50)
    return image


def wrapped(text: str, draw: ImageDraw.ImageDraw, font, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        joined = f"{lines[-1]} {word}" if lines else word
        if lines and draw.textlength(joined, font=font) <= width:
            lines[-1] = joined
        else:
            lines.append(word)
    return lines


__all__ = ["BREATH", "MAX_CROSSFADE", "MAX_SCENES", "TITLE_SECONDS", "Film", "Scene",
           "make_film"]
