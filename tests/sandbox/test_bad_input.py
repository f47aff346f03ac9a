"""The sandbox answers bad query values as the API does: 400 with the field."""

import pytest

from tests.conftest import TOKEN_A

USAGE = "/sandbox/api/v1/multimodal/usage"


@pytest.mark.parametrize("query", ["skip=99999999999999999999", "limit=0", "skip=-1",
                                   "skip=abc"])
def test_usage_list_refuses_values_out_of_range(client, team_a, query):
    response = client.get(f"{USAGE}?{query}", HTTP_AUTHORIZATION=f"Bearer {TOKEN_A}")
    assert response.status_code == 400
    assert response.json()["detail"][0]["loc"][0] == "query"
