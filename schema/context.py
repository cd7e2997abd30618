"""What hooks and resolvers see of the gateway and of a request.

These are views (``Protocol`` classes): the kernel's ``Gateway`` and
``RequestContext`` implement them, plugins program against them. Per-app and
per-request state is keyed by typed :class:`StateKey` objects, each defined
once by the module that owns it, never by string literals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from types import GeneratorType
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeAlias, TypeGuard, TypeVar, cast, overload

from graphql.pyutils import is_awaitable as _graphql_is_awaitable

if TYPE_CHECKING:
    from pydantic import BaseModel
    from sqlalchemy.ext.asyncio import AsyncSession
    from starlette.requests import HTTPConnection
    from strawberry import Info

    from schema.identity import Principal
    from schema.passbook import PassbookBackend
    from schema.providers import ContentProvider
    from schema.reads import Read, RoleGrantRecord

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
V = TypeVar("V")
M = TypeVar("M", bound="BaseModel")

BatchFn = Callable[[Any, list[K]], Awaitable[Sequence[V]]]
"""``async (context, keys) -> values``: a DataLoader batch function (``context``
is the request's :class:`RequestView`)."""

MaybeAwaitable: TypeAlias = T | Awaitable[T]
"""A value, or an awaitable of it: what ``load_now`` returns, and what a
resolver may return (graphql-core and the compiled executor await it only
when it is awaitable)."""
U = TypeVar("U")


def then(value: MaybeAwaitable[T], fn: Callable[[T], U]) -> MaybeAwaitable[U]:
    """``fn(value)`` now when ``value`` is at hand, else once it is awaited.

    With :meth:`RequestView.load_now`, a resolver whose data a prefetch or an
    earlier load of the request has already read answers without a coroutine,
    so the executor completes it in place instead of scheduling a task::

        @strawberry.field(graphql_type=Course)
        def course(self, info: Info) -> MaybeAwaitable[Course]:
            return then(context_of(info).load_now(COURSES_BY_ID, self.course_id), Course.of)

    ``fn`` may answer with a ``MaybeAwaitable`` itself (a second ``then``): when
    ``value`` was awaitable, that is awaited too, so the result never nests.
    """
    if is_awaitable(value):
        return _then(value, fn)
    return fn(cast("T", value))


async def _then(value: Awaitable[T], fn: Callable[[T], U]) -> U:
    result: Any = fn(await value)
    if is_awaitable(result):  # ``fn`` answered with a MaybeAwaitable itself
        return cast("U", await result)
    return cast("U", result)


async def awaited(value: MaybeAwaitable[T]) -> T:
    """``value``, awaited when it is awaitable (for callers that are async anyway)."""
    if is_awaitable(value):
        return cast("T", await value)
    return cast("T", value)


# Classes whose instances are not awaitable: found once each, then a set lookup.
_NOT_AWAITABLE: set[type] = {str, int, float, bool, type(None), list, dict, tuple}


def is_awaitable(value: object) -> TypeGuard[Awaitable[Any]]:
    """graphql-core's ``is_awaitable`` (what both executors await), remembering
    the classes found not to be: a class's instances are awaitable or not
    alike, except generators (a generator-based coroutine is one by its
    code's flags), which are never remembered."""
    kind = type(value)
    if kind in _NOT_AWAITABLE:
        return False
    if _graphql_is_awaitable(value):
        return True
    if not issubclass(kind, GeneratorType):
        _NOT_AWAITABLE.add(kind)
    return False


class StateKey(Generic[T]):
    """A typed key of per-app (``gateway.state``) or per-request (``ctx.state``)
    state. Define it once, next to the code that owns the value::

        RUNTIME: StateKey[Runtime] = StateKey("identity_parichay.runtime")
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"StateKey({self.name!r})"


class State:
    """A mapping from :class:`StateKey` to values of the key's type."""

    __slots__ = ("_values",)

    def __init__(self) -> None:
        self._values: dict[StateKey[Any], Any] = {}

    @overload
    def get(self, key: StateKey[T]) -> T | None: ...
    @overload
    def get(self, key: StateKey[T], default: T) -> T: ...
    def get(self, key: StateKey[T], default: T | None = None) -> T | None:
        return cast("T | None", self._values.get(key, default))

    def __getitem__(self, key: StateKey[T]) -> T:
        return cast("T", self._values[key])

    def __setitem__(self, key: StateKey[T], value: T) -> None:
        self._values[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._values

    def setdefault(self, key: StateKey[T], default: T) -> T:
        return cast("T", self._values.setdefault(key, default))

    def pop(self, key: StateKey[T], default: T | None = None) -> T | None:
        return cast("T | None", self._values.pop(key, default))

    def clear(self) -> None:
        self._values.clear()


class ServiceKey(Generic[T]):
    """A service one plugin provides (``register_services``) and others use
    (``gateway.service(KEY)``), named by its protocol in :mod:`schema.services`."""

    __slots__ = ("name", "protocol")

    def __init__(self, name: str, protocol: Any) -> None:
        self.name = name
        self.protocol = protocol

    def __repr__(self) -> str:
        return f"ServiceKey({self.name!r})"


class AuthzView(Protocol):
    """The request's authorisation rules (every scope check lives in one place)."""

    async def roles(self) -> set[str]: ...
    async def is_spv(self) -> bool: ...
    async def can_admin_org(self, org_id: str | None) -> bool: ...
    async def require_org_admin(self, org_id: str | None, action: str) -> None: ...
    async def can_view_learner(self, learner: Any) -> bool: ...
    async def require_view_learner(self, learner: Any, learner_id: str) -> Any: ...
    async def is_self(self, learner_id: str) -> bool: ...
    async def require_spv(self, action: str) -> None: ...
    async def require_decide_learner(self, learner: Any, learner_id: str) -> Any: ...
    async def current_learner(self) -> Any: ...
    async def grants(self) -> Sequence[RoleGrantRecord]: ...


class StatesView(Protocol):
    """Which state modules reach whom (``state_modules`` setting). ``ctx`` is
    the request context, ``learner`` a learner record."""

    def is_state_module(self, plugin: str) -> bool: ...
    def states_of(self, plugin: str) -> frozenset[str]: ...
    async def state_of_organisation(self, ctx: Any, org_id: str | None) -> str | None: ...
    async def state_of_learner(self, ctx: Any, learner: Any) -> str | None: ...
    async def principal_state(self, ctx: Any) -> str | None: ...
    async def reaches_learner(self, ctx: Any, plugin: str, learner: Any) -> bool: ...
    async def reaches_principal(self, ctx: Any, plugin: str) -> bool: ...
    async def provider_reaches_principal(self, ctx: Any, provider_id: str) -> bool: ...
    async def course_reaches_principal(self, ctx: Any, course_id: str) -> bool: ...


class GatewayView(Protocol):
    """What hooks receive as ``gateway``: one app instance, fixed after start-up."""

    @property
    def settings(self) -> Any: ...
    @property
    def state(self) -> State: ...
    @property
    def db(self) -> Any: ...
    @property
    def providers(self) -> Mapping[str, ContentProvider]: ...
    @property
    def passbook(self) -> PassbookBackend | None: ...
    @property
    def states(self) -> StatesView: ...
    def plugin_settings(self, model: type[M]) -> M: ...
    def service(self, key: ServiceKey[T]) -> T: ...
    def optional_service(self, key: ServiceKey[T]) -> T | None: ...


class RequestView(Protocol):
    """What resolvers get as ``info.context`` (see :func:`context_of`)."""

    @property
    def gateway(self) -> GatewayView: ...
    @property
    def request(self) -> HTTPConnection | None: ...
    @property
    def principal(self) -> Principal | None: ...
    @property
    def request_id(self) -> str: ...
    @property
    def extra_errors(self) -> list[Any]: ...
    @property
    def state(self) -> State: ...
    @property
    def authz(self) -> AuthzView: ...
    def db(self) -> AbstractAsyncContextManager[AsyncSession]: ...
    def write(self) -> AbstractAsyncContextManager[AsyncSession]: ...
    async def load(self, batch: Read[K, V] | BatchFn[K, V], key: K) -> V: ...
    async def load_many(self, batch: Read[K, V] | BatchFn[K, V], keys: Sequence[K]) -> list[V]: ...
    def load_now(self, batch: Read[K, V] | BatchFn[K, V], key: K) -> MaybeAwaitable[V]:
        """The value at once when this request has already loaded it, else an
        awaitable as :meth:`load` (see :func:`then`)."""
        ...

    def load_many_now(
        self, batch: Read[K, V] | BatchFn[K, V], keys: Sequence[K]
    ) -> MaybeAwaitable[list[V]]: ...
    def require_principal(self) -> Principal: ...
    def forget(self) -> None: ...


def context_of(info: Info[Any, Any]) -> RequestView:
    """The request context of a resolver's ``info``."""
    return cast("RequestView", info.context)
