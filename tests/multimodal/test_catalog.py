import pytest

from studio.multimodal import catalog


def test_every_kind_has_the_documented_cost_and_limit():
    expected = {"tts": (14, 10), "image": (50, 5), "video_i2v": (400, 2),
                "video_t2v": (1000, 1), "video_cogvideox": (800, 1)}
    assert {k: (v.cost, v.rate_limit) for k, v in catalog.KINDS.items()} == expected


def test_i2v_cost_follows_the_provider():
    i2v = catalog.get(catalog.VIDEO_I2V)
    costs = {p: i2v.cost_for({"provider": p}) for p in ("wan22", "seedance", "sora2")}
    assert costs == {"wan22": 400, "seedance": 520, "sora2": 800}
    assert i2v.cost_for({}) == 400


def test_only_t2v_is_premium():
    assert [k for k, v in catalog.KINDS.items() if v.premium_only] == ["video_t2v"]


@pytest.mark.parametrize(("kind", "params", "field"), [
    ("tts", {"text": ""}, "text"),
    ("tts", {"text": "x" * 5001}, "text"),
    ("tts", {"text": "hi", "voice": "Nobody"}, "voice"),
    ("image", {"prompt": "p", "width": 511}, "width"),
    ("image", {"prompt": "p", "height": 2049}, "height"),
    ("image", {"prompt": "p", "width": 800.5}, "width"),
    ("image", {"prompt": "p", "width": "wide"}, "width"),
    ("image", {"prompt": "x" * 2001}, "prompt"),
    ("video_i2v", {"image_url": "https://x/y.png", "motion_prompt": "zoom",
                   "provider": "veo"}, "provider"),
    ("video_i2v", {"image_url": "https://x/y.png"}, "motion_prompt"),
    ("video_t2v", {"prompt": "sea", "duration": 11}, "duration"),
    ("video_t2v", {"prompt": "sea", "duration": 0}, "duration"),
    ("video_cogvideox", {"prompt": "rain", "num_frames": 25}, "num_frames"),
    ("video_cogvideox", {"prompt": "rain", "guidance_scale": 20.5}, "guidance_scale"),
    ("video_cogvideox", {"prompt": "rain", "num_inference_steps": 19},
     "num_inference_steps"),
])
def test_out_of_range_parameter_is_named(kind, params, field):
    assert field in catalog.get(kind).violations(params)


def test_documented_example_requests_are_valid():
    examples = {
        "tts": {"text": "Welcome to AINative Studio.", "voice": "Wise_Woman"},
        "image": {"prompt": "A futuristic cityscape", "width": 1024, "height": 1024},
        "video_i2v": {"image_url": "https://example.com/photo.jpg",
                      "motion_prompt": "Camera slowly zooms in", "provider": "wan22"},
        "video_t2v": {"prompt": "A serene ocean wave", "duration": 5},
        "video_cogvideox": {"prompt": "A robot walking", "num_frames": 49,
                            "guidance_scale": 6.0},
    }
    assert {k: catalog.get(k).violations(v) for k, v in examples.items()} == \
        {k: {} for k in examples}


def test_defaults_are_filled_and_provider_always_sent():
    assert catalog.get("video_i2v").with_defaults(
        {"image_url": "u", "motion_prompt": "m"})["provider"] == "wan22"
    assert catalog.get("video_cogvideox").with_defaults({"prompt": "p"}) == {
        "prompt": "p", "num_frames": 49, "guidance_scale": 6.0, "num_inference_steps": 50}


def test_rate_limits_parse_and_override(settings):
    settings.STUDIO_RATE_LIMITS = catalog.parse_rate_limits("tts=3/1.5, image=1/2")
    assert catalog.rate_limit("tts") == (3, 1.5)
    assert catalog.rate_limit("video_t2v") == (1, 60)


@pytest.mark.parametrize("text", ["tts=10", "tts=a/60", "speech=1/60", "tts=0/60"])
def test_bad_rate_limit_setting_fails_loudly(text):
    with pytest.raises(ValueError, match="STUDIO_RATE_LIMITS"):
        catalog.parse_rate_limits(text)
