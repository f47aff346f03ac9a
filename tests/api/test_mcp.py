"""The MCP server at /mcp, as an agent meets it: the SDK's own client over streamable
HTTP to the studio's ASGI app served by uvicorn, with an API token."""

import asyncio
import json
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

import httpx
import httpx2
import pytest
import uvicorn
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

from studio.api import tokens
from studio.review.models import Board
from tests.generations.helpers import drive

# studio.asgi sets STUDIO_DB_POOL for the web process it starts; processes this test
# run starts later (a stack's worker) must not inherit it.
with patch.dict(os.environ):
    from studio.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("sandbox_url")]

TOOLS = {"list_kinds", "get_balance", "generate", "get_generation", "list_generations",
         "get_download_link", "list_boards", "add_to_board", "make_storyboard",
         "get_storyboard"}



def run_apart(coroutine):
    """The agent's calls in an event loop of their own thread: in a test process that
    ran browser tests first, Playwright's loop is already running in this one."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()

class Serving(uvicorn.Server):
    """uvicorn that says when it listens, for a test in another thread to wait on."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.listening = threading.Event()

    async def startup(self, sockets=None) -> None:
        await super().startup(sockets)
        self.listening.set()


@pytest.fixture
def studio_url():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = Serving(uvicorn.Config(application, host="127.0.0.1", port=port,
                                    lifespan="off", log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.listening.wait(timeout=30), "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def agent(url: str, secret: str | None) -> Client:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    http = httpx2.AsyncClient(headers=headers, timeout=60)
    return Client(streamable_http_client(f"{url}/mcp", http_client=http))


def data(result) -> dict | list:
    assert not result.is_error, result.content
    if result.structured_content is None:
        return json.loads(result.content[0].text)
    return result.structured_content.get("result", result.structured_content)


def test_an_agent_lists_the_tools_and_makes_speech(studio_url, team_a, owner, fake_clock):
    secret = tokens.create(team_a, owner, name="agent", scopes=["read", "generate"]).secret

    async def make() -> dict:
        async with agent(studio_url, secret) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
            assert names >= TOOLS
            kinds = data(await client.call_tool("list_kinds", {}))
            assert {"tts", "image"} <= {k["kind"] for k in kinds}
            return data(await client.call_tool("generate", {
                "kind": "tts", "params": {"text": "Hello, agent.", "voice": "Wise_Woman"},
                "wait_seconds": 0}))
    made = run_apart(make())
    assert made["status"] == "queued"
    drive(fake_clock)

    async def follow() -> tuple[dict, dict]:
        async with agent(studio_url, secret) as client:
            shown = data(await client.call_tool("get_generation",
                                                {"generation_id": made["id"]}))
            link = data(await client.call_tool("get_download_link",
                                               {"generation_id": made["id"]}))
            bad = await client.call_tool("generate", {"kind": "tts", "params": {}})
            assert bad.is_error and "params.text" in bad.content[0].text
            added = data(await client.call_tool("add_to_board", {
                "board_id": board.pk, "generation_ids": [made["id"]]}))
            assert added == {"added": [made["id"]]}
            boards = data(await client.call_tool("list_boards", {}))
            assert [(b["name"], b["size"]) for b in boards["items"]] == [("Picks", 1)]
            return shown, link
    board = Board.objects.create(team=team_a, name="Picks", made_by=owner)
    shown, link = run_apart(follow())
    assert shown["status"] == "succeeded"
    audio = httpx.get(link["url"])
    assert audio.status_code == 200 and audio.headers["content-type"] == "audio/mpeg"


def test_no_token_no_agent(studio_url, team_a, owner):
    answer = httpx.post(f"{studio_url}/mcp", json={"jsonrpc": "2.0", "id": 1,
                                                    "method": "tools/list"})
    assert answer.status_code == 401 and answer.headers["www-authenticate"] == "Bearer"


def test_a_read_token_cannot_generate_through_the_agent(studio_url, team_a, owner):
    secret = tokens.create(team_a, owner, name="reader", scopes=["read"]).secret

    async def attempt():
        async with agent(studio_url, secret) as client:
            assert data(await client.call_tool("get_balance", {}))["reserved"] == 0
            return await client.call_tool("generate", {"kind": "tts", "params": {
                "text": "No.", "voice": "Wise_Woman"}, "wait_seconds": 0})
    refused = run_apart(attempt())
    assert refused.is_error and "missing-scope" in refused.content[0].text
