"""Built-in plugin: subscriptions over websockets and the event bus behind them.

Settings ``[plugins.subscriptions]``: ``max_per_connection`` (subscriptions one
connection may run at once), ``connection_init_timeout_seconds``,
``queue_size`` (events buffered per slow subscriber), ``allowed_origins``
(browser origins besides ``public_url`` that may connect) and
``channel_prefix`` (Redis channel prefix). With ``redis_url`` set, events are
delivered across workers through Redis pub/sub; otherwise within the process.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field
from starlette.routing import BaseRoute, WebSocketRoute

from gateway.hookspecs import hookimpl
from gateway.security.redis_link import bounded_client
from gateway.security.services import redis_link
from plugins.subscriptions.events import EventBus, LocalEventBus, RedisEventBus
from plugins.subscriptions.models import SubscriptionsBase
from plugins.subscriptions.protocol import serve_websocket
from schema.context import StateKey
from schema.contribution import MigrationLineage
from schema.services import EVENTS

if TYPE_CHECKING:
    from starlette.websockets import WebSocket

    from gateway.host import Gateway
    from schema.context import ServiceKey

NAME = "subscriptions"
BUS: StateKey[EventBus] = StateKey("subscriptions.bus")


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
    return gateway.plugin_settings(SubscriptionSettings)


def make_event_bus(gateway: Gateway) -> EventBus:
    settings = _settings(gateway)
    link = redis_link(gateway)
    if link is not None:
        return RedisEventBus(
            link,
            bounded_client(gateway.settings, socket_timeout=False),
            gateway.db,
            prefix=settings.channel_prefix,
            queue_size=settings.queue_size,
        )
    return LocalEventBus(queue_size=settings.queue_size)


def events_of(gateway: Gateway) -> EventBus:
    """The gateway's event bus (other plugins: ``gateway.service(EVENTS)``)."""
    bus = gateway.state.get(BUS)
    if bus is None:
        bus = make_event_bus(gateway)
        gateway.state[BUS] = bus
    return bus


@hookimpl
def register_migrations() -> MigrationLineage:
    return MigrationLineage(
        script_location=Path(__file__).parent / "migrations",
        version_table="alembic_version_subscriptions",
        metadata=SubscriptionsBase.metadata,
    )


@hookimpl
def register_services(gateway: Gateway) -> dict[ServiceKey[Any], object]:
    return {EVENTS: events_of(gateway)}


@hookimpl
async def startup(gateway: Gateway) -> None:
    await events_of(gateway).start()


@hookimpl
async def shutdown(gateway: Gateway) -> None:
    bus = gateway.state.pop(BUS)
    if bus is not None:
        await bus.close()


@hookimpl
def register_routes(gateway: Gateway) -> list[BaseRoute]:
    async def endpoint(websocket: WebSocket) -> None:
        await serve_websocket(gateway, websocket, _settings(gateway))

    return [WebSocketRoute("/graphql", endpoint)]
