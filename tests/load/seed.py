"""The load test's teams, run inside the stack's environment (its database file):
`python -m tests.load.seed TEAMS MEMBERS PASSWORD HISTORY SESSIONS`.

Each team is made by `manage.py create_team` (owner, and a sandbox account for its
own API token), gets MEMBERS - 1 more members (role member, the owner's password),
a history of HISTORY finished generations with real thumbnails, and three videos
waiting for a later turn in their rate-limit window (queued, not before an hour
from now): what keeps every open gallery polling, as in a team whose videos queue.
"""

import json
import random
import sys
from datetime import timedelta


def team_name(team: int) -> str:
    return f"Load Team {team}"


def username(team: int, member: int) -> str:
    return f"load{team}-{member}"


def api_token(team: int) -> str:
    return f"sbx_load_team_{team}_token"


WAITING = 3  # queued videos per team, sent an hour from now


def sessions_for(users) -> dict[str, str]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    keys = {}
    for user in users:
        session = SessionStore()
        session.update({SESSION_KEY: str(user.pk),
                        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
                        HASH_SESSION_KEY: user.get_session_auth_hash()})
        session.create()
        keys[user.username] = session.session_key
    return keys


def seed(teams: int, members: int, password: str, history: int) -> dict[str, str]:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.utils import timezone

    from studio.generations.models import Generation, Status
    from studio.teams.models import Membership, Role, Team
    from tests.bench.gallery import fill_generations, make_thumbnails, stamps_as_given

    rng = random.Random(7)
    thumbs = originals = None
    sessions: dict[str, str] = {}
    for t in range(1, teams + 1):
        call_command("create_team", team_name(t), owner=username(t, 1), password=password,
                     api_token=api_token(t), stdout=sys.stderr)
        team = Team.objects.get(name=team_name(t))
        owner = get_user_model().objects.get(username=username(t, 1))
        users = [owner]
        for m in range(2, members + 1):
            # The owner's hash: one PBKDF2 run for all, the same password for each.
            user = get_user_model().objects.create(username=username(t, m),
                                                   password=owner.password)
            Membership.objects.create(team=team, user=user, role=Role.MEMBER)
            users.append(user)
        sessions |= sessions_for(users)
        if thumbs is None:
            thumbs, _, originals = make_thumbnails(team, rng, count=10, photo_like=False)
        fill_generations(team, users, thumbs, originals, rng, count=history, pending_back=())
        now = timezone.now()
        with stamps_as_given():
            Generation.objects.bulk_create(
                Generation(team=team, author=rng.choice(users), kind="video_cogvideox",
                           params={"prompt": f"a slow pan over the harbour, take {n}",
                                   "num_frames": 49, "guidance_scale": 6.0,
                                   "num_inference_steps": 50},
                           search_text=f"a slow pan over the harbour, take {n}",
                           status=Status.QUEUED, cost=800,
                           not_before=now + timedelta(hours=1),
                           created_at=now - timedelta(seconds=20 - n),
                           updated_at=now - timedelta(seconds=20 - n))
                for n in range(WAITING))
    return sessions


if __name__ == "__main__":
    import django

    django.setup()
    teams, members, password, history, out = sys.argv[1:6]
    with open(out, "w") as file:
        json.dump(seed(int(teams), int(members), password, int(history)), file)
