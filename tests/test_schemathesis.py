"""Schemathesis against the server's own OpenAPI document (bounded examples per operation):
no request it generates from the document gets a 5xx, and every answer keeps to the document
(documented status codes, content types and reply schemas).

Driven through ``APIOperation.as_strategy`` rather than ``schemathesis.pytest.from_fixture``,
whose node renaming does not work with pytest 9."""
from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from queue_server import registry
from queue_server.domain import clock

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]
EXAMPLES = 6  # per operation: bounded, and the same on every run (derandomized)


def test_the_api_keeps_to_its_document(app, client, auth):
    token = auth.login("manager")  # so the generated requests reach past the 401s
    ticket = client.post("/api/v1/halls/demo/tickets", json={"service": "hukou"}).json
    # real names in the paths, so the generated bodies and queries reach the handlers
    # instead of a 404 for a random hall
    real = {"hall": "demo", "window_id": "W01", "token": ticket["token"], "username": "clerk02",
            "cid": "hukou", "sid": "hukou", "case_id": "1", "code": booking(app, client),
            "device_id": "1"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 40

    examples = 0
    for op in operations:
        path = {p.name: real[p.name] for p in op.path_parameters} if op.path_parameters else None
        strategies = [op.as_strategy(path_parameters=path)]
        if op.body:  # the document's own examples, which must be accepted
            strategies += list(op.get_strategies_from_examples())
            examples += len(strategies) - 1
        for strategy in strategies:
            runner(strategy, path, token)()
    assert examples >= 10


def booking(app, client) -> str:
    """A real booking's code, tomorrow at noon (the hall open all day for it)."""
    db = registry.db(app)
    db.write("test", lambda tx: tx.run("UPDATE halls SET open_s = 0, close_s = 86400"))
    tomorrow = clock.day_of(clock.now() + 86400, "Asia/Shanghai")
    noon = clock.day_bounds(tomorrow, "Asia/Shanghai")[0] + 12 * 3600
    r = client.post("/api/v1/halls/demo/appointments", json={
        "service": "estate", "slot_at": clock.iso(noon, "Asia/Shanghai"),
        "id_number": "11010519491231002X"})
    assert r.status_code == 201, r.json
    return r.json["appointment"]["code"]


def runner(strategy, path: dict | None, token: str):
    """A bounded, derandomized Hypothesis run of one operation's cases."""
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def run(case):
        if path:
            case.path_parameters = {**case.path_parameters, **path}
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
    return run
