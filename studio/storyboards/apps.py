from django.apps import AppConfig


class StoryboardsConfig(AppConfig):
    name = "studio.storyboards"
    label = "storyboards"
    verbose_name = "Storyboards: a script's scenes made into one film"
