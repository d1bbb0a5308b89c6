"""Contract test: schemathesis generates requests from the OpenAPI document of a running
`collex serve` (sample data), operation by operation, and checks that no answer is a server
error. (schemathesis's pytest plugin does not run under pytest 9, so the test drives its
Python API with hypothesis directly.)"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

pytestmark = pytest.mark.slow


def test_no_server_error(sample_server: str) -> None:
    schema = schemathesis.openapi.from_url(sample_server + "/openapi.json")
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck),
                  database=None)
        def run(case: schemathesis.Case) -> None:
            response = case.call(timeout=30)
            case.validate_response(response, checks=(not_a_server_error,))

        run()
        checked.append(operation.label)
    print(f"{len(checked)} operations checked: {checked}")
    assert len(checked) >= 20, checked
