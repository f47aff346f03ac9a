from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "studio.review"

    def ready(self) -> None:
        from studio.generations import lifecycle, submission
        from studio.review import hooks, notes, notifications

        lifecycle.moved.connect(notifications.on_move,
                                dispatch_uid="studio.review.notifications.on_move")
        submission.held_for_approval.connect(
            notifications.on_held, dispatch_uid="studio.review.notifications.on_held")
        notes.connect()
        hooks.connect()
