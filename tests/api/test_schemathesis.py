"""Property-based checks of the OpenAPI document: no 5xx, every response matches the schema.

Bounded: a few examples per operation, three roles per example, generation only (no shrinking
or example database), so the whole run stays well under a minute.
"""

from __future__ import annotations

import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.api.conftest import Auth
from tests.api.helpers import create_draft, to_in_appraisal
from tests.api.testclient import TestClient
from tests.support.world import World

from awardflow.api.app import create_app
from awardflow.services.evidence import MemoryFileStore
from awardflow.settings import Settings

FUZZ_ROLES = ("head_a", "supervisor", "admin")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.slow
def test_openapi_document_holds(
    client: TestClient, api_world: World, api_settings: Settings, auth: Auth
) -> None:
    # some real rows, so generated ids sometimes hit existing objects
    create_draft(client, auth, api_world)
    to_in_appraisal(client, auth, api_world, person="p-minh")
    app = create_app(api_settings, api_world.db, store=MemoryFileStore())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {role: auth(role) for role in FUZZ_ROLES}
    failures: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy(), role=st.sampled_from(FUZZ_ROLES))
        @settings(
            max_examples=4,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case, role: str) -> None:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ResourceWarning)
                case.call_and_validate(headers=headers[role], checks=CHECKS)

        try:
            check()
        except Exception as exc:  # collect every operation's failure, report them together
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    assert not failures, "\n\n".join(failures)
