"""A storyboard: a title, a look shared by its pictures, and scenes in order; each
scene's latest speech, picture and clip, and the film made of them all.

Each part remembers what it was made from (`*_made_from`, the parameters it was
sent with), so making again (making.py) sends only what is missing or changed.
"""

from django.conf import settings
from django.db import models

from studio.finishing import film
from studio.lib import clock
from studio.lib.team_scope import TeamQuerySet, reached_through
from studio.multimodal import catalog

CROSSFADE_MAX = film.MAX_CROSSFADE  # the film's limits are a storyboard's
TITLE_MAX = film.MAX_TITLE
I2V_PROVIDER_CHOICES = [(p.name, p.name) for p in catalog.I2V_PROVIDERS]
VOICE_CHOICES = [(voice, voice.replace("_", " ")) for voice in catalog.VOICES]


def default_voice() -> str:
    return catalog.get(catalog.TTS).param("voice").default


def default_provider() -> str:
    return catalog.get(catalog.VIDEO_I2V).param("provider").default


class Storyboard(models.Model):
    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE,
                             related_name="storyboards")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True,
                               on_delete=models.SET_NULL, related_name="+")
    title = models.CharField(max_length=200)
    look = models.CharField(max_length=300, blank=True,
                            help_text="A style line appended to every picture prompt.")
    voice = models.CharField(max_length=40, choices=VOICE_CHOICES, default=default_voice,
                             help_text="The narrators' voice where a scene names none.")
    provider = models.CharField(max_length=20, choices=I2V_PROVIDER_CHOICES,
                                default=default_provider,
                                help_text="Who renders the clips where a scene names none.")
    crossfade = models.FloatField(default=0.0, help_text="Seconds each scene dissolves "
                                                         "into the next; 0 = a cut.")
    film = models.ForeignKey("generations.Generation", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+",
                             help_text="The latest film made of it.")
    film_made_from = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.stamp, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["team", "-updated_at"])]

    def __str__(self) -> str:
        return f"storyboard #{self.pk}: {self.title}"

    @property
    def ordered_scenes(self) -> list["Scene"]:
        return list(self.scenes.order_by("position", "id"))


class Scene(models.Model):
    """One scene: what is said, what is seen and how it moves. A blank prompt, voice
    or provider means the narration's words or the storyboard's choice."""

    storyboard = models.ForeignKey(Storyboard, on_delete=models.CASCADE,
                                   related_name="scenes")
    position = models.PositiveIntegerField(help_text="0 first.")
    narration = models.TextField(max_length=catalog.get(catalog.TTS).param("text").max_length)
    picture_prompt = models.TextField(blank=True, help_text="Blank: the narration.")
    motion_prompt = models.TextField(blank=True, help_text="Blank: the narration.")
    voice = models.CharField(max_length=40, blank=True, choices=VOICE_CHOICES)
    provider = models.CharField(max_length=20, blank=True, choices=I2V_PROVIDER_CHOICES)

    speech = models.ForeignKey("generations.Generation", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    picture = models.ForeignKey("generations.Generation", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="+")
    clip = models.ForeignKey("generations.Generation", null=True, blank=True,
                             on_delete=models.SET_NULL, related_name="+")
    speech_made_from = models.JSONField(default=dict, blank=True)
    picture_made_from = models.JSONField(default=dict, blank=True)
    clip_made_from = models.JSONField(default=dict, blank=True)

    objects = reached_through("storyboard__team").as_manager()

    class Meta:
        ordering = ["storyboard", "position", "id"]

    def __str__(self) -> str:
        return f"scene {self.position + 1} of storyboard #{self.storyboard_id}"

    @property
    def number(self) -> int:
        """1 first, as a person counts."""
        return self.position + 1

    @property
    def the_picture_prompt(self) -> str:
        return self.picture_prompt or self.narration

    @property
    def the_motion_prompt(self) -> str:
        return self.motion_prompt or self.narration

    @property
    def the_voice(self) -> str:
        return self.voice or self.storyboard.voice

    @property
    def the_provider(self) -> str:
        return self.provider or self.storyboard.provider
