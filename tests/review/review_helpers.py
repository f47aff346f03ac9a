"""Finished items and token clients for the boards, tags and statuses tests."""

from django.core.files.base import ContentFile
from django.test import Client

from studio.api import tokens
from studio.generations.models import Generation, GenerationSet, Status


def made(team, author, prompt: str = "a cat", generation_set=None) -> Generation:
    generation = Generation.objects.create(
        team=team, author=author, kind="image", params={"prompt": prompt}, cost=14,
        status=Status.SUCCEEDED, state="succeeded", media_format="png",
        generation_set=generation_set)
    generation.media.save(f"{generation.pk}.png", ContentFile(b"\x89PNG fake"))
    return generation


def a_set(team, author, size: int) -> list[Generation]:
    made_set = GenerationSet.objects.create(team=team, author=author, kind="image",
                                            size=size, cost=14 * size)
    return [made(team, author, f"set item {n}", made_set) for n in range(size)]


def token_client(team, user, *scopes: str) -> Client:
    secret = tokens.create(team, user, name="test",
                           scopes=list(scopes or ["read", "generate"])).secret
    return Client(headers={"Authorization": f"Bearer {secret}"})
