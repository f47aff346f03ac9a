"""The sandbox's video: real H.264 MP4s, read back with PyAV."""

from __future__ import annotations

import io
import random
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import av
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageStat

from studio.sandbox.video import (
    GENTLE_PUSH_IN,
    RenderedVideo,
    camera_move_for,
    poster_frame,
    probe,
    render_cogvideox,
    render_i2v,
    render_t2v,
)

PROMPT = "A serene ocean wave crashing on a beach at golden hour"


def photo(size: tuple[int, int], image_format: str) -> bytes:
    """A busy, bright, non-repeating picture, so any camera move shows."""
    rng = random.Random(7)
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(image)
    for _ in range(400):
        x, y = rng.randrange(size[0]), rng.randrange(size[1])
        side = rng.randrange(10, 120)
        colour = tuple(rng.randrange(80, 256) for _ in range(3))
        draw.rectangle((x, y, x + side, y + side), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, image_format)
    return buffer.getvalue()


def first_and_last_frames(path: Path) -> tuple[Image.Image, Image.Image]:
    with av.open(str(path)) as container:
        frames = container.decode(video=0)
        first = next(frames)
        rest = deque(frames, maxlen=1)
        return first.to_image(), (rest[0] if rest else first).to_image()


def mean_difference(a: Image.Image, b: Image.Image) -> float:
    """Mean absolute difference per channel, 0..255."""
    return sum(ImageStat.Stat(ImageChops.difference(a, b)).mean) / len(a.getbands())


# The same drawing can encode a level or two apart: swscale's RGB to YUV rounding
# follows the buffers' memory alignment, and x264 then decides a little differently.
SAME_PICTURE = 2.0


def horizontal_shift(before: Image.Image, after: Image.Image) -> int:
    """How far the picture slid left between two frames, in 1/8 frame pixels.

    Compares a small grey middle band (the stickers sit above and below it) at every
    candidate shift and keeps the best match; negative means it slid right.
    """
    small = (160, 90)
    band = (0, 20, 160, 70)
    a, b = (frame.convert("L").resize(small).crop(band) for frame in (before, after))
    width, height = a.size

    def mismatch(shift: int) -> float:
        if shift >= 0:
            return mean_difference(
                b.crop((0, 0, width - shift, height)), a.crop((shift, 0, width, height))
            )
        return mean_difference(
            b.crop((-shift, 0, width, height)), a.crop((0, 0, width + shift, height))
        )

    return min(range(-56, 57), key=mismatch)


def direction(change: float) -> int:
    return (change > 1e-9) - (change < -1e-9)


def assert_probed(video: RenderedVideo, size: tuple[int, int], fps: int, frames: int) -> None:
    probed = probe(video.path)
    assert (probed.width, probed.height) == size
    assert probed.fps == fps
    assert probed.frame_count == frames
    assert probed.duration_seconds == pytest.approx(frames / fps, abs=0.01)
    assert (video.width, video.height, video.fps, video.frame_count) == (*size, fps, frames)
    assert video.duration_seconds == pytest.approx(frames / fps)


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("videos")


@pytest.fixture(scope="module")
def pan_right(out_dir) -> RenderedVideo:
    return render_i2v(photo((1920, 1080), "PNG"), "Camera pans right", 5, out_dir)


@pytest.fixture(scope="module")
def pan_left(out_dir) -> RenderedVideo:
    return render_i2v(photo((1600, 1200), "WEBP"), "slow pan left over the bay", 4, out_dir)


@pytest.fixture(scope="module")
def t2v_second(out_dir) -> RenderedVideo:
    return render_t2v(PROMPT, 1, out_dir)


# --- Image to video ---------------------------------------------------------------


def test_i2v_is_5_seconds_of_1280x720_at_24_fps(pan_right):
    assert pan_right.path.suffix == ".mp4"
    assert_probed(pan_right, (1280, 720), 24, 120)


def test_i2v_lasts_a_4_second_providers_clip(pan_left):
    assert_probed(pan_left, (1280, 720), 24, 96)


def test_i2v_is_h264_in_yuv420p(pan_right):
    with av.open(str(pan_right.path)) as container:
        codec = container.streams.video[0].codec_context
        assert (codec.name, codec.pix_fmt) == ("h264", "yuv420p")


