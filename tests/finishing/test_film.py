"""A film: a title card and scenes under their narrations, as a player reads it."""

import csv
import io
import re
import zipfile

import av
import pytest

from studio.finishing import film
from studio.finishing.film import BREATH, TITLE_SECONDS, Scene, make_film
from studio.finishing.mixing import FinishingError
from studio.generations import dispatch, submission
from studio.generations.models import Generation, Status
from studio.multimodal import catalog
from studio.sandbox import media
from studio.teams.models import Membership
from tests.finishing.film_clips import colour_at, colour_clip
from tests.finishing.helpers import (
    audio_seconds,
    finished_speech,
    finished_video,
    loudness,
    subtitle_cues,
)

RED, BLUE = (220, 30, 30), (30, 30, 220)
NARRATIONS = ["The harbour wakes. Boats drift out.",
              "Gulls circle the masts.",
              "By noon the quay is full of voices, nets and the smell of the sea."]


def players_view(path) -> dict:
    with av.open(str(path)) as container:
        return {kind: [(s.codec_context.name, getattr(s.codec_context, "sample_rate", None))
                       for s in container.streams if s.type == kind]
                for kind in ("video", "audio", "subtitle")}


def spoken(tmp_path, name: str, text: str):
    mp3, _ = media.synthesize_mp3(text, "Wise_Woman")
    path = tmp_path / f"{name}.mp3"
    path.write_bytes(mp3)
    return path, audio_seconds(path)


def film_of(team, owner, scenes, *, title="The Harbour", crossfade=0.5) -> Generation:
    membership = Membership.objects.get(team=team, user=owner)
    order = submission.Order(kind=catalog.get(catalog.FILM), params={
        "title": title, "crossfade": crossfade,
        "scenes": [{"clip": clip.pk, "speech": speech.pk, "text": speech.params["text"]}
                   for clip, speech in scenes]})
    assert submission.submit(membership, owner, order).queued
    dispatch.tick()
    return Generation.objects.filter(kind=catalog.FILM).latest("id")


def scene_seconds(clip: float, voice: float, crossfade: float, *, last: bool) -> float:
    return max(clip, max(voice + BREATH, crossfade) + (0 if last else crossfade))


@pytest.mark.django_db
def test_a_film_of_three_scenes_plays_as_one_mp4_with_sound_and_subtitles(
        owner_client, team_a, owner, tmp_path):
    clips = [finished_video(team_a, owner, tmp_path, prompt, seconds=2)
             for prompt in ("a harbour at dawn", "gulls over masts", "a busy quay")]
    voices = [finished_speech(team_a, owner, text) for text in NARRATIONS]
    made = film_of(team_a, owner, list(zip(clips, voices)))
    assert made.status == Status.SUCCEEDED, made.error_message
    path = made.media.path
    assert players_view(path) == {"video": [("h264", None)], "audio": [("aac", 48_000)],
                                  "subtitle": [("mov_text", None)]}
    scenes = [scene_seconds(c.duration_ms / 1000, audio_seconds(v.media.path), 0.5,
                            last=n == 2) for n, (c, v) in enumerate(zip(clips, voices))]
    length = TITLE_SECONDS + sum(scenes) - 3 * 0.5
    assert made.duration_ms / 1000 == pytest.approx(length, abs=0.1)
    assert audio_seconds(path) == pytest.approx(length, abs=0.1)
    starts = made.params["starts"]
    assert starts == pytest.approx([1.5, 1.5 + scenes[0] - 0.5,
                                    1.5 + scenes[0] + scenes[1] - 1.0], abs=0.1)
    cues = subtitle_cues(path)
    assert [text for _, _, text in cues] == ["The harbour wakes.", "Boats drift out.",
                                             "Gulls circle the masts.", NARRATIONS[2]]
    assert [start for start, _, text in cues if text != "Boats drift out."] == \
        pytest.approx(starts, abs=0.01)
    assert cues[1][1] <= starts[1]  # each narration's words end before the next scene
    assert made.params["cues"][0][:2] == pytest.approx(list(cues[0][:2]), abs=0.01)
    assert loudness(path, 0.2, 1.2) < 0.001  # the title card is silent
    assert loudness(path, starts[0] + 0.6, starts[0] + 1.2) > 0.01  # the narration
    assert made.made_from == [clips[0].pk, voices[0].pk, clips[1].pk, voices[1].pk,
                              clips[2].pk, voices[2].pk]


