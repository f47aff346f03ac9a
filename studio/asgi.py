import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studio.settings")
# The web process (and only it) lends PostgreSQL connections from a pool: see settings.
os.environ.setdefault("STUDIO_DB_POOL", "10")
django_application = get_asgi_application()


def mcp_application():
    from studio.api.mcp import McpApp  # after Django is set up: it reads the models

    return McpApp()


class Router:
    """/mcp to the MCP server for agents (studio/api/mcp.py); all else to Django."""

    def __init__(self) -> None:
        self.mcp = None

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["path"].rstrip("/") == "/mcp":
            self.mcp = self.mcp or mcp_application()
            return await self.mcp(scope, receive, send)
        return await django_application(scope, receive, send)


application = Router()
