"""Execution: remote fields through one HTTP request per subgraph per wave.

Each request keeps one :class:`WaveBatcher` per subgraph. Every remote field
resolved in one resolution wave adds an :class:`Ask` to it; the batch turns
all of them into ONE document: ``_entities(representations:)`` for entity
fields (one alias per distinct sub-selection), the root fields beside them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, ast_from_value, value_from_ast_untyped

from plugins.subgraphs.batcher import WaveBatcher
from plugins.subgraphs.client import SubgraphBadAnswer, SubgraphClient
from plugins.subgraphs.selection import BadAnswer, check
from schema.context import StateKey
from schema.errors import GatewayError
from schema.providers import ProviderError
from schema.reads import GRANTS_BY_LEARNER, LEARNERS_BY_ID

if TYPE_CHECKING:
    from graphql import GraphQLResolveInfo, SelectionSetNode

    Info = GraphQLResolveInfo[Any]

    from gateway.context import RequestContext
    from gateway.host import Gateway
    from plugins.subgraphs.compose import Ownership
    from plugins.subgraphs.remote import Remote
    from plugins.subgraphs.tokens import TokenSigner


class SubgraphUnavailable(GatewayError):
    code = "SUBGRAPH_UNAVAILABLE"
    http_status = 503


class SubgraphError(GatewayError):
    """The subgraph's own error, its message passed through."""

    code = "SUBGRAPH_ERROR"
    http_status = 502


@dataclass(frozen=True)
class Ask:
    """One remote field of one object (a DataLoader key)."""

    kind: str  # "entity" | "root"
    text: str  # the field, printed without alias, with the sub-selection sent
    type_name: str  # the entity type (entity asks)
    variables: str  # JSON {name: [type, value]} of the variables the text uses
    representation: str = ""  # JSON, entity asks


@dataclass
class Answer:
    value: Any
    errors: list[tuple[list[Any], str, Any]] = field(
        default_factory=list
    )  # (path below the field, message, code)


@dataclass
class Sent:
    """Per request: the loaders and tokens, and how many requests each subgraph got."""

    loaders: dict[str, WaveBatcher[Ask, Any]] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    requests: dict[str, int] = field(default_factory=dict)
    busy: int = 0  # the gateway's own resolvers under way (counted by the guard extension)


SENT: StateKey[Sent] = StateKey("subgraphs.sent")


def sent_of(ctx: RequestContext) -> Sent:
    found = ctx.state.get(SENT)
    if found is None:
        found = Sent()
        ctx.state[SENT] = found
    return found


def json_variables(info: Info, names: set[str]) -> str:
    out: dict[str, list[Any]] = {}
    definitions = {d.variable.name.value: d for d in info.operation.variable_definitions or ()}
    from graphql import print_ast, type_from_ast

    for name in sorted(names):
        definition = definitions.get(name)
        if definition is None:
            continue
        gtype = type_from_ast(info.schema, definition.type)
        coerced: dict[str, Any] = getattr(info.variable_values, "coerced", info.variable_values)  # type: ignore[arg-type]
        value = coerced.get(name)
        ast = ast_from_value(value, gtype) if gtype is not None else None  # type: ignore[arg-type]
        plain = value_from_ast_untyped(ast) if ast is not None else None
        out[name] = [print_ast(definition.type), plain]
    return json.dumps(out, sort_keys=True)