@pytest.mark.django_db
def test_a_films_subtitles_download_as_srt_and_vtt(owner_client, team_a, owner, tmp_path):
    clip = finished_video(team_a, owner, tmp_path, "a quiet lane", seconds=1)
    voice = finished_speech(team_a, owner, "Later words.")
    made = film_of(team_a, owner, [(clip, voice)], crossfade=1.0)
    assert made.status == Status.SUCCEEDED, made.error_message
    srt = owner_client.get(f"/generations/{made.pk}/subtitles.srt").content.decode()
    assert srt.startswith("1\n00:00:01,000 --> ") and "Later words." in srt
    vtt = owner_client.get(f"/generations/{made.pk}/subtitles.vtt").content.decode()
    assert "00:00:01.000 -->" in vtt and "Later words." in vtt


@pytest.mark.django_db
def test_a_film_naming_an_item_gone_from_the_gallery_fails_naming_it(
        team_a, owner, tmp_path):
    clip = finished_video(team_a, owner, tmp_path, seconds=1)
    voice = finished_speech(team_a, owner, "Gone soon.")
    trashed = finished_speech(team_a, owner, "Trashed.")
    trashed.deleted_at = trashed.created_at
    trashed.save()
    made = film_of(team_a, owner, [(clip, voice), (clip, trashed)])
    assert made.status == Status.FAILED
    assert f"speech #{trashed.pk}" in made.error_message
    assert f"#{voice.pk}" not in made.error_message


def test_the_title_card_comes_first_and_scenes_dissolve_into_each_other(tmp_path):
    red = colour_clip(tmp_path / "red.mp4", RED, 2.0)
    blue = colour_clip(tmp_path / "blue.mp4", BLUE, 2.0)
    (first, first_s), (second, second_s) = (spoken(tmp_path, "one", "One."),
                                            spoken(tmp_path, "two", "Two."))
    out = tmp_path / "film.mp4"
    made = make_film([Scene(red, first, "One.", "Red"), Scene(blue, second, "Two.", "Blue")],
                     "Colours", out, crossfade=1.0)
    card = colour_at(out, 0.5)
    assert max(card) < 60  # dark, with the title drawn in the middle
    red_seconds = scene_seconds(2.0, first_s, 1.0, last=False)
    assert made.starts == pytest.approx([1.0, 1.0 + red_seconds - 1.0], abs=0.05)
    middle = colour_at(out, made.starts[1] + 0.5)
    assert all(abs(a - (r + b) / 2) <= 20 for a, r, b in zip(middle, RED, BLUE))
    assert made.length == pytest.approx(
        1.0 + red_seconds + scene_seconds(2.0, second_s, 1.0, last=True) - 1.0, abs=0.05)


def test_a_clip_shorter_than_its_narration_is_looped(tmp_path):
    words = "A long narration that goes on well past the end of a very short clip."
    voice, voice_s = spoken(tmp_path, "long", words)
    short = colour_clip(tmp_path / "short.mp4", RED, 1.0, then=BLUE)  # red, then blue
    out = tmp_path / "film.mp4"
    made = make_film([Scene(short, voice, words)], "Loop", out, crossfade=0.0)
    assert made.length == pytest.approx(TITLE_SECONDS + voice_s + BREATH, abs=0.05)
    start = made.starts[0]
    assert close(colour_at(out, start + 0.25), RED) and close(colour_at(out, start + 0.75), BLUE)
    assert close(colour_at(out, start + 1.25), RED)  # played again from its start
    assert close(colour_at(out, start + 2.75), BLUE)
    assert made.cues[-1].end <= made.length


