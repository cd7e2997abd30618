"""GraphQL over WebSocket, the ``graphql-transport-ws`` protocol, at ``/graphql``.

One connection: the client sends ``connection_init`` (its ``payload`` entries
count as request headers for identity, e.g. ``{"Authorization": "Bearer ..."}``;
headers and cookies of the handshake count too). A connection nobody signs in
on is closed with ``4403``. Then each ``subscribe`` runs one subscription until
``complete``, an error or the disconnect; on disconnect every subscription of
the connection is cancelled and its event-bus subscriptions released.

Close codes (from the protocol): 4400 bad message, 4401 subscribe before
``connection_ack``, 4403 not signed in, 4406 sub-protocol not offered, 4408 no
``connection_init`` in time, 4409 a subscription id already in use, 4429 a second
``connection_init``. More subscriptions than ``max_per_connection`` at once: that
``subscribe`` gets an ``error`` message with code ``OPERATION_LIMIT``.

Rate limits (``[rate_limits]``, the buckets HTTP requests draw on): opening a
connection takes a token from the client address's bucket, each ``subscribe``
one from the principal's (the address's if nobody signed in). A refused
connection is accepted and closed at once with ``1013`` (RFC 6455's "Try Again
Later", which graphql-ws clients retry with a back-off; the protocol's 4429
means a second ``connection_init`` and makes them give up) and the reason
``Too many requests; retry in N s``. A refused ``subscribe`` gets an ``error``
message with code ``RATE_LIMITED`` and ``retryAfterSeconds``; the connection
and its other subscriptions go on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Literal

import orjson
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket, WebSocketDisconnect, WebSocketState
from strawberry.types import ExecutionResult
from strawberry.types.execution import PreExecutionError

from gateway.context import RequestContext
from gateway.graphql_http import format_error
from gateway.plugins import first_non_none
from gateway.security.ratelimit import retry_after
from gateway.security.services import services_of
from schema.errors import Unauthenticated

if TYPE_CHECKING:
    from gateway.host import Gateway
    from plugins.subscriptions.plugin import SubscriptionSettings

log = logging.getLogger("plugins.subscriptions")

PROTOCOL = "graphql-transport-ws"
TRY_AGAIN_LATER = 1013  # RFC 6455 close code (IANA registry): a temporary condition, retry later


class Close(Exception):
    """Close the connection with a protocol close code."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def connection_with_payload(websocket: WebSocket, payload: Any) -> HTTPConnection:
    """The handshake, with ``connection_init`` payload entries added as headers."""
    scope = dict(websocket.scope)
    headers = list(scope.get("headers", []))
    if isinstance(payload, dict):
        for key, value in payload.items():
            if isinstance(key, str) and isinstance(value, str) and key.isascii() and value.isascii():
                headers.append((key.lower().encode(), value.encode()))
    scope["headers"] = headers
    return HTTPConnection(scope)


