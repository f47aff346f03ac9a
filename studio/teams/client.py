"""The team's API client: its URL and token, decrypted only here."""

from django.conf import settings

from studio.multimodal import errors
from studio.multimodal.client import MultimodalClient
from studio.teams.models import Team


def client_for(team: Team, timeout: float | None = None) -> MultimodalClient:
    if not team.api_token:
        raise errors.AuthenticationFailed("This team has no API token yet")
    return MultimodalClient(team.effective_api_url, team.api_token,
                            timeout=timeout or settings.MULTIMODAL_TIMEOUT,
                            url_from_operator=team.api_url_trusted)
