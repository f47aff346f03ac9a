"""A storyboard of the shared world's team A, written as a person would."""

from studio.storyboards import actions
from studio.teams.models import Membership

THREE_SCENES = """\
A lighthouse keeper wakes before dawn.
Picture: a lighthouse on a cliff at dawn
Motion: slow push in towards the lamp

He climbs the stairs with a lamp.

The light sweeps over the sea.
Motion: the beam turns across the waves
"""


def membership(user) -> Membership:
    return Membership.objects.select_related("team").get(user=user)


def storyboard_of(user, script: str = THREE_SCENES, **options):
    done = actions.create(membership(user), "The keeper", script, **options)
    assert done.ok, done.message
    return done.result
