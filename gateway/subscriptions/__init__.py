"""Subscriptions: the graphql-transport-ws endpoint and the event bus."""

from __future__ import annotations

from gateway.subscriptions.events import EventBus, LocalEventBus, RedisEventBus
from gateway.subscriptions.plugin import SubscriptionSettings, events_of

__all__ = ["EventBus", "LocalEventBus", "RedisEventBus", "SubscriptionSettings", "events_of"]
