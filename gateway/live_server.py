"""Real gateway servers for tests and tools: uvicorn in a child process on a
socket bound here to a free loopback port (no fixed ports, no race for one).

``with live_gateway(env, workers=2) as url: ...`` starts ``uvicorn --factory
gateway.asgi:app_from_environment`` with ``KARMAYOGI_*`` settings from
``env``, waits until ``/healthz`` answers and stops it (SIGTERM, so requests
in flight are drained) on exit.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

import httpx


class LiveServerError(RuntimeError):
    """The server did not come up; the message holds its output."""


@dataclass
class LiveGateway:
    url: str
    process: subprocess.Popen[bytes]
    log_path: str
    extra: dict[str, str] = field(default_factory=dict)

    def output(self) -> str:
        with open(self.log_path, encoding="utf-8", errors="replace") as handle:
            return handle.read()


@contextmanager
def live_gateway(
    env: Mapping[str, str],
    *,
    workers: int = 1,
    log_path: str,
    startup_timeout: float = 60.0,
) -> Iterator[LiveGateway]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "gateway",
        "serve",
        "--fd",
        str(sock.fileno()),
        "--workers",
        str(workers),
    ]
    child_env = {**os.environ, **env}
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            env=child_env,
            stdout=log,
            stderr=subprocess.STDOUT,
            pass_fds=(sock.fileno(),),
        )
    sock.close()
    server = LiveGateway(url=f"http://127.0.0.1:{port}", process=process, log_path=log_path)
    try:
        _wait_until_up(server, startup_timeout)
        yield server
    finally:
        stop(server)


def _wait_until_up(server: LiveGateway, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise LiveServerError(f"the gateway exited ({server.process.returncode}):\n{server.output()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise LiveServerError(f"the gateway did not answer /healthz in {timeout:g} s:\n{server.output()}")


def stop(server: LiveGateway, timeout: float = 30.0) -> int:
    """SIGTERM (uvicorn drains requests in flight), then SIGKILL if it hangs."""
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()
    return server.process.returncode
