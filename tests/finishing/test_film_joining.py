"""Joining with trims and crossfades: what a player reads back from the joined MP4."""

import pytest

from studio.finishing.joining import Part, join
from studio.finishing.mixing import FinishingError
from studio.finishing.subtitles import Cue
from studio.generations import dispatch, submission
from studio.generations.models import Generation, Status
from studio.multimodal import catalog
from studio.teams.models import Membership
from tests.finishing.film_clips import colour_at, colour_clip
from tests.finishing.helpers import (
    audio_seconds,
    finished_video,
    loudness,
    streams,
    subtitle_cues,
)

RED, BLUE = (220, 30, 30), (30, 30, 220)


@pytest.fixture
def red_and_blue(tmp_path):
    return (colour_clip(tmp_path / "red.mp4", RED, 2.0, tone=0.5),
            colour_clip(tmp_path / "blue.mp4", BLUE, 2.0))


def close_to(found, wanted, slack=25) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(found, wanted))


def test_trimmed_parts_that_crossfade_are_as_long_as_their_trims_less_the_overlap(
        red_and_blue, tmp_path):
    red, blue = red_and_blue
    out = tmp_path / "joined.mp4"
    length, _cues, starts = join([Part(red, [], "Red", trim_in=0.5),
                                  Part(blue, [], "Blue", trim_out=1.5, crossfade=0.5)], out)
    assert length == pytest.approx(1.5 + 1.5 - 0.5, abs=0.05)
    assert starts == [0.0, pytest.approx(1.0, abs=0.05)]
    assert streams(out)["video"][1] == pytest.approx(2.5, abs=0.05)
    assert audio_seconds(out) == pytest.approx(2.5, abs=0.03)


def test_mid_crossfade_the_picture_is_a_blend_of_the_two_clips(red_and_blue, tmp_path):
    red, blue = red_and_blue
    out = tmp_path / "joined.mp4"
    join([Part(red, [], "Red"), Part(blue, [], "Blue", crossfade=1.0)], out)
    assert close_to(colour_at(out, 0.5), RED)
    middle = colour_at(out, 1.5)  # halfway through the dissolve (1 s to 2 s)
    assert close_to(middle, [(r + b) / 2 for r, b in zip(RED, BLUE)], slack=20)
    assert close_to(colour_at(out, 1.15), RED, slack=60)  # early: mostly red
    assert not close_to(colour_at(out, 1.15), RED, slack=5)  # but already blending
    assert close_to(colour_at(out, 2.5), BLUE)


def test_the_sound_crossfades_from_one_clip_to_the_other(tmp_path):
    loud = colour_clip(tmp_path / "loud.mp4", RED, 2.0, tone=0.5)
    soft = colour_clip(tmp_path / "soft.mp4", BLUE, 2.0, tone=0.3, pitch=660)
    out = tmp_path / "faded.mp4"
    join([Part(loud, [], "Loud"), Part(soft, [], "Soft", crossfade=1.0)], out)
    loud_alone, soft_alone = loudness(out, 0.1, 0.9), loudness(out, 2.2, 2.9)
    assert loud_alone > 0.2 and soft_alone > 0.1
    for at in (1.1, 1.5, 1.9):  # the dissolve: 1 s to 2 s; tones of two pitches add up
        share = at - 1.0
        wanted = (((1 - share) * loud_alone) ** 2 + (share * soft_alone) ** 2) ** 0.5
        assert loudness(out, at - 0.05, at + 0.05) == pytest.approx(wanted, rel=0.15)


def test_a_cut_keeps_each_clips_sound_to_its_own_picture(red_and_blue, tmp_path):
    red, blue = red_and_blue
    out = tmp_path / "cut.mp4"
    join([Part(red, [], "Red"), Part(blue, [], "Blue")], out)
    assert loudness(out, 1.5, 1.95) == pytest.approx(loudness(out, 0.1, 0.9), rel=0.05)
    assert loudness(out, 2.05, 3.9) < 0.001


def test_subtitles_are_trimmed_with_their_clip_and_move_with_it(red_and_blue, tmp_path):
    red, blue = red_and_blue
    out = tmp_path / "joined.mp4"
    red_cues = [Cue(0.0, 0.4, "Trimmed away."), Cue(0.6, 1.9, "Partly kept.")]
    blue_cues = [Cue(0.0, 1.0, "Blue begins."), Cue(1.2, 2.0, "After the cut.")]
    _, cues, _ = join([Part(red, red_cues, "Red", trim_in=0.5),
                       Part(blue, blue_cues, "Blue", trim_out=1.1, crossfade=0.5)], out)
    assert [(c.start, c.end, c.text) for c in cues] == [
        (0.1, pytest.approx(1.0, abs=0.05), "Partly kept."),
        (pytest.approx(1.0, abs=0.05), pytest.approx(2.0, abs=0.05), "Blue begins.")]
    assert [text for _, _, text in subtitle_cues(out)] == ["Partly kept.", "Blue begins."]


@pytest.mark.parametrize(("cuts", "message"), [
    ([{}, {"trim_out": 3.0}], "Blue is 2.00 s long: it cannot be cut at 3 s."),
    ([{"trim_in": 1.5, "trim_out": 1.5}, {}], "Red: the trim must start before it ends"),
    ([{"trim_in": 2.5}, {}], "Red: the trim must start before it ends"),
    ([{"trim_in": -1}, {}], "Red: the trim cannot start before 0 s"),
    ([{"trim_in": 1.5}, {"crossfade": 1.0}], "Red plays 0.50 s once trimmed, too short"),
    ([{}, {"trim_out": 0.5, "crossfade": 1.0}], "Blue plays 0.50 s once trimmed, too short"),
    ([{}, {"crossfade": -0.5}], "Blue: a crossfade cannot be negative"),
])
def test_trims_and_crossfades_that_cannot_be_played_are_refused_naming_the_clip(
        red_and_blue, tmp_path, cuts, message):
    red, blue = red_and_blue
    with pytest.raises(FinishingError, match=message.replace("(", r"\(")):
        join([Part(red, [], "Red", **cuts[0]), Part(blue, [], "Blue", **cuts[1])],
             tmp_path / "never.mp4")
    assert not (tmp_path / "never.mp4").exists()


@pytest.mark.django_db
def test_a_sequence_made_with_trims_and_crossfades_plays_them(team_a, owner, tmp_path):
    first = finished_video(team_a, owner, tmp_path, "waves at dawn", seconds=2)
    second = finished_video(team_a, owner, tmp_path, "clouds at noon", seconds=2)
    membership = Membership.objects.get(team=team_a, user=owner)
    order = submission.Order(kind=catalog.get(catalog.SEQUENCE), params={
        "parts": [first.pk, second.pk], "trims": [[0.5, None], [0, 1.5]],
        "crossfades": [0, 0.5]})
    assert submission.submit(membership, owner, order).queued
    dispatch.tick()
    sequence = Generation.objects.get(kind=catalog.SEQUENCE)
    assert sequence.status == Status.SUCCEEDED, sequence.error_message
    assert streams(sequence.media.path)["video"][1] == pytest.approx(2.5, abs=0.1)
    assert sequence.params["starts"] == [0.0, pytest.approx(1.0, abs=0.05)]