def test_the_last_frame_is_held_where_a_loop_would_be_cut_within_a_second(tmp_path):
    words = "The harbour wakes. Boats drift out."
    voice, voice_s = spoken(tmp_path, "words", words)
    clip_s = voice_s + BREATH - 0.6  # 0.6 s short: a loop would jump back for 0.6 s
    clip = colour_clip(tmp_path / "clip.mp4", RED, clip_s, then=BLUE)
    out = tmp_path / "film.mp4"
    made = make_film([Scene(clip, voice, words)], "Hold", out, crossfade=0.0)
    assert made.length == pytest.approx(TITLE_SECONDS + voice_s + BREATH, abs=0.05)
    assert close(colour_at(out, made.starts[0] + clip_s + 0.3), BLUE)  # held, not red


def close(found, wanted, slack=25) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(found, wanted))


@pytest.mark.parametrize(("title", "crossfade", "count", "message"), [
    ("", 0.5, 1, "A film needs a title of 1 to"),
    ("Fine", 2.5, 1, "The crossfade is 0 to 2 s (this is 2.5 s)."),
    ("Fine", 0.5, 0, "A film has 1 to"),
    ("Fine", 0.5, film.MAX_SCENES + 1, "A film has 1 to"),
])
def test_a_film_without_a_title_scenes_or_a_sensible_crossfade_is_refused(
        tmp_path, title, crossfade, count, message):
    scene = Scene(tmp_path / "never.mp4", tmp_path / "never.mp3", "Never.")
    with pytest.raises(FinishingError, match=re.escape(message)):
        make_film([scene] * count, title, tmp_path / "film.mp4", crossfade=crossfade)


@pytest.mark.django_db
def test_a_films_page_lists_its_scenes_parts_and_zips_them_with_a_manifest(
        owner_client, team_a, owner, tmp_path):
    clip = finished_video(team_a, owner, tmp_path, "a quiet lane", seconds=1)
    voices = [finished_speech(team_a, owner, words) for words in ("First.", "Second.")]
    made = film_of(team_a, owner, [(clip, voices[0]), (clip, voices[1])])
    assert made.status == Status.SUCCEEDED, made.error_message
    page = owner_client.get(f"/generations/{made.pk}/").content.decode()
    for pk in (clip.pk, voices[0].pk, voices[1].pk):
        assert f'href="/generations/{pk}/"' in page
    assert f'href="/generations/{made.pk}/parts.zip"' in page
    assert "/generate/film/" not in page  # no form to remix it in: a storyboard makes it
    response = owner_client.get(f"/generations/{made.pk}/parts.zip")
    assert response["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        names = archive.namelist()
        rows = list(csv.DictReader(io.StringIO(archive.read("manifest.csv").decode())))
        assert archive.read(clip.download_name) == clip.media.open("rb").read()
    assert names == ["manifest.csv", clip.download_name, voices[0].download_name,
                     voices[1].download_name]  # the clip of both scenes, once
    assert [int(row["id"]) for row in rows] == [clip.pk, voices[0].pk, voices[1].pk]


@pytest.mark.django_db
def test_another_teams_film_parts_cannot_be_downloaded(owner_client, outsider_client, team_a,
                                                        owner, tmp_path):
    clip = finished_video(team_a, owner, tmp_path, "a quiet lane", seconds=1)
    made = film_of(team_a, owner, [(clip, finished_speech(team_a, owner, "Mine."))])
    assert owner_client.get(f"/generations/{made.pk}/parts.zip").status_code == 200
    assert outsider_client.get(f"/generations/{made.pk}/parts.zip").status_code == 404


@pytest.mark.django_db
def test_a_film_is_named_and_found_by_its_title(owner_client, team_a, owner, tmp_path):
    clip = finished_video(team_a, owner, tmp_path, "a quiet lane", seconds=1)
    made = film_of(team_a, owner, [(clip, finished_speech(team_a, owner, "Mine."))],
                   title="Harbour at dawn")
    assert made.summary == "Harbour at dawn"
    assert made.download_name.startswith("harbour-at-dawn")
    found = owner_client.get("/?q=harbour").content.decode()
    assert f'data-generation-id="{made.pk}"' in found and "Harbour at dawn" in found
