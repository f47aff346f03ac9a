"""Alternatives and counts: how many generations a submission makes, and which."""

from studio.generations import alternatives
from studio.multimodal import catalog

IMAGE = catalog.get("image")
TTS = catalog.get("tts")


def test_alternatives_make_one_text_each_in_reading_order():
    assert alternatives.variants("a fox at {dawn|dusk|night}") == [
        "a fox at dawn", "a fox at dusk", "a fox at night"]


def test_two_groups_make_every_combination():
    assert alternatives.variants("{red|blue} {fox|owl}") == [
        "red fox", "red owl", "blue fox", "blue owl"]


def test_braces_without_a_choice_stay_as_typed():
    assert alternatives.variants('say {"json": 1} and {x}') == ['say {"json": 1} and {x}']


def test_the_count_repeats_each_combination():
    plan = alternatives.expand(IMAGE, {"prompt": "{cat|dog}", "width": 512, "height": 512}, 3)
    assert [p["prompt"] for p in plan.params] == ["cat"] * 3 + ["dog"] * 3
    assert all(p["width"] == 512 for p in plan.params) and plan.size == 6


def test_only_free_text_parameters_expand():
    assert alternatives.expandable(TTS) == ["text"]  # the voice is a choice
    assert "style" in alternatives.expandable(IMAGE)
    assert "width" not in alternatives.expandable(IMAGE)


def test_more_than_64_is_refused_with_the_arithmetic():
    params = {"prompt": "{a|b|c|d|e|f} {1|2}"}
    assert alternatives.too_many(IMAGE, params, 5) == ""  # 12 x 5 = 60
    assert alternatives.too_many(IMAGE, params, 6) == (
        "This makes 72 generations (12 alternatives × 6); at most 64 go in one submission.")


# --- through the form ------------------------------------------------------------------

import pytest  # noqa: E402

from studio.generations.models import Generation, GenerationSet  # noqa: E402
from studio.teams.models import AuditEvent  # noqa: E402

IMAGE_FORM = {"width": 512, "height": 512}


@pytest.mark.django_db
def test_a_submission_with_alternatives_and_a_count_is_one_set(owner_client, team_a):
    response = owner_client.post("/generate/image/", {**IMAGE_FORM, "count": 2,
                                                      "prompt": "a {fox|owl} at dawn"})
    assert response.status_code == 302
    made = list(Generation.objects.order_by("id"))
    assert [g.params["prompt"] for g in made] == ["a fox at dawn"] * 2 + ["a owl at dawn"] * 2
    generation_set = GenerationSet.objects.get()
    assert (generation_set.size, generation_set.cost, generation_set.count) == (4, 200, 2)
    assert all(g.generation_set == generation_set for g in made)
    event = AuditEvent.objects.get(action="generated")
    assert event.summary == f"Queued 4 Image #{made[0].pk}–#{made[-1].pk} (200 credits)"


@pytest.mark.django_db
def test_the_whole_quote_is_judged_and_nothing_queued_when_it_cannot_be_paid(
        owner_client, team_a):
    team_a.credits_remaining = 120  # two images fit, three do not
    team_a.save()
    response = owner_client.post("/generate/image/", {**IMAGE_FORM, "count": 3,
                                                      "prompt": "three foxes"})
    assert response.status_code == 400
    assert "cannot cover 150 more" in response.content.decode()
    assert not Generation.objects.exists() and not GenerationSet.objects.exists()


@pytest.mark.django_db
def test_more_than_64_is_refused_beside_the_prompt_with_the_text_kept(owner_client, team_a):
    prompt = "{a|b|c|d|e|f|g|h} {1|2|3|4|5|6|7|8|9}"
    html = owner_client.post("/generate/image/", {**IMAGE_FORM, "prompt": prompt}
                             ).content.decode()
    assert "This makes 72 generations (72 alternatives); at most 64" in html
    assert prompt in html and not Generation.objects.exists()


@pytest.mark.django_db
def test_an_alternative_that_breaks_a_rule_is_named(owner_client, team_a):
    html = owner_client.post("/generate/image/", {**IMAGE_FORM, "prompt": "{|a fox}"}
                             ).content.decode()
    assert "One of the alternatives: Field required" in html
    assert not Generation.objects.exists()


@pytest.mark.django_db
def test_a_set_made_from_one_upload_shares_the_file_until_the_last_goes(owner_client,
                                                                       team_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.generations.test_video import png_bytes

    upload = SimpleUploadedFile("src.png", png_bytes((320, 240)), content_type="image/png")
    owner_client.post("/generate/i2v/", {"motion_prompt": "pan {left|right}",
                                         "provider": "wan22", "image_file": upload})
    first, second = Generation.objects.order_by("id")
    name, storage = first.source_upload.name, first.source_upload.storage
    assert second.source_upload.name == name
    first.delete()
    assert storage.exists(name)
    second.delete()
    assert not storage.exists(name)


# --- counted, never expanded to be counted --------------------------------------------


def test_the_count_is_the_product_of_the_group_sizes():
    assert alternatives.how_many("{a|b|c} {1|2} plain") == 6
    assert alternatives.how_many("{a|b}" * 30) == 2**30


def test_a_literal_brace_is_written_with_a_backslash():
    assert alternatives.variants(r"say \{yes|no} now") == ["say {yes|no} now"]
    assert alternatives.variants(r"\{a\} or {b|c}") == ["{a} or b", "{a} or c"]
    assert alternatives.variants(r"{one\|two|three}") == ["one|two", "three"]
    assert alternatives.how_many(r"say \{yes|no}") == 1


@pytest.mark.parametrize("text, problem", [
    ("{a{b|c}}", "Braces cannot nest (at character 3)"),
    ("a fox} at dawn", "A } at character 6 closes no {"),
    ("a {fox|owl at dawn", "A { is never closed"),
])
def test_nested_or_unbalanced_braces_are_explained(text, problem):
    with pytest.raises(alternatives.BraceError, match=problem.replace("(", r"\(").replace(
            ")", r"\)")):
        alternatives.parse(text)


@pytest.mark.django_db
def test_a_long_prompt_of_alternatives_is_refused_without_being_expanded(
        owner_client, team_a, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("expanded to be counted")

    monkeypatch.setattr(alternatives, "variants", never)
    prompt = "{a|b}" * 200  # 2**200 generations, 1,000 characters
    response = owner_client.post("/generate/image/", {**IMAGE_FORM, "prompt": prompt})
    html = response.content.decode()
    assert response.status_code == 400
    assert "This makes over a billion generations (over a billion alternatives)" in html
    assert prompt in html and not Generation.objects.exists()


@pytest.mark.django_db
def test_unbalanced_braces_are_shown_beside_the_field_with_the_text_kept(owner_client,
                                                                        team_a):
    response = owner_client.post("/generate/tts/", {"text": "Answer {yes|no",
                                                    "voice": "Wise_Woman"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "A { is never closed" in html and "Answer {yes|no" in html
    assert "\\{ is a literal brace" in html  # the field's help says how
    assert not Generation.objects.exists()


@pytest.mark.django_db
def test_an_escaped_brace_makes_one_speech_that_says_the_braces(owner_client, team_a):
    owner_client.post("/generate/tts/", {"text": r"Press \{yes|no} to go on",
                                         "voice": "Wise_Woman"})
    made = Generation.objects.get()
    assert made.params["text"] == "Press {yes|no} to go on"
    assert GenerationSet.objects.get().size == 1