def test_i2v_camera_moves_between_first_and_last_frame(pan_right):
    first, last = first_and_last_frames(pan_right.path)
    assert mean_difference(first, last) > 10


def test_pan_right_and_pan_left_slide_the_picture_opposite_ways(pan_right, pan_left):
    # The view travels a fifth of its 1600-pixel canvas, which it shows 1:1: 320
    # frame pixels, 40 at the estimate's 1/8 scale.
    assert horizontal_shift(*first_and_last_frames(pan_right.path)) == pytest.approx(40, abs=3)
    assert horizontal_shift(*first_and_last_frames(pan_left.path)) == pytest.approx(-40, abs=3)


def test_i2v_cover_crops_a_portrait_jpeg_to_fill_the_frame(out_dir):
    video = render_i2v(photo((900, 1400), "JPEG"), "zoom in on the harbour", 4, out_dir)
    first, last = first_and_last_frames(video.path)
    assert first.size == (1280, 720)
    # No letterbox bars: the photo (all bright) reaches both side edges.
    middle_row = first.convert("L").crop((0, 300, 1280, 420))
    assert ImageStat.Stat(middle_row.crop((0, 0, 8, 120))).mean[0] > 60
    assert ImageStat.Stat(middle_row.crop((1272, 0, 1280, 120))).mean[0] > 60
    assert mean_difference(first, last) > 10


