"""The join editor's form: each clip's trim and the crossfade into it, checked beside
the clip, stored in the sequence's params; its plain-post edits (no JavaScript)."""

import re

import pytest

from studio.finishing.forms import CROSSFADE_MAX
from studio.generations.models import Generation, Status

pytestmark = pytest.mark.django_db


def clip(team, author, seconds: float) -> Generation:
    """A finished video of the gallery `seconds` long (the form reads its stated length)."""
    return Generation.objects.create(
        team=team, author=author, kind="video_t2v", cost=1000, params={"prompt": "waves"},
        state="succeeded", status=Status.SUCCEEDED, media="clips/waves.mp4",
        media_format="mp4", duration_ms=int(seconds * 1000))


def timeline(clips, trim_in=None, trim_out=None, crossfade=None) -> dict:
    count = len(clips)
    return {"parts": [c.pk for c in clips], "trim_in": trim_in or [""] * count,
            "trim_out": trim_out or [""] * count, "crossfade": crossfade or [""] * count}


def field_values(page: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" id="[^"]+" value="([^"]*)"', page)


def test_each_clips_trim_and_crossfade_are_stored_with_the_sequence(owner_client, team_a,
                                                                    owner):
    clips = [clip(team_a, owner, 5), clip(team_a, owner, 4), clip(team_a, owner, 3)]
    response = owner_client.post("/generate/sequence/", timeline(
        clips, trim_in=["", "1", "0.5"], trim_out=["", "3.5", "3"],
        crossfade=["2", "0", "1"]))
    assert response.status_code == 302, response.content.decode()[:2000]
    sequence = Generation.objects.get(kind="sequence")
    assert sequence.params["parts"] == [c.pk for c in clips]
    # Out at the clip's end is its end (null); the first clip's crossfade is ignored.
    assert sequence.params["trims"] == [[0.0, None], [1.0, 3.5], [0.5, None]]
    assert sequence.params["crossfades"] == [0.0, 0.0, 1.0]


def test_clips_sent_without_timing_join_whole_with_cuts(owner_client, team_a, owner):
    clips = [clip(team_a, owner, 2), clip(team_a, owner, 2)]
    response = owner_client.post("/generate/sequence/", {"parts": [c.pk for c in clips]})
    assert response.status_code == 302
    params = Generation.objects.get(kind="sequence").params
    assert params["trims"] == [[0.0, None], [0.0, None]]
    assert params["crossfades"] == [0.0, 0.0]


def test_an_out_past_the_clips_end_is_refused_beside_that_clip_keeping_all_typed(
        owner_client, team_a, owner):
    clips = [clip(team_a, owner, 5), clip(team_a, owner, 4)]
    response = owner_client.post("/generate/sequence/", timeline(
        clips, trim_in=["0.5", "1"], trim_out=["4", "9"], crossfade=["", "1.5"]))
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="clip-2-error"' in page and 'id="clip-1-error"' not in page
    assert "Out (9 s) is past the clip&#x27;s end (4 s)." in page
    assert field_values(page, "trim_in") == ["0.5", "1"]
    assert field_values(page, "trim_out") == ["4", "9"]
    assert field_values(page, "crossfade") == ["", "1.5"]
    assert not Generation.objects.filter(kind="sequence").exists()


@pytest.mark.parametrize(("trim_in", "trim_out", "message"), [
    ("-1", "", "In: give the seconds to start from"),
    ("soon", "", "In: give the seconds to start from"),
    ("", "later", "Out: give the seconds to stop at"),
    ("3", "2", "In (3 s) must be at least 0.2 s before Out (2 s)."),
    ("4", "", "In (4 s) must be at least 0.2 s before Out (4 s)."),
    ("nan", "", "In: give the seconds to start from"),
])
def test_a_trim_that_cannot_be_played_is_refused_with_why(owner_client, team_a, owner,
                                                          trim_in, trim_out, message):
    clips = [clip(team_a, owner, 4), clip(team_a, owner, 4)]
    response = owner_client.post("/generate/sequence/", timeline(
        clips, trim_in=["", trim_in], trim_out=["", trim_out]))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert field_values(response.content.decode(), "trim_in") == ["", trim_in]


def test_a_crossfade_longer_than_either_clip_it_joins_is_refused(owner_client, team_a,
                                                                 owner):
    short, long = clip(team_a, owner, 1), clip(team_a, owner, 6)
    response = owner_client.post("/generate/sequence/", timeline(
        [short, long], crossfade=["", "2"]))
    assert response.status_code == 400
    assert "The 2 s crossfade is longer than the clip before (1 s as trimmed)." in (
        response.content.decode())
    response = owner_client.post("/generate/sequence/", timeline(
        [long, short], crossfade=["", "1.5"]))
    assert "The 1.5 s crossfade is longer than this clip (1 s as trimmed)." in (
        response.content.decode())
    response = owner_client.post("/generate/sequence/", timeline(
        [long, long], trim_out=["", "1"], crossfade=["", "1"]))  # trimmed to 1 s
    assert "longer than this clip (1 s as trimmed)" in response.content.decode()
    assert not Generation.objects.filter(kind="sequence").exists()


