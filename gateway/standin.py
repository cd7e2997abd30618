"""A stand-in for an outside GraphQL service: one POST /graphql route served by
uvicorn on loopback, in a background thread (tests) or in the foreground
(``karmayogi demo ...``). Subclasses answer requests in ``handle``."""

from __future__ import annotations

import socket
import threading
import time
from typing import Self

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


class StandInServer:
    label = "stand-in"

    def __init__(self, port: int = 0) -> None:
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    async def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/graphql", self.handle, methods=["POST"])])

    def _socket(self) -> socket.socket:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        self.port = sock.getsockname()[1]
        return sock

    def start(self) -> Self:
        sock = self._socket()
        server = uvicorn.Server(uvicorn.Config(self.app(), log_level="warning", lifespan="off"))
        self._server = server
        self._thread = threading.Thread(target=lambda: server.run(sockets=[sock]), daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {self.label} did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
            self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None
        self._thread = None

    def serve_forever(self) -> None:
        """Run in the foreground until interrupted."""
        sock = self._socket()
        uvicorn.Server(uvicorn.Config(self.app(), log_level="info", lifespan="off")).run(sockets=[sock])