class Runtime:
    """The subgraphs of one app: clients, ownership and the token signer."""

    def __init__(self, gateway: Gateway, own: Ownership, signer: TokenSigner) -> None:
        self.gateway = gateway
        self.own = own
        self.signer = signer
        self.clients = {name: SubgraphClient(r.settings, gateway) for name, r in own.remotes.items()}
        self.late_waves = 0  # waves sent at their time limit instead of settled (should stay 0)

    async def close(self) -> None:
        for client in self.clients.values():
            await client.close()

    def sent(self, ctx: RequestContext) -> Sent:
        return sent_of(ctx)

    def loader(self, ctx: RequestContext, remote: Remote) -> WaveBatcher[Ask, Any]:
        sent = self.sent(ctx)
        existing = sent.loaders.get(remote.name)
        if existing is None:

            async def batch(asks: list[Ask]) -> list[Any]:
                late, batcher.late = batcher.late, 0
                self.late_waves += late
                return await self._batch(ctx, remote, asks)

            batcher: WaveBatcher[Ask, Any] = WaveBatcher(batch, lambda: sent.busy)
            existing = batcher
            sent.loaders[remote.name] = existing
        return existing

    async def reaches(self, ctx: RequestContext, remote: Remote, learner_id: str | None) -> bool:
        """A state's subgraph serves that state's officials (and their learners) only."""
        states = remote.settings.states
        if not states:
            return True
        scope = self.gateway.states
        if learner_id is not None:
            learner = await ctx.load(LEARNERS_BY_ID, learner_id)
            return await scope.state_of_organisation(ctx, getattr(learner, "organisation_id", None)) in states
        return await scope.principal_state(ctx) in states

    async def _headers(self, ctx: RequestContext, remote: Remote) -> dict[str, str]:
        sent = self.sent(ctx)
        token = sent.tokens.get(remote.name)
        if token is None:
            claims: dict[str, Any] = {"sub": None, "org": None, "roles": [], "state": None}
            if ctx.principal is not None:
                learner_id = ctx.principal.learner_id
                learner = await ctx.load(LEARNERS_BY_ID, learner_id)
                org = getattr(learner, "organisation_id", None)
                grants = await ctx.load(GRANTS_BY_LEARNER, learner_id)
                claims = {
                    "sub": learner_id,
                    "org": org,
                    "roles": sorted({g.role for g in grants or ()}),
                    "state": await self.gateway.states.state_of_organisation(ctx, org),
                }
            token = self.signer.sign(remote.name, claims)
            sent.tokens[remote.name] = token
        headers = {"authorization": f"Bearer {token}"}
        if ctx.request is not None:
            for name in remote.settings.forward_headers:
                value = ctx.request.headers.get(name)
                if value is not None:
                    headers[name] = value
        return headers

    async def _batch(self, ctx: RequestContext, remote: Remote, asks: list[Ask]) -> list[Any]:
        groups: dict[tuple[str, str, str, str], list[int]] = {}
        for i, ask in enumerate(asks):
            groups.setdefault((ask.kind, ask.text, ask.type_name, ask.variables), []).append(i)
        parts: list[str] = []
        declared: dict[str, str] = {}
        values: dict[str, Any] = {}
        for g, ((kind, text, type_name, variables), idxs) in enumerate(groups.items()):
            for name, (type_text, value) in json.loads(variables).items():
                declared[name] = type_text
                values[name] = value
            if kind == "entity":
                declared[f"_r{g}"] = "[_Any!]!"
                values[f"_r{g}"] = [json.loads(asks[i].representation) for i in idxs]
                parts.append(
                    f"e{g}: _entities(representations: $_r{g}) {{ ... on {type_name} {{ f: {text} }} }}"
                )
            else:
                parts.append(f"r{g}: {text}")
        head = "(" + ", ".join(f"${n}: {t}" for n, t in sorted(declared.items())) + ")" if declared else ""
        document = f"query{head} {{ {' '.join(parts)} }}"
        sent = self.sent(ctx)
        sent.requests[remote.name] = sent.requests.get(remote.name, 0) + 1
        client = self.clients[remote.name]
        kinds = {k for k, *_ in groups}
        try:
            headers = await self._headers(ctx, remote)
            body = await client.post(
                document, values, headers, "entities" if kinds == {"entity"} else "query"
            )
        except ProviderError as exc:
            failed = SubgraphUnavailable(
                f"Subgraph {remote.name!r} is unavailable: {exc}", subgraph=remote.name
            )
            return [failed] * len(asks)
        results: list[Any] = [None] * len(asks)
        data, errors = body["data"], body["errors"]
        for g, (group, idxs) in enumerate(groups.items()):
            try:
                self._answers(remote, g, group, idxs, asks, data, errors, results)
            except BadAnswer as exc:
                client.breaker.failure()
                bad = SubgraphUnavailable(
                    f"Subgraph {remote.name!r} answered badly: {exc}",
                    subgraph=remote.name,
                    reason="BAD_ANSWER",
                )
                if self.gateway is not None:
                    from gateway.telemetry import report_provider_failure

                    report_provider_failure(self.gateway, client.metric_name, SubgraphBadAnswer.__name__)
                for i in idxs:
                    results[i] = bad
        return results

    def _answers(
        self,
        remote: Remote,
        g: int,
        group: tuple[str, str, str, str],
        idxs: list[int],
        asks: list[Ask],
        data: dict[str, Any],
        errors: list[dict[str, Any]],
        results: list[Any],
    ) -> None:
        kind, text, type_name, _ = group
        field_name = text.split("(", 1)[0].split("{", 1)[0].strip()
        selection = _selection_of(text)
        if kind == "entity":
            found = data.get(f"e{g}")
            if not isinstance(found, list) or len(found) != len(idxs):
                count = len(found) if isinstance(found, list) else "no"
                raise BadAnswer(f"_entities answered {count} entities for {len(idxs)} representations")
            gtype = remote.schema.type_map[type_name].fields[field_name].type  # type: ignore[attr-defined]
            for j, i in enumerate(idxs):
                entity = found[j]
                if entity is None:
                    results[i] = Answer(None, _errors_at(errors, [f"e{g}", j, "f"]))
                    continue
                if not isinstance(entity, dict) or entity.get("__typename", type_name) != type_name:
                    raise BadAnswer(f"entity {j} is not a {type_name}")
                value = check(entity.get("f"), gtype, selection, remote, f"{type_name}.{field_name}")
                results[i] = Answer(value, _errors_at(errors, [f"e{g}", j, "f"]))
        else:
            gtype = remote.schema.type_map["Query"].fields[field_name].type  # type: ignore[attr-defined]
            if f"r{g}" not in data:
                raise BadAnswer(f"Query.{field_name} is missing")
            value = check(data[f"r{g}"], gtype, selection, remote, f"Query.{field_name}")
            for i in idxs:
                results[i] = Answer(value, _errors_at(errors, [f"r{g}"]))

    def deliver(self, answer: Answer, info: Info, remote: Remote) -> Any:
        """The value for the client; the subgraph's errors at the client's paths."""
        if not answer.errors:
            return answer.value
        if answer.value is None:
            rest, message, code = answer.errors[0]
            raise SubgraphError(message, subgraph=remote.name, subgraphCode=code)
        base = list(info.path.as_list())
        ctx = info.context
        for rest, message, code in answer.errors:
            ctx.extra_errors.append(
                GraphQLError(
                    message,
                    path=base + rest,
                    extensions={"code": SubgraphError.code, "subgraph": remote.name, "subgraphCode": code},
                )
            )
        return answer.value


def _errors_at(errors: list[dict[str, Any]], prefix: list[Any]) -> list[tuple[list[Any], str, Any]]:
    out = []
    for error in errors:
        path = error.get("path")
        if isinstance(path, list) and path[: len(prefix)] == prefix:
            extensions = error.get("extensions")
            code = extensions.get("code") if isinstance(extensions, dict) else None
            message = error.get("message")
            out.append((path[len(prefix) :], message if isinstance(message, str) else "subgraph error", code))
    return out


_SELECTIONS: dict[str, SelectionSetNode | None] = {}


def _selection_of(text: str) -> SelectionSetNode | None:
    """The selection set of a printed field (parsed once per distinct text)."""
    if text not in _SELECTIONS:
        from graphql import FieldNode, OperationDefinitionNode, parse

        if len(_SELECTIONS) > 10_000:
            _SELECTIONS.clear()
        operation = parse("{" + text + "}").definitions[0]
        assert isinstance(operation, OperationDefinitionNode)
        node = operation.selection_set.selections[0]
        assert isinstance(node, FieldNode)
        _SELECTIONS[text] = node.selection_set
    return _SELECTIONS[text]
