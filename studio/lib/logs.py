"""One JSON line per log record, and one per request, so a PaaS log drain can be
searched by field (generation id, team, status, duration)."""

import json
import logging
import time
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
requests_log = logging.getLogger("studio.requests")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({k: v for k, v in vars(record).items() if k not in STANDARD})
        if record.exc_info:
            line["error"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class RequestLogMiddleware:
    """method, path, status, duration, user and team of every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        membership = getattr(request, "membership", None)
        user = getattr(request, "user", None)
        requests_log.info("request", extra={
            "method": request.method, "path": request.path,
            "status": response.status_code,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1),
            "user": user.pk if user is not None and user.is_authenticated else None,
            "team": membership.team_id if membership is not None else None,
        })
        return response
