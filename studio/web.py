"""The web process: gunicorn with uvicorn workers (`--worker-class studio.web.Worker`),
so an open event stream costs a coroutine, not a thread.

A deploy's SIGTERM closes every stream first: uvicorn would otherwise wait for
them to end (they never do) until gunicorn kills the worker; closed, the browsers
reconnect to the new dyno and catch up from their Last-Event-ID.

The collector is tuned for a long-lived process: what loading the studio made is
frozen out of its scans, and full collections run a tenth as often. With Python's
defaults a full collection stopped the process for 120 to 200 ms every few seconds
under the load test, and every request then in flight waited it out (page p99 about
300 ms against a p50 of 60 ms).
"""

import gc
import sys

import uvicorn
from gunicorn.arbiter import Arbiter
from uvicorn_worker import UvicornWorker


class Server(uvicorn.Server):
    def handle_exit(self, sig, frame) -> None:
        # Imported here: gunicorn loads this module before Django is set up.
        from studio.events import bus

        bus.close_all()
        super().handle_exit(sig, frame)


class Worker(UvicornWorker):
    # Django has no lifespan handler; "auto" picks uvloop and httptools when installed.
    CONFIG_KWARGS = {"loop": "auto", "http": "auto", "lifespan": "off"}

    async def _serve(self) -> None:
        """UvicornWorker's, with the Server above and the collector tuned."""
        quiet_collector()
        self.config.app = self.wsgi
        server = Server(config=self.config)
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)


# Python's defaults (700, 10, 10) but a full collection after 100 collections of the
# middle generation, not 10: a tenth as many. (A young generation of 50,000 made its
# own collections as slow, up to 140 ms.)
COLLECTOR_THRESHOLDS = (700, 10, 100)


def quiet_collector() -> None:
    gc.collect()
    gc.freeze()  # the loaded studio lives as long as the process: never scanned again
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
