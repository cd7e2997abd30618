"""What a session costs per request, in SQL statements."""

from __future__ import annotations

import os

from gateway.testing import MakeGateway, SqlCounter
from tests.identity.helpers import bearer

ME = "{ me { id } }"


async def test_session_check_is_one_statement_and_none_with_redis(
    make_gateway: MakeGateway, sql_counter: SqlCounter
) -> None:
    database_only = await make_gateway()
    token = await database_only.session_token("learner:demo-asha")
    with sql_counter as counted:
        assert (await database_only.graphql(ME, headers=bearer(token)))["data"]
    revocation_checks = [s for s in counted.statements if "gateway_sessions" in s]
    assert len(revocation_checks) == 1
    database_count = counted.count

    redis_url = os.environ.get("KARMAYOGI_TEST_REDIS_URL", "redis://127.0.0.1:6379/1")
    with_redis = await make_gateway(redis_url=redis_url)
    token = await with_redis.session_token("learner:demo-asha")
    with sql_counter as counted:
        assert (await with_redis.graphql(ME, headers=bearer(token)))["data"]
    assert not [s for s in counted.statements if "gateway_sessions" in s]
    assert counted.count == database_count - 1
