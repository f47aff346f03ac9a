"""Real H.264 MP4 video for the sandbox API: camera moves over an image, drawn scenes.

Frames are drawn with Pillow and encoded by the libx264 that PyAV bundles, so a PaaS
needs no system FFmpeg. Every clip is marked as a sandbox render, like the images.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
import random
import re
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
from PIL import Image, ImageDraw, ImageOps

from studio.lib.video import RenderedVideo, poster_frame, probe  # noqa: F401 (re-exported)
from studio.multimodal.catalog import I2V_PROVIDERS, VIDEO_COGVIDEOX, VIDEO_T2V, get
from studio.sandbox.media import (
    MARK_BAND_COLOUR,
    MARK_TEXT_COLOUR,
    SANDBOX_MARK,
    _font,
    _gradient,
    _random_colour,
    _shape_count,
    _wrap,
    draw_random_shape,
)

Size = tuple[int, int]
DrawFrame = Callable[[int], Image.Image]

HD_SIZE: Size = (1280, 720)
COGVIDEOX_SIZE: Size = (720, 480)  # CogVideoX-2B's native resolution
FPS = 24
COGVIDEOX_FPS = 8
I2V_DURATIONS = frozenset(provider.duration_seconds for provider in I2V_PROVIDERS)

# Sandbox clips are rendered inside a web request: favour speed over compression.
ENCODER_OPTIONS = {"preset": "veryfast", "crf": "28"}
# Moves the moov atom to the front so a browser can start playing before the end.
CONTAINER_OPTIONS = {"movflags": "faststart"}
# Frames drawn ahead of the encoder: enough to keep both busy, little memory.
FRAMES_AHEAD = 4


# --- Image to video ---------------------------------------------------------------


@dataclass(frozen=True)
class View:
    """A window on the canvas: centre as fractions of it, width as a fraction of it."""

    centre_x: float
    centre_y: float
    scale: float

    def box(self, canvas: Size) -> tuple[float, float, float, float]:
        """(left, top, right, bottom) in canvas pixels, never past its edges."""
        width, height = canvas[0] * self.scale, canvas[1] * self.scale
        # Clamped because float error at an edge (-1e-13) makes Pillow refuse the box.
        left = min(max(canvas[0] * self.centre_x - width / 2, 0.0), canvas[0] - width)
        top = min(max(canvas[1] * self.centre_y - height / 2, 0.0), canvas[1] - height)
        return left, top, left + width, top + height


@dataclass(frozen=True)
class CameraMove:
    name: str
    start: View
    end: View

    def view_at(self, progress: float) -> View:
        """The view `progress` (0..1, already eased) of the way through the move."""

        def between(a: float, b: float) -> float:
            return a + (b - a) * progress

        # Scale moves geometrically, or a zoom would seem to slow down as it goes.
        scale = self.start.scale * (self.end.scale / self.start.scale) ** progress
        return View(
            between(self.start.centre_x, self.end.centre_x),
            between(self.start.centre_y, self.end.centre_y),
            scale,
        )

    @property
    def tightest_scale(self) -> float:
        return min(self.start.scale, self.end.scale)


_WHOLE = View(0.5, 0.5, 1.0)
_CLOSE = View(0.5, 0.5, 0.8)
_MOVES = {
    "zoom in": CameraMove("zoom in", _WHOLE, _CLOSE),
    "zoom out": CameraMove("zoom out", _CLOSE, _WHOLE),
    "pan left": CameraMove("pan left", View(0.6, 0.5, 0.8), View(0.4, 0.5, 0.8)),
    "pan right": CameraMove("pan right", View(0.4, 0.5, 0.8), View(0.6, 0.5, 0.8)),
    "tilt up": CameraMove("tilt up", View(0.5, 0.6, 0.8), View(0.5, 0.4, 0.8)),
    "tilt down": CameraMove("tilt down", View(0.5, 0.4, 0.8), View(0.5, 0.6, 0.8)),
}
GENTLE_PUSH_IN = CameraMove("slow push-in", _WHOLE, View(0.5, 0.5, 0.92))

# One alternation, longest phrases first: at a given position "zoom out" must win
# over the bare "zoom", and the earliest phrase in the prompt names the move.
_MOVE_PATTERN = re.compile(
    r"\b(?:"
    r"(?P<zoom_out>zoom(?:s|ing)? out|pull(?:s|ing)? back)"
    r"|(?P<zoom_in>zoom(?:s|ing)? in|push(?:es|ing)? in|zoom(?:s|ing)?)"
    r"|(?P<pan_left>pan(?:s|ning)?(?: to the)? left)"
    r"|(?P<pan_right>pan(?:s|ning)?(?: to the)? right|pan(?:s|ning)?)"
    r"|(?P<tilt_down>tilt(?:s|ing)? down)"
    r"|(?P<tilt_up>tilt(?:s|ing)? up|tilt(?:s|ing)?)"
    r")\b",
    re.IGNORECASE,
)


def camera_move_for(motion_prompt: str) -> CameraMove:
    """The camera move the prompt names first, or a gentle push-in if it names none."""
    match = _MOVE_PATTERN.search(motion_prompt)
    if match is None or match.lastgroup is None:
        return GENTLE_PUSH_IN
    return _MOVES[match.lastgroup.replace("_", " ")]


def render_i2v(
    image: bytes, motion_prompt: str, duration_seconds: int, out_dir: Path
) -> RenderedVideo:
    """A 1280x720 clip of the camera moving over `image` as the prompt says."""
    if duration_seconds not in I2V_DURATIONS:
        durations = ", ".join(str(seconds) for seconds in sorted(I2V_DURATIONS))
        raise ValueError(f"duration_seconds must be one of {durations}")
    move = camera_move_for(motion_prompt)
    canvas_size = _canvas_size(HD_SIZE, move.tightest_scale)
    canvas = _cover(_decoded_image(image, canvas_size), canvas_size)
    stickers = [
        _mark_sticker(HD_SIZE),
        _detail_sticker(f"camera: {move.name}", HD_SIZE),
        *_caption_sticker(motion_prompt, HD_SIZE),
    ]
    frame_count = duration_seconds * FPS

    def draw_frame(index: int) -> Image.Image:
        view = move.view_at(_eased(index / (frame_count - 1)))
        box = view.box(canvas.size)
        frame = canvas.resize(HD_SIZE, Image.Resampling.BILINEAR, box=box)
        _stamp(frame, stickers)
        return frame

    return _write_mp4(out_dir, "i2v", HD_SIZE, FPS, frame_count, draw_frame)


def _decoded_image(data: bytes, needed: Size) -> Image.Image:
    try:
        image = Image.open(io.BytesIO(data))
        # A large JPEG decodes straight to a smaller size that still covers `needed`.
        image.draft("RGB", needed)
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise ValueError("the source is not an image (expected JPEG, PNG or WebP)") from error
    return _opaque(ImageOps.exif_transpose(image))


def _opaque(image: Image.Image) -> Image.Image:
    """RGB; transparent areas show a neutral grey instead of whatever colour they hide."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        background = Image.new("RGBA", image.size, (40, 40, 40, 255))
        return Image.alpha_composite(background, image.convert("RGBA")).convert("RGB")
    return image.convert("RGB")


