"""django-q2's qcluster, plus the dispatcher that feeds it.

The dispatcher decides when each queued generation may be sent (rate limits,
retries, follow-ups); django-q2's workers make the calls. Running both from the
one `worker` process keeps the Procfile as the PaaS expects it. This command
shadows django-q2's own because `studio.generations` precedes `django_q` in
INSTALLED_APPS.
"""

import os

from django.conf import settings
from django_q.cluster import Cluster
from django_q.management.commands.qcluster import Command as QClusterCommand

from studio.generations import dispatch, tasks  # noqa: F401 (imported before workers fork)


class Command(QClusterCommand):
    help = "Starts the django-q2 cluster and the generation dispatcher."

    def handle(self, *args, **options):
        if options.get("run_once") or not settings.STUDIO_DISPATCHER:
            return super().handle(*args, **options)
        if options.get("cluster_name"):
            os.environ["Q_CLUSTER_NAME"] = options["cluster_name"]
        cluster = Cluster()
        cluster.start()
        # Cluster's SIGTERM/SIGINT handler stops the sentinel and clears stop_event.
        dispatch.run_forever(stopped=lambda: cluster.stop_event is None
                             or not cluster.sentinel.is_alive())
        cluster.stop()
