from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "studio.review"

    def ready(self) -> None:
        from studio.review import hooks

        hooks.connect()