def _canvas_size(frame: Size, tightest_scale: float) -> Size:
    """Big enough that the tightest view still has a source pixel per frame pixel."""
    width = math.ceil(frame[0] / tightest_scale / 16) * 16
    return width, width * frame[1] // frame[0]


def _cover(image: Image.Image, size: Size) -> Image.Image:
    return ImageOps.fit(image, size, Image.Resampling.BICUBIC)


def _eased(progress: float) -> float:
    """Ease in and out, so the camera starts and stops gently."""
    return (1 - math.cos(math.pi * progress)) / 2


# --- Drawn scenes (text to video, CogVideoX) --------------------------------------


@dataclass(frozen=True)
class Sprite:
    """A translucent shape gliding on a Lissajous path through the frame."""

    image: Image.Image
    centre: tuple[float, float]
    amplitude: tuple[float, float]
    cycles_per_second: tuple[float, float]
    phase: tuple[float, float]

    def position_at(self, seconds: float) -> tuple[int, int]:
        x, y = (
            centre + amplitude * math.sin(2 * math.pi * cycles * seconds + phase)
            for centre, amplitude, cycles, phase in zip(
                self.centre, self.amplitude, self.cycles_per_second, self.phase
            )
        )
        return round(x - self.image.width / 2), round(y - self.image.height / 2)


@dataclass(frozen=True)
class Scene:
    """A gradient drifting behind moving shapes, all chosen by the prompt."""

    background: Image.Image  # larger than the frame: the margin is the drift room
    frame_size: Size
    drift_start: tuple[int, int]
    drift_end: tuple[int, int]
    sprites: tuple[Sprite, ...]

    def draw(self, seconds: float, progress: float) -> Image.Image:
        eased = _eased(progress)
        # Whole-pixel steps are invisible on a smooth gradient, and crop is ~50x
        # cheaper than a sub-pixel resize.
        left, top = (
            round(start + (end - start) * eased)
            for start, end in zip(self.drift_start, self.drift_end)
        )
        frame = self.background.crop(
            (left, top, left + self.frame_size[0], top + self.frame_size[1])
        )
        for sprite in self.sprites:
            frame.paste(sprite.image, sprite.position_at(seconds), sprite.image)
        return frame


