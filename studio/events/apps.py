from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "studio.events"

    def ready(self) -> None:
        from studio.events import leaving
        from studio.teams.members import member_left

        member_left.connect(leaving.on_member_left, dispatch_uid="studio.events.leaving")
