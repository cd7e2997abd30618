"""The lean server: a hand-written Strawberry server over the gateway's tables
that answers the dashboard operation (``queries/dashboard.graphql``) with the
gateway's bytes, built the way a careful engineer would: per-request
DataLoaders, Strawberry's parser and validation caches, SQLAlchemy Core (no
ORM), orjson, uvloop and httptools under uvicorn.

    BENCH_DATABASE_URL=... BENCH_COURSES=2000 uvicorn --factory bench.lean.app:app_from_environment

Identity is the bench's: ``X-Test-Learner: <learner id or email>``, checked
against the learners table (the same statement that loads ``me``).
SQLite and PostgreSQL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import AsyncIterator
from typing import Any

import orjson
import strawberry
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from strawberry.asgi import GraphQL
from strawberry.extensions import ParserCache, ValidationCache

from bench.baseline_catalogue import IGNOU_DOCUMENTS, ISTM_DOCUMENTS, Catalogue, build
from bench.lean.loaders import Loaders
from bench.lean.schema import Context, DateTime, Query


def _document(value: Any) -> Any:
    return orjson.loads(value) if isinstance(value, str | bytes) else value


async def load_catalogue(engine: AsyncEngine, courses: int) -> Catalogue:
    async with engine.connect() as conn:
        istm = [_document(r[0]) for r in await conn.execute(text(ISTM_DOCUMENTS))]
        ignou = [_document(r[0]) for r in await conn.execute(text(IGNOU_DOCUMENTS))]
    return build(courses, istm, ignou)


class LeanGraphQL(GraphQL[Context, None]):
    def __init__(self, schema: strawberry.Schema, engine: AsyncEngine, public_url: str) -> None:
        super().__init__(schema, graphql_ide=None)
        self.engine = engine
        self.public_url = public_url.rstrip("/")
        self.catalogue: Catalogue | None = None

    async def get_context(self, request: Any, response: Any) -> Context:
        assert self.catalogue is not None, "the catalogue is read at start-up"
        return Context(
            loaders=Loaders(self.engine),
            catalogue=self.catalogue,
            public_url=self.public_url,
            who=request.headers.get("x-test-learner"),
        )

    def encode_json(self, data: object) -> bytes:
        return orjson.dumps(data)


def make_engine(url: str) -> AsyncEngine:
    if url.startswith("postgresql"):
        # reads outside a transaction: one round trip per statement
        return create_async_engine(url, pool_size=20, max_overflow=0, isolation_level="AUTOCOMMIT")
    return create_async_engine(url)


def make_app(url: str, courses: int, public_url: str) -> Starlette:
    engine = make_engine(url)
    schema = strawberry.Schema(
        query=Query, extensions=[ParserCache, ValidationCache], scalar_overrides={dt.datetime: DateTime}
    )
    graphql = LeanGraphQL(schema, engine, public_url)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        graphql.catalogue = await load_catalogue(engine, courses)
        yield
        await engine.dispose()

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    app = Starlette(routes=[Route("/graphql", graphql), Route("/healthz", healthz)], lifespan=lifespan)
    app.state.graphql = graphql
    return app


def app_from_environment() -> Starlette:
    """uvicorn factory: BENCH_DATABASE_URL, BENCH_COURSES, BENCH_PUBLIC_URL."""
    return make_app(
        os.environ["BENCH_DATABASE_URL"],
        int(os.environ.get("BENCH_COURSES", "60")),
        os.environ.get("BENCH_PUBLIC_URL", "http://127.0.0.1:8000"),
    )
