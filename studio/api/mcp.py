"""An MCP server for agents at /mcp (the official `mcp` SDK, streamable HTTP): the
REST API's own operations as tools, called in process with the agent's token, so the
same scopes, rules, problems and idempotency apply as to any script.

Every request must carry `Authorization: Bearer <token>` (an API token); without a
valid one it is a 401 before MCP sees it. That header, which a browser page cannot
send on its own, is also why the SDK's DNS-rebinding check of Host is not needed.
"""

import asyncio
import json
from typing import Any

import httpx
from asgiref.sync import sync_to_async
from django.core.handlers.asgi import ASGIHandler
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.server.transport_security import TransportSecuritySettings

from studio.api import tokens

PATH = "/mcp"
DJANGO = ASGIHandler()  # the studio's own ASGI handler: the REST API in process
server = MCPServer("Studio", instructions=(
    "A creative team's studio: generate speech, images and videos, see what they cost "
    "and the team's balance, follow a generation and get a link to its file. Kinds, "
    "their parameters and ranges come from list_kinds; generate waits up to 60 s. "
    "make_storyboard turns a script into a narrated film in one set."))


class Studio:
    """The REST API, called in process as the agent's token."""

    def __init__(self, ctx: Context) -> None:
        headers = ctx.headers or {}
        self.authorization = headers.get("authorization", "")
        request = getattr(ctx.request_context, "request", None)
        scheme = request.url.scheme if request is not None else "http"
        self.origin = f"{scheme}://{headers.get('host', 'localhost')}"

    async def call(self, method: str, path: str, **options) -> Any:
        transport = httpx.ASGITransport(app=DJANGO)
        async with httpx.AsyncClient(transport=transport, base_url=self.origin,
                                     timeout=90) as client:
            answer = await client.request(method, f"/api/v1{path}", headers={
                "Authorization": self.authorization, **options.pop("headers", {})},
                **options)
        if answer.status_code >= 400:
            problem = answer.json()
            raise ToolError(f"{problem.get('title')}: {problem.get('detail')} "
                            f"({problem.get('type')}) {json.dumps(problem.get('errors'))}")
        return answer.json()


@server.tool()
async def list_kinds(ctx: Context) -> list[dict]:
    """Every kind the studio makes, with its cost in credits, rate limit and each
    parameter's type, range and choices."""
    return (await Studio(ctx).call("GET", "/kinds", params={"limit": 200}))["items"]


@server.tool()
async def get_balance(ctx: Context) -> dict:
    """The team's credits: remaining at the API, reserved, spent this month, budget."""
    return await Studio(ctx).call("GET", "/credits")


@server.tool()
async def generate(ctx: Context, kind: str, params: dict[str, Any], count: int = 1,
                   wait_seconds: int = 30) -> dict:
    """Make a generation (`kind` and `params` as list_kinds describes them); waits up
    to `wait_seconds` (0 to 60) for it to finish, then answers with it as it is."""
    wait = max(0, min(wait_seconds, 60))
    return await Studio(ctx).call("POST", "/generations", json={
        "kind": kind, "params": params, "count": count},
        headers={"Prefer": f"wait={wait}"} if wait else {})


@server.tool()
async def get_generation(ctx: Context, generation_id: int) -> dict:
    """One generation: its status, cost, error if it failed, and media_url once done."""
    return await Studio(ctx).call("GET", f"/generations/{generation_id}")


@server.tool()
async def list_generations(ctx: Context, kind: str | None = None,
                           status: str | None = None, limit: int = 20,
                           cursor: int | None = None) -> dict:
    """The team's generations, newest first; `next` names the next page's cursor."""
    query = {"kind": kind, "status": status, "limit": limit, "cursor": cursor}
    return await Studio(ctx).call("GET", "/generations", params={
        name: value for name, value in query.items() if value is not None})


