"""The Strawberry extensions the core always installs.

:class:`OperationGuard` replaces Strawberry's parse and validation steps with
one cached pipeline: parse (token limit, comments counted) -> one walk
measuring depth, aliases, root fields, cost and introspection
(:mod:`gateway.limits`) -> graphql-core validation (suggestions hidden unless
turned on). Parsed documents, their measures and their validation errors are
cached per app by query text, so a repeated operation costs a dictionary
lookup; only a cost that depends on variables is measured again.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from graphql import GraphQLError, OperationType, get_operation_ast, parse, validate
from strawberry.extensions import SchemaExtension
from strawberry.schema.validation_rules.maybe_null import MaybeNullValidationRule
from strawberry.schema.validation_rules.one_of import OneOfInputValidationRule

from gateway.context import OPERATION_NAME, RequestContext
from gateway.limits import Analysis, analyse, introspection_refused
from schema.errors import OperationLimit

if TYPE_CHECKING:
    from graphql import ASTValidationRule, DocumentNode, GraphQLSchema

    from gateway.settings import GatewaySettings

ExtensionSpec = type[SchemaExtension] | Callable[[], SchemaExtension]

# Documents longer than this are checked every time rather than cached, so a
# stream of large distinct documents cannot fill memory.
CACHEABLE_QUERY_CHARS = 20_000
_TOKEN_LIMIT = re.compile(r"more than \d+ tokens")
_STRAWBERRY_RULES = (MaybeNullValidationRule, OneOfInputValidationRule)


@dataclass(frozen=True)
class Checked:
    """A parsed document with its measure and validation errors."""

    document: DocumentNode | None
    errors: list[GraphQLError]
    analysis: Analysis | None


class DocumentCache:
    """A small thread-safe LRU of :class:`Checked` documents, with hit counts."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[tuple[str, tuple[Any, ...]], Checked] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0
        self.on_lookup: Callable[[bool], None] | None = None

    def get(self, key: tuple[str, tuple[Any, ...]]) -> Checked | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
        if self.on_lookup is not None:
            self.on_lookup(entry is not None)
        return entry

    def put(self, key: tuple[str, tuple[Any, ...]], entry: Checked) -> None:
        if self.size <= 0 or len(key[0]) > CACHEABLE_QUERY_CHARS:
            return
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)


class OperationGuard(SchemaExtension):
    """Parse, measure and validate an operation, refusing it before any
    resolver runs when it passes a limit. Pass as a factory (see
    :func:`core_extensions`); it keeps no per-request state beyond itself."""

    def __init__(self, settings: GatewaySettings, cache: DocumentCache) -> None:
        super().__init__()
        self.settings = settings
        self.cache = cache

    def _check(self, query: str, rules: tuple[type[ASTValidationRule], ...]) -> Checked:
        key = (query, rules)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        schema = self.execution_context.schema._schema
        entry = check_document(schema, query, self.settings, self.execution_context.variables, rules)
        # A refusal may hang on this request's variables (a cost from ``first:
        # $n``): cache it only for documents without variables.
        refused_by_variables = entry.document is None and "$" in query
        uses_variables = entry.analysis is not None and entry.analysis.uses_variable_sizes
        if not refused_by_variables and not uses_variables:
            self.cache.put(key, entry)
        return entry

    def on_parse(self) -> Iterator[None]:
        context = self.execution_context
        if context.graphql_document is None and context.query:
            rules = tuple(context.validation_rules)
            checked = self._check(context.query, rules)
            if checked.document is None:
                raise checked.errors[0]
            context.graphql_document = checked.document
            self._checked = checked
            # For metrics and traces: the name the document gives the operation.
            if isinstance(context.context, RequestContext):
                context.context.state[OPERATION_NAME] = context.operation_name
                # Only a query may read from a replica that lags the primary.
                context.context.choose_reads(query=_is_query(checked.document, context.operation_name))
        yield

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        checked: Checked | None = getattr(self, "_checked", None)
        if checked is not None and context.pre_execution_errors is None:
            context.pre_execution_errors = checked.errors
            analysis = checked.analysis
            if not checked.errors and analysis is not None and analysis.uses_variable_sizes:
                # The cost depends on this request's variables: measure again.
                analyse(
                    context.schema._schema,
                    checked.document,  # type: ignore[arg-type]
                    self.settings.limits,
                    context.variables,
                )
        yield


def parse_bounded(query: str, settings: GatewaySettings) -> DocumentNode:
    """Parse ``query`` within the length and token limits (comments count)."""
    limits = settings.limits
    if len(query) > limits.max_query_chars:  # refused before the lexer reads it
        message = f"The operation is longer than {limits.max_query_chars} characters."
        raise GraphQLError(
            message,
            original_error=OperationLimit(message, limit="length", maximum=limits.max_query_chars),
        )
    try:
        return parse(query, max_tokens=limits.max_tokens)
    except GraphQLError as exc:
        if _TOKEN_LIMIT.search(exc.message):
            message = f"The operation has more than {limits.max_tokens} tokens (comments count)."
            raise GraphQLError(
                message,
                original_error=OperationLimit(message, limit="tokens", maximum=limits.max_tokens),
            ) from exc
        raise


def check_document(
    schema: GraphQLSchema,
    query: str,
    settings: GatewaySettings,
    variables: dict[str, Any] | None,
    rules: tuple[type[ASTValidationRule], ...],
) -> Checked:
    """Parse, measure and validate one document (uncached; bench/limits.py
    times its worst case)."""
    document = parse_bounded(query, settings)
    try:
        analysis = analyse(schema, document, settings.limits, variables)
    except GraphQLError as exc:
        return Checked(document=None, errors=[exc], analysis=None)
    if analysis.introspection and not settings.introspection_enabled:
        return Checked(document=None, errors=[introspection_refused()], analysis=None)
    errors = validate(
        schema,
        document,
        [*rules, *_STRAWBERRY_RULES],
        hide_suggestions=not settings.suggestions_enabled,
    )
    return Checked(document=document, errors=errors, analysis=analysis)


def _is_query(document: DocumentNode | None, operation_name: str | None) -> bool:
    operation = get_operation_ast(document, operation_name) if document is not None else None
    return operation is not None and operation.operation == OperationType.QUERY


def core_extensions(settings: GatewaySettings) -> list[ExtensionSpec]:
    """Extensions for every operation, as classes or factories (never instances)."""
    cache = DocumentCache(settings.limits.document_cache_size)

    def guard() -> SchemaExtension:
        return OperationGuard(settings, cache)

    guard.cache = cache  # type: ignore[attr-defined]
    extensions: list[ExtensionSpec] = [guard]
    return extensions


def document_cache(extensions: list[ExtensionSpec]) -> DocumentCache | None:
    """The document cache behind :func:`core_extensions`' guard (for metrics)."""
    for spec in extensions:
        cache = getattr(spec, "cache", None)
        if isinstance(cache, DocumentCache):
            return cache
    return None
