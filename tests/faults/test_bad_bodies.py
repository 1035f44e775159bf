"""A hand-made corpus of the bodies that broke the services or could: JSON that Python takes but JSON
is not (NaN, Infinity, lone surrogates), wrong encodings, a body over the limit, wrong or broken
content types. Sent to every route of every service (the hosted pages too, which the OpenAPI documents
leave out), by the running processes: never a 5xx, a 4xx for every body that is not valid input, and
the body in neither the answer nor the service's log."""

import importlib
import uuid

import httpx
import pytest
from fastapi.routing import APIRoute

from ..processes import SERVICES, SIGNING_SECRET, Deployment
from ..services import SETTINGS_CLASSES, _load

MARKER = "Qwzxyvutsr"  # in every body, to look for in answers and logs
OVER_THE_LIMIT = b'{"remarks": "' + MARKER.encode() + b"x" * 300_000 + b'"}'  # the default limit is 256 KiB
JSON = "application/json"

# (name, content type, body, whether it must be refused with a 4xx on every route)
CORPUS = [
    ("NaN", JSON, b'{"first_name": "%s", "capacity": NaN}' % MARKER.encode(), True),
    ("Infinity", JSON, b'{"first_name": "%s", "capacity": Infinity}' % MARKER.encode(), True),
    ("-Infinity", JSON, b'{"first_name": "%s", "capacity": -Infinity}' % MARKER.encode(), True),
    ("lone surrogate", JSON, b'{"first_name": "%s\\ud800"}' % MARKER.encode(), True),
    ("lone surrogate in a key", JSON, b'{"%s\\udc00": true}' % MARKER.encode(), True),
    ("invalid UTF-8", JSON, b'{"first_name": "%s\xc3\x28"}' % MARKER.encode(), True),
    ("Latin-1", JSON, f'{{"first_name": "{MARKER} Jörg"}}'.encode("latin-1"), True),
    ("UTF-16", JSON, f'{{"first_name": "{MARKER}"}}'.encode("utf-16"), True),
    ("truncated", JSON, b'{"first_name": "%s' % MARKER.encode(), True),
    ("over the limit", JSON, OVER_THE_LIMIT, True),
    ("over the limit as a form", "application/x-www-form-urlencoded", b"remarks=" + MARKER.encode() + b"x" * 300_000,
     True),
    ("JSON as text", "text/plain", b'{"first_name": "%s"}' % MARKER.encode(), False),
    ("broken form encoding", "application/x-www-form-urlencoded", b"first_name=%s%%ff%%fe&%%zz" % MARKER.encode(),
     False),
    ("multipart without boundary", "multipart/form-data", b"--x\r\n%s\r\n" % MARKER.encode(), False),
    ("XML", "application/xml", b"<first_name>%s</first_name>" % MARKER.encode(), False),
]


def routes(service: str) -> list[tuple[str, str]]:
    """(method, path template) of every route of `service`'s app, including those the OpenAPI document leaves out."""
    settings = _load(SETTINGS_CLASSES[service])(signing_secret=SIGNING_SECRET)
    app = importlib.import_module(f"{service}.bootstrap").create_app(settings)
    return sorted((method, route.path) for route in app.routes if isinstance(route, APIRoute)
                  for method in route.methods - {"HEAD"})


def fill(path: str, known_ids: dict[str, str]) -> str:
    values = known_ids | {"file_format": "csv"}
    while "{" in path:
        name = path[path.index("{") + 1:path.index("}")]
        path = path.replace(f"{{{name}}}", values.get(name, str(uuid.uuid4())))
    return path


@pytest.mark.parametrize("service", SERVICES)
async def test_every_route_refuses_bad_bodies_without_a_5xx_or_an_echo(deployment: Deployment, known_ids, service):
    failures = []
    async with httpx.AsyncClient(base_url=deployment.url(service), timeout=30,
                                 headers=deployment.staff_headers(service)) as client:
        for method, template in routes(service):
            path = fill(template, known_ids)
            for name, content_type, body, refused in CORPUS:
                answer = await client.request(method, path, content=body, headers={"Content-Type": content_type})
                wrong = (answer.status_code >= 500 or (refused and not 400 <= answer.status_code < 500)
                         or MARKER in answer.text)
                if wrong:
                    failures.append(f"{method} {template} with {name}: {answer.status_code} {answer.text[:300]}")
            healthy = await client.get("/healthz")
            assert healthy.status_code == 200, f"{service} after {method} {template}"
    logs = "".join(replica.log_path.read_text(errors="replace") for replica in deployment.replicas(service))
    assert failures == [], "\n".join(failures)
    assert MARKER not in logs