@server.tool()
async def get_download_link(ctx: Context, generation_id: int,
                            expires_in: int = 3600) -> dict:
    """A signed link to a finished generation's file that works without the token
    until `expires_at` (60 s to a day)."""
    return await Studio(ctx).call("GET", f"/generations/{generation_id}/media-link",
                                  params={"expires_in": expires_in})


@server.tool()
async def list_boards(ctx: Context, limit: int = 50, cursor: int | None = None) -> dict:
    """The team's boards (named collections of its work), oldest first."""
    query = {"limit": limit, "cursor": cursor}
    return await Studio(ctx).call("GET", "/boards", params={
        name: value for name, value in query.items() if value is not None})


@server.tool()
async def add_to_board(ctx: Context, board_id: int, generation_ids: list[int]) -> dict:
    """Put the team's generations on a board (ones already on it stay put)."""
    return await Studio(ctx).call("POST", f"/boards/{board_id}/items",
                                  json={"generations": generation_ids})


@server.tool()
async def make_storyboard(ctx: Context, title: str, script: str, look: str = "") -> dict:
    """A storyboard from a script, made into a film as one set. Scenes are separated
    by blank lines; in a scene, a line starting `Picture:` is the picture's prompt,
    one starting `Motion:` how it moves (each defaults to the narration), every other
    line is what the narrator says. `look`: a style line added to every picture.
    Answers the storyboard (scenes, what each part cost) and the set made (its quote
    and generations; the film is the last, made once every part is ready)."""
    studio = Studio(ctx)
    body = {"title": title, "script": script, **({"look": look} if look else {})}
    storyboard = await studio.call("POST", "/storyboards", json=body)
    made = await studio.call("POST", f"/storyboards/{storyboard['id']}/make")
    return {"storyboard": storyboard, "set": made}


@server.tool()
async def get_storyboard(ctx: Context, storyboard_id: int) -> dict:
    """A storyboard: each scene's speech, picture and clip (state, generation, what a
    make would cost now) and its film's."""
    return await Studio(ctx).call("GET", f"/storyboards/{storyboard_id}")


def bearer(scope: dict) -> str:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value.startswith(b"Bearer "):
            return value[7:].decode("latin-1")
    return ""


async def unauthorized(send) -> None:
    body = json.dumps({"type": "about:blank", "title": "Unauthorized", "status": 401,
                       "detail": "Send an API token: Authorization: Bearer <token>."})
    await send({"type": "http.response.start", "status": 401, "headers": [
        (b"content-type", b"application/problem+json"), (b"www-authenticate", b"Bearer")]})
    await send({"type": "http.response.body", "body": body.encode()})


class McpApp:
    """The ASGI app at /mcp: a token is checked, then the SDK answers. The SDK's
    session manager runs in a task of the serving event loop, started on first use
    (the web process runs without ASGI lifespan events); a new loop (a restarted
    server) gets a new one."""

    def __init__(self) -> None:
        self.loop: asyncio.AbstractEventLoop | None = None
        self.app = None
        self.running: asyncio.Future | None = None
        self.task: asyncio.Task | None = None

    async def started(self) -> None:
        loop = asyncio.get_running_loop()
        if self.loop is not loop:
            self.loop, self.running = loop, loop.create_future()
            self.app = server.streamable_http_app(
                streamable_http_path=PATH, stateless_http=True, json_response=True,
                transport_security=TransportSecuritySettings(
                    enable_dns_rebinding_protection=False))
            self.task = loop.create_task(self.keep_running(server.session_manager,
                                                           self.running))
        await asyncio.shield(self.running)

    @staticmethod
    async def keep_running(manager, running: asyncio.Future) -> None:
        async with manager.run():
            running.set_result(True)
            await asyncio.Event().wait()

    async def __call__(self, scope, receive, send) -> None:
        token = bearer(scope)
        if not token or await sync_to_async(tokens.authenticate)(token) is None:
            await unauthorized(send)
            return
        await self.started()
        await self.app(scope, receive, send)