def render_t2v(prompt: str, duration_seconds: int, out_dir: Path) -> RenderedVideo:
    """A 1280x720 animated scene drawn from the prompt, `duration_seconds` long."""
    if problem := get(VIDEO_T2V).param("duration").violation(duration_seconds):
        raise ValueError(f"duration_seconds: {problem}")
    frame_count = int(duration_seconds) * FPS  # the API's validation lets 5.0 through
    scene = _scene_for(prompt, HD_SIZE)
    stickers = [_mark_sticker(HD_SIZE), *_caption_sticker(prompt, HD_SIZE)]
    draw_frame = _scene_frames(scene, stickers, FPS, frame_count)
    return _write_mp4(out_dir, "t2v", HD_SIZE, FPS, frame_count, draw_frame)


def render_cogvideox(
    prompt: str,
    num_frames: int,
    guidance_scale: float,
    num_inference_steps: int,
    out_dir: Path,
) -> RenderedVideo:
    """`num_frames` frames of 720x480 at 8 fps, drawn from the prompt."""
    kind = get(VIDEO_COGVIDEOX)
    for name, value in (
        ("num_frames", num_frames),
        ("guidance_scale", guidance_scale),
        ("num_inference_steps", num_inference_steps),
    ):
        if problem := kind.param(name).violation(value):
            raise ValueError(f"{name}: {problem}")
    scene = _scene_for(prompt, COGVIDEOX_SIZE)
    detail = f"guidance {float(guidance_scale)!r} · {int(num_inference_steps)} steps"
    stickers = [
        _mark_sticker(COGVIDEOX_SIZE),
        _detail_sticker(detail, COGVIDEOX_SIZE),
        *_caption_sticker(prompt, COGVIDEOX_SIZE),
    ]
    frame_count = int(num_frames)  # the API's validation lets 49.0 through
    draw_frame = _scene_frames(scene, stickers, COGVIDEOX_FPS, frame_count)
    return _write_mp4(out_dir, "cogvideox", COGVIDEOX_SIZE, COGVIDEOX_FPS, frame_count, draw_frame)


def _scene_frames(scene: Scene, stickers: list[Sticker], fps: int, frame_count: int) -> DrawFrame:
    def draw_frame(index: int) -> Image.Image:
        frame = scene.draw(index / fps, index / max(frame_count - 1, 1))
        _stamp(frame, stickers)
        return frame

    return draw_frame


def _scene_for(prompt: str, frame_size: Size) -> Scene:
    rng = random.Random(_seed(prompt))
    width, height = frame_size
    margin_x, margin_y = width // 5, height // 5
    background = _gradient(width + margin_x, height + margin_y, rng)
    corners = [(0, 0), (margin_x, 0), (0, margin_y), (margin_x, margin_y)]
    drift_start, drift_end = rng.sample(corners, 2)
    sprites = tuple(_sprite(rng, frame_size) for _ in range(_shape_count(prompt)))
    return Scene(background, frame_size, drift_start, drift_end, sprites)


def _seed(prompt: str) -> int:
    # Only the prompt: the same words give the same palette and shapes at any size.
    key = json.dumps(["video", prompt]).encode()
    return int.from_bytes(hashlib.sha256(key).digest(), "big")