class Connection:
    """One websocket speaking graphql-transport-ws."""

    def __init__(self, gateway: Gateway, websocket: WebSocket, settings: SubscriptionSettings) -> None:
        self.gateway = gateway
        self.websocket = websocket
        self.settings = settings
        self.principal: Any = None
        self.identity: HTTPConnection | None = None
        self.acknowledged = False
        self.operations: dict[str, asyncio.Task[None]] = {}
        self._send_lock = asyncio.Lock()

    async def send(self, message: dict[str, Any]) -> None:
        async with self._send_lock:
            if self.websocket.application_state == WebSocketState.CONNECTED:
                await self.websocket.send_text(orjson.dumps(message).decode())

    async def receive(self) -> dict[str, Any]:
        frame = await self.websocket.receive()
        if frame["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(frame.get("code", 1000))
        text = frame.get("text")
        if text is None:
            raise Close(4400, "Messages must be text frames")
        try:
            message = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise Close(4400, "Message is not JSON") from None
        if not isinstance(message, dict) or not isinstance(message.get("type"), str):
            raise Close(4400, "Message has no type")
        return message

    async def run(self) -> None:
        try:
            await self._init()
            while True:
                await self._handle(await self.receive())
        except Close as close:
            await self._close(close.code, close.reason)
        except WebSocketDisconnect:
            pass
        finally:
            await self._cancel_all()

    async def _close(self, code: int, reason: str) -> None:
        if self.websocket.application_state == WebSocketState.CONNECTED:
            with contextlib.suppress(RuntimeError):
                await self.websocket.close(code=code, reason=reason)

    async def _init(self) -> None:
        try:
            message = await asyncio.wait_for(self.receive(), self.settings.connection_init_timeout_seconds)
        except TimeoutError:
            raise Close(4408, "Connection initialisation timeout") from None
        if message["type"] != "connection_init":
            if message["type"] == "subscribe":
                raise Close(4401, "Unauthorized")
            raise Close(4400, f"Expected connection_init, got {message['type']}")
        payload = message.get("payload")
        if payload is not None and not isinstance(payload, dict):
            raise Close(4400, "connection_init payload must be an object")
        self.identity = connection_with_payload(self.websocket, payload)
        try:
            self.principal = await first_non_none(
                self.gateway.pm.hook.principal_from_request(request=self.identity, gateway=self.gateway)
            )
        except Unauthenticated:
            self.principal = None
        if self.principal is None:
            raise Close(4403, "Forbidden: sign in to subscribe")
        self.acknowledged = True
        await self.send({"type": "connection_ack"})

    async def _handle(self, message: dict[str, Any]) -> None:
        kind = message["type"]
        if kind == "ping":
            await self.send(
                {"type": "pong", **({"payload": message["payload"]} if "payload" in message else {})}
            )
        elif kind == "pong":
            return
        elif kind == "connection_init":
            raise Close(4429, "Too many initialisation requests")
        elif kind == "subscribe":
            await self._subscribe(message)
        elif kind == "complete":
            op_id = message.get("id")
            task = self.operations.pop(op_id, None) if isinstance(op_id, str) else None
            if task is not None:
                task.cancel()
        else:
            raise Close(4400, f"Unknown message type {kind}")

    async def _subscribe(self, message: dict[str, Any]) -> None:
        op_id = message.get("id")
        payload = message.get("payload")
        if not isinstance(op_id, str) or not op_id or not isinstance(payload, dict):
            raise Close(4400, "subscribe needs an id and a payload")
        if not isinstance(payload.get("query"), str):
            raise Close(4400, "subscribe payload needs a query")
        variables = payload.get("variables")
        if variables is not None and not isinstance(variables, dict):
            raise Close(4400, "variables must be an object")
        if op_id in self.operations:
            raise Close(4409, f"Subscriber for {op_id} already exists")
        if await self._rate_limited(op_id):
            return
        limit = self.settings.max_per_connection
        if len(self.operations) >= limit:
            await self.send(
                {
                    "type": "error",
                    "id": op_id,
                    "payload": [
                        {
                            "message": f"At most {limit} subscriptions may run on one connection; "
                            "complete one first.",
                            "extensions": {"code": "OPERATION_LIMIT"},
                        }
                    ],
                }
            )
            return
        task = asyncio.create_task(self._execute(op_id, payload), name=f"subscription {op_id}")
        self.operations[op_id] = task

    async def _rate_limited(self, op_id: str) -> bool:
        """Take a token for one ``subscribe``; when refused, answer it with a
        ``RATE_LIMITED`` error and say so."""
        if not self.gateway.settings.rate_limits_enabled:
            return False
        principal = getattr(self.principal, "learner_id", None)
        kind: Literal["address", "principal"] = "principal" if principal else "address"
        wait = await services_of(self.gateway).take(kind, principal or client_address(self.websocket))
        if wait <= 0:
            return False
        seconds = retry_after(wait)
        error = {
            "message": f"Too many requests from this {kind}; retry in {seconds} s.",
            "extensions": {"code": "RATE_LIMITED", "retryAfterSeconds": int(seconds)},
        }
        await self.send({"type": "error", "id": op_id, "payload": [error]})
        return True

    async def _execute(self, op_id: str, payload: dict[str, Any]) -> None:
        context = RequestContext(
            gateway=self.gateway,
            request=self.identity,
            principal=self.principal,
            request_id=uuid.uuid4().hex,
        )
        stream: AsyncIterator[ExecutionResult] | None = None
        try:
            result = await self.gateway.schema.subscribe(
                payload["query"],
                variable_values=payload.get("variables"),
                context_value=context,
                operation_name=payload.get("operationName"),
            )
            if isinstance(result, ExecutionResult):  # refused before it started
                errors = [format_error(e, self.gateway) for e in result.errors or []]
                await self.send({"type": "error", "id": op_id, "payload": errors})
                return
            stream = result
            async for item in stream:
                if isinstance(item, PreExecutionError):  # did not parse or validate
                    errors = [format_error(e, self.gateway) for e in item.errors or []]
                    await self.send({"type": "error", "id": op_id, "payload": errors})
                    return
                body: dict[str, Any] = {"data": item.data}
                if item.errors:
                    body["errors"] = [format_error(e, self.gateway) for e in item.errors]
                await self.send({"type": "next", "id": op_id, "payload": body})
            await self.send({"type": "complete", "id": op_id})
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("subscription %s failed", op_id)
            await self.send(
                {
                    "type": "error",
                    "id": op_id,
                    "payload": [
                        {"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
                    ],
                }
            )
        finally:
            self.operations.pop(op_id, None)
            aclose = getattr(stream, "aclose", None)
            if aclose is not None:
                with contextlib.suppress(Exception):
                    await aclose()
            await context.close()

    async def _cancel_all(self) -> None:
        tasks = list(self.operations.values())
        self.operations.clear()
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task


def origin_allowed(websocket: WebSocket, gateway: Gateway, allowed: list[str]) -> bool:
    """Browsers send ``Origin``; only the gateway's own (``public_url``) and the
    configured ones may open a socket, so another site can't ride a learner's
    cookies. Clients that send no ``Origin`` (not browsers) are allowed."""
    origin = websocket.headers.get("origin")
    if origin is None:
        return True
    public = gateway.settings.public_url.rstrip("/")
    own = "/".join(public.split("/")[:3])
    return origin.rstrip("/") in {own, *(a.rstrip("/") for a in allowed)}


def client_address(websocket: WebSocket) -> str:
    return websocket.client.host if websocket.client else "unknown"


async def connection_refused(gateway: Gateway, websocket: WebSocket) -> bool:
    """Take the client address's token for a new connection; when refused,
    accept the socket and close it with 1013 and the wait, and say so."""
    if not gateway.settings.rate_limits_enabled:
        return False
    wait = await services_of(gateway).take("address", client_address(websocket))
    if wait <= 0:
        return False
    offered = PROTOCOL in websocket.scope.get("subprotocols", [])
    await websocket.accept(subprotocol=PROTOCOL if offered else None)  # so the client sees the code
    await websocket.close(code=TRY_AGAIN_LATER, reason=f"Too many requests; retry in {retry_after(wait)} s")
    return True


async def serve_websocket(gateway: Gateway, websocket: WebSocket, settings: SubscriptionSettings) -> None:
    if not origin_allowed(websocket, gateway, settings.allowed_origins):
        await websocket.close(code=4403)  # before accept: the handshake is refused (HTTP 403)
        return
    if await connection_refused(gateway, websocket):
        return
    if PROTOCOL not in websocket.scope.get("subprotocols", []):
        await websocket.accept()
        await websocket.close(code=4406, reason=f"Subprotocol not acceptable; use {PROTOCOL}")
        return
    await websocket.accept(subprotocol=PROTOCOL)
    await Connection(gateway, websocket, settings).run()
