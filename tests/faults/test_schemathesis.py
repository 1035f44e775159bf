"""Bad input, generated from each service's own OpenAPI document as the running process serves it:
valid and invalid requests to every operation, with a staff token (so staff routes get past the
door). No answer may be a 5xx, every status must be one the operation documents, and every answer must
match the documented schema.

Every operation is fuzzed twice: with generated ids (mostly unknown: the 404 paths), and with the ids
of an event that exists and has registrations (the paths that reach the data). Each run is its own
bounded, repeatable Hypothesis test, so one failing operation cannot hide another; the failures are
collected and reported together, each with the shrunk request and the answer.
(`schemathesis.pytest.from_fixture` would be the usual way, but it does not work with pytest 9.)
"""

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from ..processes import SERVICES, Deployment

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Bounded and repeatable: the same examples on every run, no example database written to disk.
BOUNDED = settings(max_examples=10, derandomize=True, database=None, deadline=None,
                   phases=[Phase.explicit, Phase.generate, Phase.shrink], suppress_health_check=list(HealthCheck),
                   print_blob=False)


def _destructive_last(operation) -> bool:
    return operation.method.upper() == "DELETE" or operation.path.endswith("/cancel")


# Operations that fail today, each with its diagnosis; fuzzed on their own, as expected failures, until fixed.


def fuzz(deployment: Deployment, service: str, known_ids: dict[str, str]) -> list[str]:
    """Every operation of `service`, in both modes, with generated and with known ids; the failures."""
    schema = schemathesis.openapi.from_url(f"{deployment.url(service)}/openapi.json")
    headers = deployment.staff_headers(service)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=_destructive_last)
    failures = []
    for operation in operations:
        names = [parameter.name for parameter in operation.path_parameters]
        known = {name: known_ids[name] for name in names if name in known_ids}
        for ids in ({}, known) if known else ({},):
            for mode in GenerationMode:
                @BOUNDED
                @given(case=operation.as_strategy(generation_mode=mode, path_parameters=ids))
                def call(case) -> None:
                    case.call_and_validate(headers=headers, checks=CHECKS)

                try:
                    call()
                except Unsatisfiable:
                    pass  # nothing to get wrong: an operation without parameters or body has no invalid request
                except (Exception, BaseExceptionGroup) as exc:  # the checks' failures, with the request
                    failures.append(f"{operation.label} ({mode}{', known ids' if ids else ''}): {exc}")
    return failures


@pytest.mark.parametrize("service", SERVICES)
def test_no_5xx_and_answers_as_documented(deployment, known_ids, service):
    failures = fuzz(deployment, service, known_ids)
    assert failures == [], "\n\n".join(failures)
