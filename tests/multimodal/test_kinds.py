"""A kind is one entry of the catalog with all its parts. A kind that lacks one fails
here, by name, instead of in a page, a form, the sandbox or the REST API."""

import dataclasses
import importlib
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from studio.api.endpoints import api
from studio.credits.models import LedgerEntry
from studio.generations.models import Attempt, Generation, GenerationSet, RateWindow
from studio.multimodal import catalog
from studio.sandbox import handlers

SPRITE = Path(settings.BASE_DIR) / "static" / "icons" / "lucide.svg"


def sprite_icons() -> set[str]:
    return set(re.findall(r'<symbol id="([^"]+)"', SPRITE.read_text()))


def rest_api_kinds() -> list[str]:
    document = api.get_openapi_schema(path_prefix="/api/v1")
    body = document["paths"]["/api/v1/generations"]["post"]["requestBody"]
    one_of = body["content"]["application/json"]["schema"]["oneOf"]
    schemas = document["components"]["schemas"]
    return [schemas[ref["$ref"].rsplit("/", 1)[1]]["properties"]["kind"]["const"]
            for ref in one_of]


@pytest.mark.parametrize("name", catalog.ALL_KINDS)
def test_every_kind_has_a_label_and_an_icon_of_the_sprite(name):
    kind = catalog.get(name)
    assert kind.label
    assert kind.icon in sprite_icons()
    if kind.source:
        assert kind.source.action and (kind.source.icon or kind.icon) in sprite_icons()


@pytest.mark.parametrize("name", catalog.KINDS)
def test_every_api_kind_has_a_sandbox_handler_and_a_place_in_the_rest_api(name):
    kind = catalog.get(name)
    assert callable(kind.parts.handler), f"{name} has no sandbox handler (@catalog.handles)"
    assert handlers.model_used(name, kind.with_defaults({}))  # its usage records name one
    assert name in rest_api_kinds()


@pytest.mark.parametrize("name", catalog.LOCAL_KINDS)
def test_every_local_kind_has_a_maker_a_worker_can_find_by_name(name):
    maker = catalog.get(name).parts.maker
    assert callable(maker), f"{name} has no maker (@catalog.makes)"
    # django-q2 hands the task over pickled, that is by its module and name.
    assert getattr(importlib.import_module(maker.__module__), maker.__qualname__) is maker
    assert name not in rest_api_kinds()  # made from the finishing pages


def test_the_rest_api_takes_the_api_kinds_in_the_catalogs_order():
    assert rest_api_kinds() == list(catalog.KINDS)


@pytest.mark.parametrize("model", [Generation, GenerationSet, Attempt, RateWindow, LedgerEntry])
def test_every_kind_field_offers_the_catalogs_kinds(model):
    assert list(model._meta.get_field("kind").choices) == catalog.kind_choices()


@pytest.mark.django_db
def test_a_new_kind_makes_no_migration(monkeypatch):
    new = dataclasses.replace(catalog.get(catalog.VIDEO_T2V), endpoint_type="video_new",
                              slug="new", label="Something new")
    monkeypatch.setitem(catalog.ALL_KINDS, new.endpoint_type, new)
    call_command("makemigrations", "generations", "credits", check=True, dry_run=True,
                 verbosity=0)


def test_a_kind_takes_one_part_of_each_and_only_its_own():
    speech = catalog.get(catalog.TTS)
    with pytest.raises(ValueError, match="has a handler already"):
        catalog.handles(catalog.TTS)(lambda params: {})
    with pytest.raises(ValueError, match="takes no maker"):
        catalog.makes(catalog.TTS)
    with pytest.raises(ValueError, match="takes no handler"):
        catalog.handles(catalog.MIX)
    assert catalog.handles(catalog.TTS)(speech.parts.handler) is speech.parts.handler
