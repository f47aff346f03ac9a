"""The REST API at /api/v1/: the one NinjaAPI (`service`) with every operation on it.

`endpoints` (the catalog, generations, credits, tokens, webhooks) and `work` (what a
token does to generations and sets: the studio's actions) add their operations to it
when imported, here.
"""

from studio.api import (  # noqa: F401 (each adds its operations)
    boards,
    endpoints,
    media,
    notifications,
    sharing,
    storyboards,
    work,
)
from studio.api.service import api, not_found

__all__ = ["api", "not_found"]
