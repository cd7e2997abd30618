"""Random operations over the composed schema, for the differential tests.

From a root field, pick a random subset of each selected type's fields (those
whose required arguments all have defaults), up to a depth; wrap some in
aliases, inline fragments on the field's own or abstract type, named
fragments, and ``@skip``/``@include`` driven by variables. The same seed gives
the same operations.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from graphql import (
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    get_named_type,
    is_leaf_type,
    is_non_null_type,
)


@dataclass
class Generated:
    query: str
    variables: dict[str, bool] = field(default_factory=dict)


@dataclass
class _State:
    rng: random.Random
    schema: GraphQLSchema
    fragments: dict[str, str] = field(default_factory=dict)
    variables: dict[str, bool] = field(default_factory=dict)
    aliases: int = 0


def _usable_fields(type_: GraphQLObjectType | GraphQLInterfaceType) -> list[str]:
    names = []
    for name, f in type_.fields.items():
        if name.startswith("_"):
            continue
        required = [a for a in f.args.values() if is_non_null_type(a.type) and a.default_value is None]
        if not required:
            names.append(name)
    return names


def _directive(state: _State) -> str:
    if state.rng.random() > 0.15:
        return ""
    name = f"v{len(state.variables)}"
    state.variables[name] = state.rng.random() < 0.5
    return f" @{state.rng.choice(['skip', 'include'])}(if: ${name})"


def _selection(state: _State, type_: GraphQLNamedType, depth: int) -> str:
    rng = state.rng
    if isinstance(type_, GraphQLUnionType):
        parts = ["__typename"]
        for possible in type_.types:
            if rng.random() < 0.7:
                parts.append(f"... on {possible.name} {{ {_selection(state, possible, depth)} }}")
        return " ".join(parts)
    assert isinstance(type_, GraphQLObjectType | GraphQLInterfaceType)
    names = _usable_fields(type_)
    leaves = [n for n in names if is_leaf_type(get_named_type(type_.fields[n].type))]
    chosen = rng.sample(names, k=min(len(names), rng.randint(1, 6)))
    if not any(n in leaves for n in chosen) and leaves:
        chosen.append(rng.choice(leaves))
    parts = []
    for name in chosen:
        named = get_named_type(type_.fields[name].type)
        if not is_leaf_type(named) and depth <= 0:
            continue
        text = name
        if rng.random() < 0.2 and state.aliases < 20:
            state.aliases += 1
            text = f"a{state.aliases}: {text}"
        text += _directive(state)
        if not is_leaf_type(named):
            text += f" {{ {_selection(state, named, depth - 1)} }}"
        parts.append(text)
    if rng.random() < 0.3:
        parts.append("__typename")
    if isinstance(type_, GraphQLInterfaceType):
        for possible in state.schema.get_possible_types(type_)[:3]:
            if rng.random() < 0.5:
                parts.append(f"... on {possible.name} {{ {_selection(state, possible, 0)} }}")
    elif rng.random() < 0.25 and leaves:
        fragment = f"F{len(state.fragments)}"
        state.fragments[fragment] = f"fragment {fragment} on {type_.name} {{ {rng.choice(leaves)} }}"
        parts.append(f"...{fragment}")
    if not parts:
        parts.append("__typename")
    return " ".join(parts)


def generate(schema: GraphQLSchema, root_fields: list[str], seed: int, depth: int = 3) -> Generated:
    state = _State(rng=random.Random(seed), schema=schema)
    query_type = schema.query_type
    assert query_type is not None
    root = state.rng.choice(root_fields)
    root_field = query_type.fields[root]
    named = get_named_type(root_field.type)
    body = root if is_leaf_type(named) else f"{root} {{ {_selection(state, named, depth)} }}"
    definitions = "".join(f"${name}: Boolean!, " for name in state.variables).rstrip(", ")
    header = f"query Generated{seed}({definitions})" if definitions else f"query Generated{seed}"
    query = "\n".join([f"{header} {{ {body} }}", *state.fragments.values()])
    return Generated(query=query, variables=dict(state.variables))
