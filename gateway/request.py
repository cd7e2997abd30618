"""Builds the ``RequestContext`` for one HTTP or websocket request."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gateway.context import RequestContext
from gateway.observability import current_request_id
from gateway.plugins import first_non_none
from schema.reads import LEARNERS_BY_ID

if TYPE_CHECKING:
    from starlette.requests import HTTPConnection

    from gateway.host import Gateway


async def build_context(gateway: Gateway, connection: HTTPConnection | None) -> RequestContext:
    """Ask the identity plugins who is calling (first non-None answer wins);
    an identity plugin raising ``Unauthenticated`` refuses the request."""
    principal = None
    if connection is not None:
        principal = await first_non_none(
            gateway.pm.hook.principal_from_request(request=connection, gateway=gateway)
        )
    context = RequestContext(
        gateway=gateway,
        request=connection,
        principal=principal,
        request_id=current_request_id(),
    )
    if principal is not None and principal.learner is not None:
        context.loader(LEARNERS_BY_ID).prime(principal.learner_id, principal.learner)
    return context
