"""`Model.objects.for_team(team)`: the one way to list a team's rows.

Every team-owned model's manager is a TeamQuerySet (or one of its subclasses) that
knows the way from its rows to their team (`team_path`): "team" for a row that
holds it, "generation__team" for a comment. Pages reach it through the request's
current team (studio.teams.scoping); tests/architecture refuses a hand-written
`team=` filter anywhere else.
"""

from django.db import models


class TeamQuerySet(models.QuerySet):
    team_path = "team"

    def for_team(self, team) -> "TeamQuerySet":
        """The rows of `team`; none without one."""
        if team is None:
            return self.none()
        return self.filter(**{self.team_path: team})


def reached_through(path: str) -> type[TeamQuerySet]:
    """A TeamQuerySet for rows that reach their team through `path`."""
    return type(f"TeamQuerySetThrough_{path}", (TeamQuerySet,), {"team_path": path})
