from studio.generations.forms import FORMS
from studio.multimodal import catalog


def test_each_kind_has_a_form_with_the_api_parameter_names():
    for endpoint_type, kind in catalog.KINDS.items():
        fields = list(FORMS[endpoint_type]().fields)
        assert [f for f in fields if f not in ("source", "image_file", "count", "lane")] \
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
