from django.apps import AppConfig


class GenerationsConfig(AppConfig):
    name = "studio.generations"

    def ready(self) -> None:
        from studio.credits import budget
        from studio.generations import lifecycle, live
        from studio.generations.models import Generation

        budget.HOLDERS.append(Generation.objects.reserved_credits)
        lifecycle.moved.connect(live.on_move, dispatch_uid="studio.generations.live")
