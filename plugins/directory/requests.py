"""``organisationRequests``: the requests an admin may decide, or a learner's
own, paged (oldest first, so the longest waiting come first).

Who may decide is the rule of ``decideOrganisationRequest``
(``ctx.authz.require_org_admin(parent)``): an SPV admin every request, an MDO
or state admin those whose proposed parent is in their organisation's
subtree. Requests for a new top-level organisation are for SPV admins only.
"""

from __future__ import annotations

import base64

import strawberry
from sqlalchemy import func, or_, select
from strawberry import Info

from gateway.context import context_of
from gateway.directory.models import OrganisationRequestRow, OrganisationRow
from schema.common import PageInfo
from schema.directory import OrganisationRequest, OrganisationRequestStatus
from schema.errors import BadUserInput, Forbidden

MAX_PAGE = 100
_KIND = "orgreq-page"


@strawberry.type
class OrganisationRequestEdge:
    cursor: str
    node: OrganisationRequest


@strawberry.type
class OrganisationRequestConnection:
    edges: list[OrganisationRequestEdge]
    page_info: PageInfo
    total_count: int


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(f"{_KIND}:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, number = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        offset = int(number)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadUserInput("after: not a cursor this list gave out.", field="after") from exc
    if kind != _KIND or offset < 0:
        raise BadUserInput("after: not a cursor this list gave out.", field="after")
    return offset + 1


async def organisation_requests(
    info: Info,
    mine: bool = False,
    status: OrganisationRequestStatus | None = OrganisationRequestStatus.PENDING,
    first: int = 20,
    after: str | None = None,
) -> OrganisationRequestConnection:
    """Organisation requests, oldest first. ``mine: true``: the caller's own
    (any status by passing ``status: null``). Otherwise the requests the
    caller may decide (admins only): with who asked, when, and the proposed
    parent."""
    ctx = context_of(info)
    principal = ctx.require_principal()
    if not 0 <= first <= MAX_PAGE:
        raise BadUserInput(f"first must be between 0 and {MAX_PAGE}.", field="first")
    query = select(OrganisationRequestRow)
    if mine:
        query = query.where(OrganisationRequestRow.requested_by == principal.learner_id)
    elif not await ctx.authz.is_spv():
        paths = await ctx.authz.admin_paths()
        if not paths:
            raise Forbidden(
                "Only admins see the organisation requests they may decide; pass mine: true to see your own."
            )
        query = query.join(OrganisationRow, OrganisationRow.id == OrganisationRequestRow.parent_id).where(
            or_(*(OrganisationRow.path.startswith(path) for path in paths))
        )
    if status is not None:
        query = query.where(OrganisationRequestRow.status == status.value)
    offset = _offset(after)
    async with ctx.db() as session:
        total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
        rows = (
            await session.scalars(
                query.order_by(OrganisationRequestRow.requested_at, OrganisationRequestRow.id)
                .offset(offset)
                .limit(first)
            )
        ).all()
    edges = [
        OrganisationRequestEdge(cursor=_cursor(offset + i), node=OrganisationRequest.from_row(row))
        for i, row in enumerate(rows)
    ]
    return OrganisationRequestConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=offset + len(rows) < total,
            has_previous_page=offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        total_count=total,
    )
