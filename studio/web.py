"""The web process: gunicorn with uvicorn workers (`--worker-class studio.web.Worker`),
so an open event stream costs a coroutine, not a thread.

A deploy's SIGTERM closes every stream first: uvicorn would otherwise wait for
them to end (they never do) until gunicorn kills the worker; closed, the browsers
reconnect to the new dyno and catch up from their Last-Event-ID.
"""

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
        """UvicornWorker's, with the Server above."""
        self.config.app = self.wsgi
        server = Server(config=self.config)
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
