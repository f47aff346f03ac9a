"""One handler per kind: validated parameters in, the API's media fields out."""

import base64
from collections.abc import Callable

from studio.multimodal import catalog
from studio.sandbox import media


class UnsupportedInSandbox(Exception):
    """A request the sandbox cannot render; it is refunded and answered 400."""


def tts(params: dict) -> dict:
    audio, duration_ms = media.synthesize_mp3(params["text"], params["voice"])
    return {"audio_base64": base64.b64encode(audio).decode(), "format": "mp3",
            "duration_ms": duration_ms}


def image(params: dict) -> dict:
    picture, fmt = media.render_image(
        params["prompt"], params["width"], params["height"], params.get("style")
    )
    return {"image_base64": base64.b64encode(picture).decode(), "format": fmt,
            "width": params["width"], "height": params["height"]}


HANDLERS: dict[str, Callable[[dict], dict]] = {
    catalog.TTS: tts,
    catalog.IMAGE: image,
}

MODELS = {
    catalog.TTS: "minimax-speech-02",
    catalog.IMAGE: "qwen-image-edit",
    catalog.VIDEO_T2V: "wan-2.6-t2v",
    catalog.VIDEO_COGVIDEOX: "cogvideox-2b",
}


def model_used(endpoint_type: str, params: dict) -> str:
    if endpoint_type == catalog.VIDEO_I2V:
        return params["provider"]
    return MODELS[endpoint_type]
