"""What is waiting, per team and kind: for an operator at a terminal."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db.models import Count, Min

from studio.generations.models import Attempt, Generation, Status
from studio.lib import clock


class Command(BaseCommand):
    help = "Show the generation queue: waiting per team and kind, oldest age, failures."

    def handle(self, *args, **options):
        now = clock.now()
        waiting = (Generation.objects.filter(status__in=(Status.QUEUED, Status.RUNNING))
                   .values("team__name", "kind", "status")
                   .annotate(count=Count("id"), oldest=Min("created_at"))
                   .order_by("team__name", "kind", "status"))
        self.stdout.write(f"{'team':24} {'kind':16} {'status':8} {'count':>6} {'oldest':>10}")
        for row in waiting:
            age = age_text((now - row["oldest"]).total_seconds())
            self.stdout.write(f"{row['team__name'][:24]:24} {row['kind']:16} "
                              f"{row['status']:8} {row['count']:>6} {age:>10}")
        if not waiting:
            self.stdout.write("(nothing waiting)")
        self.report_failures(now)

    def report_failures(self, now) -> None:
        hour_ago = now - timedelta(hours=1)
        failed = Generation.objects.filter(status=Status.FAILED, finished_at__gte=hour_ago)
        by_code = failed.values("error_code").annotate(count=Count("id")).order_by("-count")
        errors = (Attempt.objects.filter(sent_at__gte=hour_ago, http_status__gte=400)
                  .values("http_status").annotate(count=Count("id")).order_by("http_status"))
        self.stdout.write(f"\nFailed in the last hour: {failed.count()}" + "".join(
            f"\n  {row['error_code'] or 'unknown'}: {row['count']}" for row in by_code))
        self.stdout.write("API errors in the last hour: " + (", ".join(
            f"{row['http_status']}×{row['count']}" for row in errors) or "none"))


def age_text(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f}s"
    if seconds < 7200:
        return f"{seconds / 60:.0f}m"
    return f"{seconds / 3600:.1f}h"