def test_a_clips_two_crossfades_may_not_take_all_of_it(owner_client, team_a, owner):
    clips = [clip(team_a, owner, 5), clip(team_a, owner, 2), clip(team_a, owner, 5)]
    response = owner_client.post("/generate/sequence/", timeline(
        clips, crossfade=["", "1", "1"]))
    assert response.status_code == 400
    assert "Its crossfades (1 s in, 1 s out) take all of its 2 s" in response.content.decode()


def test_a_crossfade_past_the_most_or_not_a_number_is_refused(owner_client, team_a, owner):
    clips = [clip(team_a, owner, 20), clip(team_a, owner, 20)]
    response = owner_client.post("/generate/sequence/", timeline(
        clips, crossfade=["", str(CROSSFADE_MAX + 1)]))
    assert f"A crossfade lasts at most {CROSSFADE_MAX:g} s" in response.content.decode()
    response = owner_client.post("/generate/sequence/", timeline(clips, crossfade=["", "x"]))
    assert "Crossfade: give seconds, or 0 for a cut." in response.content.decode()


def test_earlier_later_remove_and_add_work_as_plain_posts_keeping_what_was_typed(
        owner_client, team_a, owner):
    a, b, c = clip(team_a, owner, 3), clip(team_a, owner, 4), clip(team_a, owner, 5)
    sent = {**timeline([a, b], trim_in=["0.5", "1"], trim_out=["", "x"]), "edit": "down:0"}
    page = owner_client.post("/generate/sequence/", sent).content.decode()
    assert re.findall(r'name="parts" value="(\d+)"', page) == [str(b.pk), str(a.pk)]
    assert field_values(page, "trim_in") == ["1", "0.5"]
    assert field_values(page, "trim_out") == ["x", ""]  # not checked: an edit, not a make
    assert "field-error" not in page
    sent = {**timeline([a, b], trim_in=["0.5", "1"]), "edit": "add", "add": [c.pk]}
    page = owner_client.post("/generate/sequence/", sent).content.decode()
    assert re.findall(r'name="parts" value="(\d+)"', page) == [str(a.pk), str(b.pk), str(c.pk)]
    assert field_values(page, "trim_in") == ["0.5", "1", ""]
    sent = {**timeline([a, b, c]), "edit": "remove:1"}
    page = owner_client.post("/generate/sequence/", sent).content.decode()
    assert re.findall(r'name="parts" value="(\d+)"', page) == [str(a.pk), str(c.pk)]
    assert not Generation.objects.filter(kind="sequence").exists()


def test_the_timeline_offers_each_clips_length_as_its_trims_limit(owner_client, team_a,
                                                                  owner):
    a, b = clip(team_a, owner, 2.5), clip(team_a, owner, 4)
    page = owner_client.get(f"/generate/sequence/?ids={a.pk}&ids={b.pk}").content.decode()
    assert 'data-seconds="2.5"' in page and 'max="2.500"' in page and 'max="4.000"' in page
    assert "Total <output data-join-total>6.5 s</output>" in page
    assert f'<input type="checkbox" name="add" value="{a.pk}">' in page  # the picker


def test_a_viewer_cannot_edit_or_make_a_join(viewer_client, team_a, owner):
    clips = [clip(team_a, owner, 2), clip(team_a, owner, 2)]
    response = viewer_client.post("/generate/sequence/", {**timeline(clips), "edit": "up:1"})
    assert response.status_code == 403
    assert viewer_client.post("/generate/sequence/", timeline(clips)).status_code == 403


def test_remix_opens_the_editor_with_each_clips_trim_and_crossfade(owner_client, team_a,
                                                                   owner):
    a, b = clip(team_a, owner, 5), clip(team_a, owner, 4)
    owner_client.post("/generate/sequence/", timeline(
        [a, b], trim_in=["1", ""], trim_out=["", "3.5"], crossfade=["", "0.5"]))
    sequence = Generation.objects.get(kind="sequence")
    detail = owner_client.get(f"/generations/{sequence.pk}/").content.decode()
    remix = re.search(r'href="(/generate/sequence/\?[^"]+)"', detail).group(1)
    page = owner_client.get(remix.replace("&amp;", "&")).content.decode()
    assert re.findall(r'name="parts" value="(\d+)"', page) == [str(a.pk), str(b.pk)]
    assert field_values(page, "trim_in") == ["1", ""]
    assert field_values(page, "trim_out") == ["", "3.5"]
    assert field_values(page, "crossfade") == ["", "0.5"]


def test_the_sequences_page_says_its_cuts_in_words(owner_client, team_a, owner):
    a, b, c = clip(team_a, owner, 5), clip(team_a, owner, 4), clip(team_a, owner, 3)
    owner_client.post("/generate/sequence/", timeline(
        [a, b, c], trim_in=["", "1", "0.5"], trim_out=["", "3.5", ""],
        crossfade=["", "0.5", ""]))
    sequence = Generation.objects.get(kind="sequence")
    page = owner_client.get(f"/generations/{sequence.pk}/").content.decode()
    assert (f"#{a.pk} whole · crossfade 0.5 s · #{b.pk} 1–3.5 s · cut · "
            f"#{c.pk} 0.5–end") in page
    assert "[[" not in page and "None" not in page
