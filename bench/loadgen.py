"""The benchmark's load generator: keep-alive HTTP/1.1 on asyncio, requests
encoded beforehand, answers parsed only as far as HTTP needs, so it takes
little of the CPU it shares with the servers. Each connection is renewed every
``RENEW_EVERY`` requests so the kernel spreads the clients over the workers."""

from __future__ import annotations

import asyncio
import socket
import statistics
import time
from typing import Any

import httpx
import orjson

from bench.proc_cpu import cpu_seconds

RENEW_EVERY = 20  # requests per keep-alive connection


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(port: int) -> None:
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        for _ in range(600):
            try:
                if (await http.get("/healthz")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError(f"the server on port {port} did not start")


def http_request(port: int, op: str, body: dict[str, Any], who: str) -> bytes:
    payload = orjson.dumps(body)
    head = (
        f"POST /graphql?op={op} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\n"
        f"x-test-learner: {who}\r\n\r\n"
    )
    return head.encode() + payload


async def exchange(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, request: bytes
) -> tuple[int, bytes]:
    """Send one keep-alive HTTP/1.1 request; return the status and the body."""
    writer.write(request)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {
        k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    if "content-length" in headers:
        return status, await reader.readexactly(int(headers["content-length"]))
    body = b""
    while True:  # chunked
        size = int((await reader.readuntil(b"\r\n")).strip(), 16)
        chunk = await reader.readexactly(size + 2)
        if size == 0:
            return status, body
        body += chunk[:-2]


async def drive(
    port: int, server_pid: int, requests: list[bytes], seconds: float, concurrency: int, warmup: float = 2.0
) -> dict[str, float]:
    """CONCURRENCY connections, each sending its next request as soon as the
    last answer is read: WARMUP seconds untimed (every worker opens its pool
    connections and prepares its statements), then SECONDS timed. Returns
    req/s, p50 and p99 (ms), errors, mean answer bytes and the server's CPU ms
    per request (``/proc``: the uvicorn master and all its workers, over the
    timed part only)."""
    await wait_ready(port)
    latencies: list[float] = []
    totals = {"bytes": 0, "errors": 0}
    first_error: list[str] = []
    connections = [await asyncio.open_connection("127.0.0.1", port) for _ in range(concurrency)]
    opened = [writer for _, writer in connections]
    slots: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = list(connections)

    async def client(slot: int, deadline: float, timed: bool) -> None:
        reader, writer = slots[slot]
        n, sent = slot, 0
        while time.perf_counter() < deadline:
            n = (n + concurrency) % len(requests)
            sent += 1
            if sent % RENEW_EVERY == 0:
                # A new connection now and then, so the kernel spreads the
                # clients over the workers (whichever is idle accepts it)
                # instead of leaving them where the first accept put them.
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                opened.append(writer)
            t0 = time.perf_counter()
            try:
                status, body = await exchange(reader, writer, requests[n])
            except (asyncio.IncompleteReadError, ConnectionError):  # the server closed it
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
                opened.append(writer)
                try:
                    status, body = await exchange(reader, writer, requests[n])
                except (asyncio.IncompleteReadError, ConnectionError):
                    if timed:
                        totals["errors"] += 1  # counted; the next request opens a new connection
                    continue
            if timed:
                latencies.append(time.perf_counter() - t0)
                totals["bytes"] += len(body)
                if status != 200 or b'"errors"' in body:
                    totals["errors"] += 1
                    first_error.append(f"HTTP {status}: {body[:300].decode(errors='replace')}")
        slots[slot] = (reader, writer)

    try:
        warm_until = time.perf_counter() + warmup
        await asyncio.gather(*(client(i, warm_until, False) for i in range(concurrency)))
        cpu0 = cpu_seconds(server_pid)
        started = time.perf_counter()
        await asyncio.gather(*(client(i, started + seconds, True) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
        cpu1 = cpu_seconds(server_pid)
    finally:
        for writer in opened:
            writer.close()
    latencies.sort()
    count = max(len(latencies), 1)
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000 if latencies else 0.0,
        "cpu": (cpu1 - cpu0) * 1000 / count,
        "bytes": totals["bytes"] / count,
        "errors": totals["errors"],
        "first_error": first_error[0] if first_error else "",
    }
