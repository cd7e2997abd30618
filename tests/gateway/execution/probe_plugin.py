"""An in-process third-party plugin for the differential tests: a field on
``Learner`` (inside the dashboard) and a ``probe`` root whose types fail,
return null and mix sync and async resolvers at every depth."""

from __future__ import annotations

import asyncio
from typing import Annotated

import strawberry
from graphql import GraphQLError
from strawberry import Info

from gateway.api import Forbidden, ProviderUnavailable, SchemaContribution, context_of, hookimpl


@strawberry.type
class Badge:
    label: str
    level: int


async def badge(root: strawberry.Parent[object], info: Info) -> Badge:
    learner_id = str(getattr(root, "id", ""))
    return Badge(label=f"badge of {learner_id}", level=len(learner_id) % 5)


@strawberry.interface
class Shape:
    name: str


@strawberry.type
class Circle(Shape):
    radius: float


@strawberry.type
class Square(Shape):
    side: int | None


@strawberry.type
class Text:
    body: str


Item = Annotated[Circle | Square | Text, strawberry.union("Item")]


@strawberry.type
class Leaf:
    value: int

    @strawberry.field
    def boom(self) -> str:
        raise RuntimeError(f"leaf {self.value} failed")

    @strawberry.field
    async def strict(self) -> int:
        if self.value % 2:
            raise Forbidden("odd leaves are private")
        return self.value

    @strawberry.field
    def maybe(self) -> str | None:
        return None if self.value % 3 == 0 else str(self.value)

    @strawberry.field
    def must(self) -> str:
        return None if self.value == 4 else "ok"  # type: ignore[return-value]


@strawberry.type
class Branch:
    label: str

    @strawberry.field
    async def leaves(self, count: int = 3, offset: int = 0) -> list[Leaf]:
        await asyncio.sleep(0)
        return [Leaf(value=offset + i) for i in range(count)]

    @strawberry.field
    def required_leaves(self) -> list[Leaf]:
        return [Leaf(value=i) for i in range(3)]

    @strawberry.field
    def names(self) -> list[str | None]:
        return ["a", None, "c"]

    @strawberry.field
    def strict_names(self) -> list[str]:
        return ["a", None, "c"]  # type: ignore[list-item]


@strawberry.type
class Probe:
    @strawberry.field
    def greeting(self, name: str = "world", shout: bool = False) -> str:
        text = f"hello {name}"
        return text.upper() if shout else text

    @strawberry.field
    def branch(self, label: str = "main") -> Branch:
        return Branch(label=label)

    @strawberry.field
    def branches(self) -> list[Branch]:
        return [Branch(label="one"), Branch(label="two")]

    @strawberry.field
    def shapes(self) -> list[Shape]:
        return [Circle(name="c", radius=1.5), Square(name="s", side=None), Square(name="t", side=2)]

    @strawberry.field
    def items(self) -> list[Item]:
        return [Text(body="hi"), Circle(name="c", radius=2.0), Square(name="q", side=3)]

    @strawberry.field
    async def partial(self, info: Info) -> list[str]:
        path = list(info.path.as_list())
        error = ProviderUnavailable("the probe provider is down", provider="probe")
        context_of(info).extra_errors.append(GraphQLError(error.message, path=path, original_error=error))
        return ["stale answer"]

    @strawberry.field
    def private(self) -> str:
        raise Forbidden("not for you")

    @strawberry.field
    def huge(self) -> int:
        return 2**40  # not an Int: a serialisation error


@strawberry.field
def probe() -> Probe:
    return Probe()


class ProbePlugin:
    @hookimpl
    def register_schema(self) -> SchemaContribution:
        return SchemaContribution(
            types=[Badge, Probe, Branch, Leaf, Shape, Circle, Square, Text],
            query=[probe],
            type_fields={"Learner": [strawberry.field(resolver=badge, name="probeBadge")]},
        )
