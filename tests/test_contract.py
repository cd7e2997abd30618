"""The served schema satisfies the public contract (schema/contract.graphql):
every type, field, argument and enum value, with the same nullability."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    Undefined,
    build_schema,
    value_from_ast,
)

from gateway.host import build_gateway
from gateway.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
CONTRACT = ROOT / "schema" / "contract.graphql"
SHARED_CONTRACT = ROOT.parent / "shared" / "CONTRACT.graphql"

# Parts of the contract that later issues deliver: "Type" or "Type.field" -> issue.
# The test fails if one of these is served (so the list stays current) or if
# anything missing is not listed here.
PENDING: dict[str, int] = {}


def _default(arg: GraphQLArgument) -> Any:
    """An argument's default, however graphql-core stored it (build_schema keeps
    the literal in ``default``; Strawberry sets ``default_value``)."""
    if arg.default_value is not Undefined:
        return arg.default_value
    holder = getattr(arg, "default", None)
    if holder is None:
        return Undefined
    if getattr(holder, "literal", None) is not None:
        return value_from_ast(holder.literal, arg.type)
    return holder.value


def _kind(t: GraphQLNamedType) -> str:
    for cls, name in (
        (GraphQLObjectType, "object"),
        (GraphQLInterfaceType, "interface"),
        (GraphQLInputObjectType, "input"),
        (GraphQLEnumType, "enum"),
        (GraphQLScalarType, "scalar"),
        (GraphQLUnionType, "union"),
    ):
        if isinstance(t, cls):
            return name
    raise AssertionError(t)


def contract_differences(contract: GraphQLSchema, served: GraphQLSchema) -> tuple[set[str], list[str]]:
    """(missing parts, incompatible parts) of ``served`` against ``contract``."""
    missing: set[str] = set()
    wrong: list[str] = []
    for name, ctype in contract.type_map.items():
        if name.startswith("__") or name in ("String", "Int", "Float", "Boolean", "ID"):
            continue
        stype = served.type_map.get(name)
        if stype is None:
            missing.add(name)
            continue
        if _kind(stype) != _kind(ctype):
            wrong.append(f"{name}: {_kind(ctype)} in the contract, {_kind(stype)} served")
            continue
        if isinstance(ctype, GraphQLEnumType):
            assert isinstance(stype, GraphQLEnumType)
            for value in ctype.values:
                if value not in stype.values:
                    wrong.append(f"{name}.{value}: enum value missing")
        if isinstance(ctype, (GraphQLObjectType, GraphQLInterfaceType)):
            assert isinstance(stype, (GraphQLObjectType, GraphQLInterfaceType))
            served_ifaces = {i.name for i in stype.interfaces}
            for iface in ctype.interfaces:
                if iface.name not in served_ifaces:
                    wrong.append(f"{name}: does not implement {iface.name}")
            for fname, cfield in ctype.fields.items():
                sfield = stype.fields.get(fname)
                if sfield is None:
                    missing.add(f"{name}.{fname}")
                    continue
                if str(sfield.type) != str(cfield.type):
                    wrong.append(f"{name}.{fname}: {cfield.type} in the contract, {sfield.type} served")
                for aname, carg in cfield.args.items():
                    sarg = sfield.args.get(aname)
                    if sarg is None:
                        wrong.append(f"{name}.{fname}({aname}): argument missing")
                        continue
                    if str(sarg.type) != str(carg.type):
                        wrong.append(
                            f"{name}.{fname}({aname}): {carg.type} in the contract, {sarg.type} served"
                        )
                    if _default(carg) is not Undefined and _default(sarg) != _default(carg):
                        wrong.append(
                            f"{name}.{fname}({aname}): default {_default(carg)!r} in the contract, "
                            f"{_default(sarg)!r} served"
                        )
                for aname, sarg in sfield.args.items():
                    if (
                        aname not in cfield.args
                        and isinstance(sarg.type, GraphQLNonNull)
                        and _default(sarg) is Undefined
                    ):
                        wrong.append(f"{name}.{fname}({aname}): added argument is required")
        if isinstance(ctype, GraphQLInputObjectType):
            assert isinstance(stype, GraphQLInputObjectType)
            for fname, cfield in ctype.fields.items():
                sfield = stype.fields.get(fname)
                if sfield is None:
                    wrong.append(f"{name}.{fname}: input field missing")
                elif str(sfield.type) != str(cfield.type):
                    wrong.append(f"{name}.{fname}: {cfield.type} in the contract, {sfield.type} served")
            for fname, sfield in stype.fields.items():
                if (
                    fname not in ctype.fields
                    and isinstance(sfield.type, GraphQLNonNull)
                    and sfield.default_value is Undefined
                ):
                    wrong.append(f"{name}.{fname}: added input field is required")
    return missing, wrong


@pytest.fixture(scope="module")
def served_schema(tmp_path_factory: pytest.TempPathFactory) -> GraphQLSchema:
    db = tmp_path_factory.mktemp("contract") / "c.db"
    gateway = build_gateway(load_settings(database_url=f"sqlite+aiosqlite:///{db}"))
    return gateway.schema._schema


def test_served_schema_satisfies_the_contract(served_schema: GraphQLSchema) -> None:
    contract = build_schema(CONTRACT.read_text())
    missing, wrong = contract_differences(contract, served_schema)
    assert wrong == []
    # Types listed as pending stand for all their fields.
    unlisted = {m for m in missing if m not in PENDING and m.split(".")[0] not in PENDING}
    assert unlisted == set(), f"missing from the served schema and not pending: {sorted(unlisted)}"
    delivered = {p for p in PENDING if p not in missing}
    assert delivered == set(), f"served now; remove from PENDING: {sorted(delivered)}"


def test_checker_catches_a_renamed_field_and_changed_nullability() -> None:
    contract = build_schema("type Query { a: String! b(x: Int = 20): [Int!]! }")
    renamed = build_schema("type Query { aa: String! b(x: Int = 20): [Int!]! }")
    loosened = build_schema("type Query { a: String b(x: Int = 5): [Int!]! }")
    assert contract_differences(contract, renamed)[0] == {"Query.a"}
    wrong = contract_differences(contract, loosened)[1]
    assert any("Query.a" in w for w in wrong)
    assert any("default" in w for w in wrong)


def test_project_copy_is_the_shared_contract() -> None:
    if not SHARED_CONTRACT.exists():
        pytest.skip("the shared contract is not beside this checkout (it is in CI)")
    assert CONTRACT.read_bytes() == SHARED_CONTRACT.read_bytes()