def _sprite(rng: random.Random, frame_size: Size) -> Sprite:
    width, height = frame_size
    short_side = min(width, height)
    radius = rng.randint(short_side // 12, short_side // 5)
    image = Image.new("RGBA", (2 * radius, 2 * radius))
    draw = ImageDraw.Draw(image)
    fill = (*_random_colour(rng, rng.uniform(0.3, 0.8)), rng.randint(90, 190))
    box = (0, 0, 2 * radius - 1, 2 * radius - 1)
    draw_random_shape(draw, rng, box, (radius, radius, radius), radius // 2, fill)
    return Sprite(
        image=image,
        centre=(rng.uniform(0.15, 0.85) * width, rng.uniform(0.15, 0.85) * height),
        amplitude=(rng.uniform(0.08, 0.3) * width, rng.uniform(0.08, 0.3) * height),
        cycles_per_second=(rng.uniform(0.08, 0.3), rng.uniform(0.08, 0.3)),
        phase=(rng.uniform(0, 2 * math.pi), rng.uniform(0, 2 * math.pi)),
    )


# --- Overlays ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sticker:
    """A small drawn RGBA patch, pasted at the same place on every frame."""

    image: Image.Image
    position: tuple[int, int]


def _stamp(frame: Image.Image, stickers: list[Sticker]) -> None:
    for sticker in stickers:
        frame.paste(sticker.image, sticker.position, sticker.image)


def _label(
    text: str,
    font_size: int,
    colour: tuple[int, int, int],
    fill: tuple[int, int, int, int],
    bold: bool = False,
) -> Image.Image:
    font = _font(font_size)
    stroke = 1 if bold else 0
    padding = font_size // 2
    text_width = math.ceil(font.getlength(text)) + 2 * stroke
    patch = Image.new("RGBA", (text_width + 2 * padding, round(font_size * 1.8)))
    draw = ImageDraw.Draw(patch)
    draw.rounded_rectangle(
        (0, 0, patch.width - 1, patch.height - 1), radius=padding // 2, fill=fill
    )
    # A stroke in the fill colour makes the default (regular) font read as bold.
    draw.text(
        (padding + stroke, patch.height / 2),
        text,
        font=font,
        anchor="lm",
        fill=colour,
        stroke_width=stroke,
        stroke_fill=colour,
    )
    return patch


def _mark_sticker(frame_size: Size) -> Sticker:
    """The sandbox mark, small, in the top-left corner, in the images' colours."""
    height = frame_size[1]
    badge = _label(
        SANDBOX_MARK,
        max(14, height // 32),
        MARK_TEXT_COLOUR,
        (*MARK_BAND_COLOUR, 220),
        bold=True,
    )
    margin = height // 36
    return Sticker(badge, (margin, margin))


def _detail_sticker(text: str, frame_size: Size) -> Sticker:
    """A quieter label in the top-right corner, e.g. the camera move."""
    width, height = frame_size
    label = _label(text, max(12, height // 45), (255, 255, 255), (0, 0, 0, 150))
    margin = height // 36
    return Sticker(label, (width - margin - label.width, margin))


def _caption_sticker(text: str, frame_size: Size) -> list[Sticker]:
    """The prompt in at most two lines on a panel at the bottom; none if it is blank."""
    width, height = frame_size
    font_size = max(14, height // 30)
    font, padding = _font(font_size), font_size * 3 // 4
    line_height = round(font_size * 1.3)
    lines = _wrap(" ".join(text.split()), font, int(width * 0.8), max_lines=2)
    if not lines:
        return []
    text_width = math.ceil(max(font.getlength(line) for line in lines))
    panel = Image.new("RGBA", (text_width + 2 * padding, len(lines) * line_height + 2 * padding))
    draw = ImageDraw.Draw(panel)
    draw.rounded_rectangle(
        (0, 0, panel.width - 1, panel.height - 1), radius=padding // 2, fill=(0, 0, 0, 150)
    )
    for index, line in enumerate(lines):
        draw.text((padding, padding + index * line_height), line, font=font, fill="white")
    position = ((width - panel.width) // 2, height - panel.height - height // 24)
    return [Sticker(panel, position)]


# --- Encoding and reading back ----------------------------------------------------


def _write_mp4(
    out_dir: Path,
    kind: str,
    size: Size,
    fps: int,
    frame_count: int,
    draw_frame: DrawFrame,
) -> RenderedVideo:
    path = _new_mp4_path(out_dir, kind)
    try:
        with av.open(str(path), "w", options=CONTAINER_OPTIONS) as container:
            stream = container.add_stream("libx264", rate=fps)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.options = ENCODER_OPTIONS
            for frame in _video_frames(draw_frame, fps, frame_count):
                container.mux(stream.encode(frame))
            container.mux(stream.encode())  # flush the frames x264 still holds
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return RenderedVideo(path, size[0], size[1], fps, frame_count, frame_count / fps)


def _new_mp4_path(out_dir: Path, kind: str) -> Path:
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        delete=False, prefix=f"sandbox-{kind}-", suffix=".mp4", dir=out_dir
    ) as reserved:
        return Path(reserved.name)


def _video_frames(draw_frame: DrawFrame, fps: int, frame_count: int) -> Iterator[av.VideoFrame]:
    """Frames in order, drawn on a helper thread while this one encodes.

    Pillow and x264 release the GIL, so drawing and encoding overlap: a 5 s clip
    encodes in about two thirds of the time it takes one after the other.
    """

    def video_frame(index: int) -> av.VideoFrame:
        frame = av.VideoFrame.from_image(draw_frame(index))
        frame.pts, frame.time_base = index, Fraction(1, fps)
        return frame

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-video") as pool:
        pending: deque[Future[av.VideoFrame]] = deque()
        for index in range(frame_count):
            pending.append(pool.submit(video_frame, index))
            if len(pending) > FRAMES_AHEAD:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
