"""`manage.py worker`, the Procfile's `worker` process: django-q2's cluster plus the
dispatcher that feeds it.

The dispatcher decides when each queued generation may be sent (rate limits,
retries, follow-ups) and reclaims what dead workers left; django-q2's workers make
the calls. (django-q2's own `qcluster` is left as it is: it runs the cluster alone.)

On SIGTERM or SIGINT (a deploy, a scale-down, Ctrl-C) it stops dispatching at once,
gives back the jobs it had dispatched that no worker started yet, lets running calls
finish (a worker that is itself signalled hands its job back instead, tasks.py), and
exits.

A PaaS sends SIGTERM to every process of the dyno, not only to this one. django-q2's
sentinel and the processes it forks ignore SIGINT but die of SIGTERM wherever they
are, now and then holding a lock they share with this process (the cluster's start
and stop events, the task queue's read lock): this process then waited on it forever
(seen once in a few hundred stops). So they ignore SIGTERM too, and this process
stops them in order; a worker in the middle of a task still hands its job back.
"""

import logging
import os
import signal
import socket
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections, connections
from django_q import cluster as q_cluster
from django_q.models import Schedule

from studio.generations import lifecycle, runner, tasks  # noqa: F401 (before workers fork)

log = logging.getLogger(__name__)

RECONCILE_SCHEDULE = "Reconcile credits with the API"


class Command(BaseCommand):
    help = "Starts the django-q2 cluster and the generation dispatcher."

    def handle(self, *args, **options):
        # The workers fork from this process and inherit its name: the leases they
        # take are this process's, kept alive by its heartbeat.
        os.environ["STUDIO_WORKER_NAME"] = f"{socket.gethostname()}:{os.getpid()}"
        apply_schedules()
        cluster = q_cluster.Cluster()
        # Instead of the cluster's own handlers, which stop it from inside the signal
        # handler and only return once every running task has finished. A handler
        # only appends: one that took a lock could wait for the frame it interrupted.
        signals: list[int] = []
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda signum, frame: signals.append(signum))
        # Children must not inherit this process's database connections: one that
        # exits closes the shared session under the dispatcher (PostgreSQL).
        connections.close_all()
        runner.listen_for_answers()
        cluster.start()
        if settings.STUDIO_DISPATCHER:
            runner.run_forever(stopped=lambda: bool(signals)
                               or not cluster.sentinel.is_alive())
        else:
            while not signals and cluster.sentinel.is_alive():
                time.sleep(0.25)
        close_old_connections()
        given_back = lifecycle.hand_back_unsent(lifecycle.worker_name())
        log.info("worker_stopping", extra={"given_back": given_back})
        cluster.stop()


class Sentinel(q_cluster.Sentinel):
    """django-q2's sentinel, deaf to SIGTERM like the processes it forks from here
    (see the module's note); the cluster's stop event stops them."""

    def start(self):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        super().start()


# Cluster.start forks its sentinel by this module-level name.
q_cluster.Sentinel = Sentinel


def apply_schedules() -> None:
    """Settings that say how often something runs take effect when the worker starts."""
    Schedule.objects.update_or_create(name=RECONCILE_SCHEDULE, defaults={
        "func": "studio.generations.settlement.reconcile_all",
        "schedule_type": Schedule.MINUTES,
        "minutes": settings.STUDIO_RECONCILE_MINUTES,
        "repeats": -1,
    })
