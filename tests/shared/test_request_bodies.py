"""Bodies a careless or hostile client sends: JSON that Python takes but JSON is not, wrong encodings,
bodies too large or too slow, headers that never end. Each gets a 4xx naming the problem (or a closed
connection), never a 500, never the input in a log line, and a valid request still works afterwards."""

import asyncio
import logging
import uuid

import httpx
import pytest

SESSION = str(uuid.uuid4())
EVENT = str(uuid.uuid4())
MARKER = "Zyxwvutsrq"  # in every bad body, to look for in the logs

# (body, what the 422 must say): each a registration a person might have sent, with one thing wrong.
BAD_JSON = [
    (b'{"first_name": "%s", "last_name": NaN}' % MARKER.encode(), "NaN is not a JSON number"),
    (b'{"first_name": "%s", "last_name": Infinity}' % MARKER.encode(), "Infinity is not a JSON number"),
    (b'{"first_name": "%s", "last_name": -Infinity}' % MARKER.encode(), "-Infinity is not a JSON number"),
    (b'{"first_name": "%s\\ud800"}' % MARKER.encode(), "lone surrogate"),
    (b'{"%s\\udfff": 1}' % MARKER.encode(), "lone surrogate"),
    (b'{"first_name": "%s\xff\xfe"}' % MARKER.encode(), "not valid UTF-8"),
    (f'{{"first_name": "{MARKER} Müller"}}'.encode("latin-1"), "not valid UTF-8"),
    (b'{"first_name": "%s"' % MARKER.encode(), "not valid JSON"),
]


def registration_body(**fields: object) -> dict:
    return {"event_id": EVENT, "session_id": SESSION, "first_name": "Jana", "last_name": "Muster",
            "email": "jana.muster@example.org", "organisation": "Muster GmbH", "consent": True} | fields


@pytest.mark.parametrize("service", ["catalog", "registration", "notification"])
async def test_json_that_is_not_json_gets_a_422_naming_the_problem_and_nothing_in_the_log(
        start_service, caplog, service):
    running = await start_service(service)
    method, path = {"catalog": ("POST", "/api/staff/organisations"), "registration": ("POST", "/api/registrations"),
                    "notification": ("PUT", f"/api/contact-persons/{uuid.uuid4()}/preference")}[service]
    headers = {"Content-Type": "application/json"}
    if service != "registration":
        headers["Authorization"] = f"Bearer {await running.create_token()}"
    caplog.set_level(logging.DEBUG)

    answers = [(await running.client.request(method, path, content=body, headers=headers), says) for body, says in BAD_JSON]

    for answer, says in answers:
        assert answer.status_code == 422, answer.text
        assert says in answer.json()["detail"][0]["msg"], answer.text
        assert MARKER not in answer.text
    assert MARKER not in caplog.text
    # The Kafka client's group joining and asyncio's garbage collection (a client an earlier test left
    # behind) log in the background meanwhile: not the requests' doing.
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR and not r.name.startswith(("aiokafka", "asyncio"))]
    assert not errors, caplog.text


async def test_a_refused_body_leaves_the_connection_open_for_the_next_request(start_service):
    registration = await start_service("registration")
    reader, writer = await asyncio.open_connection("127.0.0.1", registration.settings.http_port)
    body = b'{"first_name": NaN}'
    try:
        writer.write(b"POST /api/registrations HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        first = await _read_response(reader)
        writer.write(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
        second = await _read_response(reader)
    finally:
        writer.close()
    assert first.startswith(b"HTTP/1.1 422") and b"connection: close" not in first.lower()
    assert second.startswith(b"HTTP/1.1 200")


async def _read_response(reader: asyncio.StreamReader) -> bytes:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 10)
    length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length"))
    return head + await asyncio.wait_for(reader.readexactly(length), 10)


async def test_no_echo_of_a_large_invalid_value(start_service):
    registration = await start_service("registration")
    large = "A" * 100_000

    answer = await registration.client.post("/api/registrations", json=registration_body(first_name=large))

    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "first_name"]
    assert len(answer.content) < 1000 and large[:100] not in answer.text


async def test_bodies_over_the_limit_get_413_announced_or_streamed(start_service):
    registration = await start_service("registration", http_max_body_bytes=4096)
    fits = registration_body(remarks="x" * 1000)

    announced = await registration.client.post("/api/registrations", content=b"{" + b" " * 5000 + b"}",
                                               headers={"Content-Type": "application/json"})

    # Chunked, without Content-Length, and never ending: answered once past the limit, not at the end.
    reader, writer = await asyncio.open_connection("127.0.0.1", registration.settings.http_port)
    try:
        writer.write(b"POST /api/registrations HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                     b"Transfer-Encoding: chunked\r\n\r\n")
        for _ in range(5):
            writer.write(b"400\r\n" + b" " * 1024 + b"\r\n")
        streamed = await _read_response(reader)
    finally:
        writer.close()
    form = await registration.client.post(f"/events/{EVENT}/register", data={"remarks": "x" * 5000})
    small = await registration.client.post("/api/registrations", json=fits)

    for answer in (announced, form):
        assert answer.status_code == 413, answer.text
        assert "4096 bytes" in answer.json()["detail"]
    assert streamed.startswith(b"HTTP/1.1 413") and b"4096 bytes" in streamed
    assert _past_the_limits(small)


def _past_the_limits(answer: httpx.Response) -> bool:
    """Refused only for what it says: the event does not exist."""
    return answer.status_code == 422 and answer.json()["detail"][0]["loc"] == ["body", "event_id"]


async def test_the_default_limit_is_a_few_hundred_kilobytes(start_service):
    registration = await start_service("registration")

    answer = await registration.client.post("/api/registrations", json=registration_body(remarks="x" * 500_000))

    assert answer.status_code == 413


async def test_headers_that_never_end_are_cut_off(start_service):
    registration = await start_service("registration", http_header_timeout_seconds=0.5)
    reader, writer = await asyncio.open_connection("127.0.0.1", registration.settings.http_port)
    try:
        writer.write(b"POST /api/registrations HTTP/1.1\r\nHost: test\r\nContent-Type: appl")
        # Closed by the server: the read ends (well before this bound, which only keeps a failure from hanging).
        rest = await asyncio.wait_for(reader.read(), 30)
    finally:
        writer.close()
    assert rest == b""


async def test_a_body_that_never_ends_gets_408_and_a_closed_connection(start_service):
    registration = await start_service("registration", http_body_timeout_seconds=0.5)
    reader, writer = await asyncio.open_connection("127.0.0.1", registration.settings.http_port)
    try:
        writer.write(b"POST /api/registrations HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n{\"first_name\": ")
        answer = await asyncio.wait_for(reader.read(), 30)  # to the end: the server closes the connection
    finally:
        writer.close()
    assert answer.startswith(b"HTTP/1.1 408")
    assert b"did not arrive within 0.5 seconds" in answer


async def test_a_valid_registration_still_goes_through(start_service):
    registration = await start_service("registration")
    async with httpx.AsyncClient(base_url=registration.base_url) as client:
        answer = await client.post("/api/registrations", json=registration_body())
    assert _past_the_limits(answer)
