"""One handler per kind: validated parameters in, the API's media out.

Each is plugged into its catalog entry (`@catalog.handles`) when the sandbox app
loads (apps.py). Speech and images answer with their base64 fields; videos are
rendered to a file that the view hands out in the answer shape the sandbox is set to.
"""

import base64
import io
import tempfile
from pathlib import Path

import httpx
from django.conf import settings

from studio.lib.download import TooLarge, copy_capped
from studio.multimodal import catalog
from studio.sandbox import media, video


class UnsupportedInSandbox(Exception):
    """A request the sandbox cannot render; it is refunded and answered 400."""


@catalog.handles(catalog.TTS)
def tts(params: dict) -> dict:
    audio, duration_ms = media.synthesize_mp3(params["text"], params["voice"])
    return {"audio_base64": base64.b64encode(audio).decode(), "format": "mp3",
            "duration_ms": duration_ms}


@catalog.handles(catalog.IMAGE)
def image(params: dict) -> dict:
    picture, fmt = media.render_image(
        params["prompt"], params["width"], params["height"], params.get("style")
    )
    return {"image_base64": base64.b64encode(picture).decode(), "format": fmt,
            "width": params["width"], "height": params["height"]}


@catalog.handles(catalog.VIDEO_I2V)
def video_i2v(params: dict) -> video.RenderedVideo:
    provider = catalog.get(catalog.VIDEO_I2V).provider(params["provider"])
    source = fetch_image(params["image_url"])
    try:
        return video.render_i2v(source, params["motion_prompt"],
                                provider.duration_seconds, render_dir())
    except ValueError as exc:
        raise UnsupportedInSandbox(f"image_url: {exc}") from None


@catalog.handles(catalog.VIDEO_T2V)
def video_t2v(params: dict) -> video.RenderedVideo:
    return video.render_t2v(params["prompt"], params["duration"], render_dir())


@catalog.handles(catalog.VIDEO_COGVIDEOX)
def video_cogvideox(params: dict) -> video.RenderedVideo:
    return video.render_cogvideox(params["prompt"], params["num_frames"],
                                  params["guidance_scale"],
                                  params["num_inference_steps"], render_dir())


def fetch_image(url: str) -> bytes:
    """The source image, as the real API would fetch it: public URL, size-capped."""
    if not url.startswith(("http://", "https://")):
        raise UnsupportedInSandbox("image_url must be an http(s) URL")
    cap = settings.SANDBOX_MAX_SOURCE_BYTES
    body = io.BytesIO()
    try:
        with httpx.stream("GET", url, timeout=20, follow_redirects=True) as response:
            if response.status_code != 200:
                raise UnsupportedInSandbox(
                    f"image_url answered {response.status_code}; it must be public")
            copy_capped(response, body, cap)
    except TooLarge:
        raise UnsupportedInSandbox(f"image_url is larger than {cap:,} bytes") from None
    except httpx.HTTPError as exc:
        raise UnsupportedInSandbox(f"image_url could not be fetched: {exc}") from None
    return body.getvalue()


def render_dir() -> Path:
    return Path(tempfile.gettempdir())


MODELS = {
    catalog.TTS: "minimax-speech-02",
    catalog.IMAGE: "qwen-image-edit",
    catalog.VIDEO_T2V: "wan-2.6-t2v",
    catalog.VIDEO_COGVIDEOX: "cogvideox-2b",
}


def model_used(endpoint_type: str, params: dict) -> str:
    """A kind with providers names the provider; the others their one model."""
    return params.get("provider") or MODELS[endpoint_type]
