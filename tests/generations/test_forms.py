import pytest

from studio.generations.forms import FORMS
from studio.generations.models import Generation
from studio.multimodal import catalog


def test_each_kind_has_a_form_with_the_api_parameter_names():
    for endpoint_type, kind in catalog.KINDS.items():
        fields = list(FORMS[endpoint_type]().fields)
        helpers = ("source", "image_file", "count", "lane", "aspect", "size")
        assert [f for f in fields if f not in helpers] \
            == [p.name for p in kind.params]


def test_tts_form_offers_every_voice_with_wise_woman_first_and_default():
    form = FORMS["tts"]()
    assert [value for value, _ in form.fields["voice"].choices] == list(catalog.VOICES)
    assert form.fields["voice"].initial == "Wise_Woman"


def test_image_form_keeps_the_catalog_limits():
    form = FORMS["image"]({"prompt": "a cat", "width": "4096", "height": "300"})
    assert not form.is_valid()
    assert "less than or equal to 2048" in form.errors["width"][0]
    assert "greater than or equal to 512" in form.errors["height"][0]


def test_valid_image_form_gives_api_params_with_defaults():
    form = FORMS["image"]({"prompt": "  a cat  ", "width": "640", "height": ""})
    assert form.is_valid(), form.errors
    assert form.api_params() == {"prompt": "a cat", "width": 640, "height": 1024}


def test_blank_text_is_refused():
    form = FORMS["tts"]({"text": "   ", "voice": "Calm_Woman"})
    assert not form.is_valid()
    assert "text" in form.errors


def test_cogvideox_frames_are_coerced_to_int():
    form = FORMS["video_cogvideox"]({"prompt": "rain", "num_frames": "33",
                                     "guidance_scale": "7.5",
                                     "num_inference_steps": "40"})
    assert form.is_valid(), form.errors
    assert form.api_params()["num_frames"] == 33


def test_a_shape_and_size_set_width_and_height_within_the_apis_range():
    form = FORMS["image"]({"prompt": "a kite", "aspect": "16:9", "size": "medium",
                           "width": "1", "height": "1"})
    assert form.is_valid(), form.errors
    width, height = form.api_params()["width"], form.api_params()["height"]
    assert (width, height) == (1536, 896)
    wide = FORMS["image"]({"prompt": "a kite", "aspect": "21:9", "size": "small"})
    assert wide.is_valid(), wide.errors
    params = catalog.get("image").params
    low, high = params[1].min, params[1].max
    assert all(low <= wide.api_params()[side] <= high for side in ("width", "height"))
    assert abs(wide.api_params()["width"] / wide.api_params()["height"] / (21 / 9) - 1) < 0.03


def test_custom_or_no_shape_keeps_the_pixels_sent():
    for extra in ({"aspect": "custom"}, {}):
        form = FORMS["image"]({"prompt": "a kite", "width": "640", "height": "768", **extra})
        assert form.is_valid(), form.errors
        assert (form.api_params()["width"], form.api_params()["height"]) == (640, 768)


def test_a_remixed_size_that_is_a_preset_shows_as_that_shape():
    form = FORMS["image"](initial={"width": 576, "height": 1024})
    assert (form["aspect"].value(), form["size"].value()) == ("9:16", "small")
    assert FORMS["image"](initial={"width": 700, "height": 900})["aspect"].value() == "custom"


@pytest.mark.django_db
def test_the_style_field_offers_the_teams_styles_most_used_first(team_a, owner, team_b,
                                                                   outsider):
    for style in ("watercolor", "paper-craft", "watercolor", ""):
        Generation.objects.create(team=team_a, author=owner, kind="image", cost=50,
                                  params={"prompt": "p", "style": style})
    Generation.objects.create(team=team_b, author=outsider, kind="image", cost=50,
                              params={"prompt": "p", "style": "secret-style"})
    form = FORMS["image"](team=team_a)
    assert form.fields["style"].suggestions == ["watercolor", "paper-craft"]
    html = str(form["style"]) + form["style"].field.widget.attrs["list"]
    assert 'list="id_style-styles"' in html
