"""Test plugin: ``Learner.greeting``, found only through its entry point."""

from __future__ import annotations

import strawberry

from gateway import hookimpl
from schema.contribution import SchemaContribution
from schema.learner import Learner


def greeting(root: Learner) -> str:
    return f"Namaste, {root.name}"


@hookimpl
def register_schema() -> SchemaContribution:
    return SchemaContribution(type_fields={"Learner": [strawberry.field(resolver=greeting, name="greeting")]})
