"""Built-in plugin: subscriptions over websockets and the event bus behind them.

Settings ``[plugins.subscriptions]``: ``max_per_connection`` (subscriptions one
connection may run at once), ``connection_init_timeout_seconds``,
``queue_size`` (events buffered per slow subscriber), ``allowed_origins``
(browser origins besides ``public_url`` that may connect) and
``channel_prefix`` (Redis channel prefix). With ``redis_url`` set, events are
delivered across workers through Redis pub/sub; otherwise within the process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import BaseRoute, WebSocketRoute

from gateway.hookspecs import hookimpl
from gateway.subscriptions.events import EventBus, LocalEventBus, RedisEventBus
from gateway.subscriptions.protocol import serve_websocket

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

    from gateway.host import Gateway

NAME = "subscriptions"


class SubscriptionSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_per_connection: int = Field(10, ge=1, le=1000)
    connection_init_timeout_seconds: float = Field(10.0, gt=0, le=300)
    queue_size: int = Field(100, ge=1, le=100_000)
    allowed_origins: list[str] = Field(default_factory=list)
    channel_prefix: str = Field("karmayogi:events:", min_length=1)


@hookimpl
def register_settings_model() -> type[BaseModel]:
    return SubscriptionSettings


def _settings(gateway: Gateway) -> SubscriptionSettings:
    return cast(SubscriptionSettings, gateway.plugin_settings(NAME))


def make_event_bus(gateway: Gateway) -> EventBus:
    settings = _settings(gateway)
    if gateway.settings.redis_url is not None:
        return RedisEventBus(
            gateway.settings.redis_url.get_secret_value(),
            prefix=settings.channel_prefix,
            queue_size=settings.queue_size,
        )
    return LocalEventBus(queue_size=settings.queue_size)


def events_of(gateway: Gateway) -> EventBus:
    """The gateway's event bus: ``await events_of(gateway).publish(topic, payload)``
    and ``async with events_of(gateway).subscribe(topic) as events: ...``."""
    bus = gateway.state.get(NAME)
    if bus is None:
        raise RuntimeError("The subscriptions plugin is not started (blocked, or the app is not started).")
    return cast(EventBus, bus)


@hookimpl
async def startup(gateway: Gateway) -> None:
    bus = make_event_bus(gateway)
    await bus.start()
    gateway.state[NAME] = bus


@hookimpl
async def shutdown(gateway: Gateway) -> None:
    bus = gateway.state.pop(NAME, None)
    if bus is not None:
        await bus.close()


@hookimpl
def register_routes(gateway: Gateway) -> list[BaseRoute]:
    async def endpoint(websocket: WebSocket) -> None:
        await serve_websocket(gateway, websocket, _settings(gateway))

    return [WebSocketRoute("/graphql", endpoint)]
