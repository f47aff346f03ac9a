"""An agent writes a script and has it made, through the studio's MCP server."""

import pytest

from studio.api import tokens
from studio.generations.models import GenerationSet
from studio.multimodal import catalog
from studio.storyboards.models import Storyboard
from tests.api import test_mcp as mcp_world
from tests.api.test_mcp import agent, data, run_apart

studio_url = mcp_world.studio_url  # the studio served by uvicorn, as a fixture here

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox_url")]

SCRIPT = "The harbour wakes.\nPicture: boats at dawn\n\nGulls circle the masts."


def test_an_agent_makes_a_storyboard_from_a_script(studio_url, team_a, owner):
    secret = tokens.create(team_a, owner, name="agent", scopes=["read", "generate"]).secret

    async def make() -> tuple[dict, dict]:
        async with agent(studio_url, secret) as client:
            made = data(await client.call_tool("make_storyboard", {
                "title": "Harbour", "script": SCRIPT, "look": "watercolour"}))
            shown = data(await client.call_tool("get_storyboard", {
                "storyboard_id": made["storyboard"]["id"]}))
            return made, shown
    made, shown = run_apart(make())
    storyboard = Storyboard.objects.get()
    assert made["storyboard"]["id"] == storyboard.pk and len(shown["scenes"]) == 2
    assert shown["scenes"][0]["picture_prompt"] == "boats at dawn"
    assert made["set"]["quote"] == made["storyboard"]["cost"] == \
        GenerationSet.objects.get(pk=made["set"]["id"]).cost
    assert made["set"]["generations"][-1]["kind"] == catalog.FILM
    assert shown["film"]["generation"] == made["set"]["generations"][-1]["generation"]


def test_a_bad_script_tells_the_agent_which_field(studio_url, team_a, owner):
    secret = tokens.create(team_a, owner, name="agent", scopes=["read", "generate"]).secret

    async def attempt():
        async with agent(studio_url, secret) as client:
            return await client.call_tool("make_storyboard", {"title": "Empty",
                                                              "script": "\n\n"})
    refused = run_apart(attempt())
    assert refused.is_error and '"script"' in refused.content[0].text
    assert not Storyboard.objects.exists()