@pytest.mark.parametrize("data", [b"", b"not an image at all", photo((64, 64), "PNG")[:80]])
def test_i2v_rejects_bytes_that_are_not_an_image(data, tmp_path):
    with pytest.raises(ValueError, match="not an image"):
        render_i2v(data, "zoom in", 5, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_i2v_rejects_a_duration_no_provider_renders(tmp_path):
    with pytest.raises(ValueError, match="duration_seconds"):
        render_i2v(photo((64, 64), "PNG"), "zoom in", 3, tmp_path)


@pytest.mark.parametrize(
    ("motion_prompt", "move"),
    [
        ("Camera slowly zooms in while clouds drift across the sky", "zoom in"),
        ("zoom", "zoom in"),
        ("push in on her face", "zoom in"),
        ("Zoom out to reveal the city", "zoom out"),
        ("the camera pulls back", "zoom out"),
        ("pan left", "pan left"),
        ("slow pan to the left", "pan left"),
        ("PAN RIGHT", "pan right"),
        ("a lazy pan across the valley", "pan right"),
        ("tilt up to the stars", "tilt up"),
        ("tilt", "tilt up"),
        ("tilting down to the river", "tilt down"),
        ("pan left, then zoom in", "pan left"),
        ("leaves rustle in a panorama", GENTLE_PUSH_IN.name),
    ],
)
def test_the_motion_prompt_names_the_camera_move(motion_prompt, move):
    assert camera_move_for(motion_prompt).name == move


@pytest.mark.parametrize(
    ("motion_prompt", "x_step", "y_step", "grows"),
    [
        ("zoom in", 0, 0, False),
        ("zoom out", 0, 0, True),
        ("pan left", -1, 0, None),
        ("pan right", 1, 0, None),
        ("tilt up", 0, -1, None),
        ("tilt down", 0, 1, None),
        ("waves roll in", 0, 0, False),
    ],
)
def test_each_camera_move_goes_the_way_it_says(motion_prompt, x_step, y_step, grows):
    move = camera_move_for(motion_prompt)
    start, end = move.view_at(0.0), move.view_at(1.0)
    assert (start, end) == (move.start, move.end)
    assert direction(end.centre_x - start.centre_x) == x_step
    assert direction(end.centre_y - start.centre_y) == y_step
    assert (end.scale == start.scale) if grows is None else (end.scale > start.scale) == grows
    # Every view stays inside the canvas, so no frame shows an empty edge.
    for step in range(11):
        left, top, right, bottom = move.view_at(step / 10).box((1600, 900))
        assert left >= -1e-6 and top >= -1e-6 and right <= 1600 + 1e-6 and bottom <= 900 + 1e-6


# --- Text to video ----------------------------------------------------------------


@pytest.mark.parametrize("seconds", [1, 10])
def test_t2v_lasts_exactly_the_requested_seconds(seconds, out_dir, t2v_second):
    video = t2v_second if seconds == 1 else render_t2v(PROMPT, seconds, out_dir)
    assert_probed(video, (1280, 720), 24, seconds * 24)


@pytest.mark.parametrize("seconds", [0, 11])
def test_t2v_rejects_durations_outside_1_to_10_seconds(seconds, tmp_path):
    with pytest.raises(ValueError, match="duration_seconds"):
        render_t2v(PROMPT, seconds, tmp_path)


def test_t2v_scene_moves(t2v_second):
    first, last = first_and_last_frames(t2v_second.path)
    assert mean_difference(first, last) > 1


def test_t2v_same_prompt_gives_the_same_picture_in_a_new_file(out_dir, t2v_second):
    again = render_t2v(PROMPT, 1, out_dir)
    other = render_t2v("A red fox asleep in fresh snow", 1, out_dir)
    assert again.path != t2v_second.path
    assert again.path.parent == out_dir and again.path.exists()
    first = first_and_last_frames(t2v_second.path)[0]
    assert mean_difference(first, first_and_last_frames(again.path)[0]) < SAME_PICTURE
    assert mean_difference(first, first_and_last_frames(other.path)[0]) > 10 * SAME_PICTURE


# --- CogVideoX --------------------------------------------------------------------


@pytest.mark.parametrize("num_frames", [17, 33, 49])
def test_cogvideox_renders_exactly_num_frames_at_8_fps(num_frames, out_dir):
    video = render_cogvideox(
        "A robot walking through a garden in the rain", num_frames, 6.0, 50, out_dir
    )
    assert_probed(video, (720, 480), 8, num_frames)


@pytest.mark.parametrize(
    ("num_frames", "guidance_scale", "steps", "wrong"),
    [
        (20, 6.0, 50, "num_frames"),
        (17, 25.0, 50, "guidance_scale"),
        (17, 6.0, 10, "num_inference_steps"),
    ],
)
def test_cogvideox_rejects_what_the_api_rejects(num_frames, guidance_scale, steps, wrong, tmp_path):
    with pytest.raises(ValueError, match=wrong):
        render_cogvideox("rain", num_frames, guidance_scale, steps, tmp_path)


def test_renders_on_several_threads_match_renders_on_one(tmp_path):
    prompts = ["a lighthouse at dusk", "bees over a lavender field"]
    one_by_one = [render_cogvideox(p, 17, 6.0, 50, tmp_path / "serial") for p in prompts]
    with ThreadPoolExecutor(max_workers=2) as pool:
        together = list(pool.map(lambda p: render_cogvideox(p, 17, 6.0, 50, tmp_path), prompts))
    for alone, threaded in zip(one_by_one, together):
        assert probe(threaded.path).frame_count == 17
        for a, b in zip(first_and_last_frames(alone.path), first_and_last_frames(threaded.path)):
            assert mean_difference(a, b) < SAME_PICTURE


# --- Posters ----------------------------------------------------------------------


def test_poster_frame_is_a_jpeg_of_the_first_frame_from_a_path(t2v_second):
    poster = Image.open(io.BytesIO(poster_frame(t2v_second.path, max_width=320)))
    assert poster.format == "JPEG"
    assert poster.size == (320, 180)
    first = first_and_last_frames(t2v_second.path)[0].resize((320, 180))
    assert mean_difference(poster.convert("RGB"), first) < 6


def test_poster_frame_reads_an_open_file(t2v_second):
    with t2v_second.path.open("rb") as file:
        poster = Image.open(io.BytesIO(poster_frame(file)))
    assert poster.format == "JPEG"
    assert poster.size == (640, 360)


def test_poster_frame_keeps_a_narrow_video_at_its_own_width(out_dir):
    video = render_cogvideox("rain on a tin roof", 17, 6.0, 50, out_dir)
    poster = Image.open(io.BytesIO(poster_frame(str(video.path), max_width=1024)))
    assert poster.size == (720, 480)


def test_poster_frame_rejects_a_file_that_is_not_a_video(tmp_path):
    not_video = tmp_path / "notes.mp4"
    not_video.write_bytes(b"just some text, not a movie" * 50)
    with pytest.raises(ValueError, match="not a video"):
        poster_frame(not_video)
