"""Kinds that take a source from the gallery: what the API is sent for them."""

from studio.generations import signing
from studio.generations.models import Generation
from studio.multimodal import catalog


def api_params(generation: Generation) -> dict:
    """The stored parameters; an I2V source from the team gets a fresh signed link."""
    if generation.kind != catalog.VIDEO_I2V:
        return generation.params
    return {**generation.params, "image_url": signing.image_url_for(generation)}
