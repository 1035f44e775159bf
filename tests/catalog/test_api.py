"""The catalog end to end: its HTTP APIs on a real server, PostgreSQL, and its messages read back
from Kafka with a real consumer."""

import asyncio
import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from uuid import uuid4

import httpx

from catalog import demo
from treffpunkt_shared.contracts.catalog import CATALOG_TOPIC
from treffpunkt_shared.contracts.envelope import Envelope
from treffpunkt_shared.db import create_pool

IN_TWO_MONTHS = (datetime.now(UTC) + timedelta(days=60)).replace(hour=13, minute=0, second=0, microsecond=0)


async def created(client: httpx.AsyncClient, headers: dict[str, str], path: str, body: dict) -> dict:
    response = await client.post(f"/api/staff/{path}", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


def event_body(**overrides) -> dict:
    return {
        "title": "Wirtschaft trifft Verwaltung",
        "description": "Stadt und Wirtschaft im Gespräch.",
        "venue_name": "Rathaus Musterstadt, Bürgersaal",
        "venue_address": "Marktplatz 1, 12345 Musterstadt",
        "starts_at": IN_TWO_MONTHS.isoformat(),
        "ends_at": (IN_TWO_MONTHS + timedelta(hours=3, minutes=30)).isoformat(),
        "registration_deadline": (IN_TWO_MONTHS - timedelta(days=7)).isoformat(),
    } | overrides


async def build_dialogue(client: httpx.AsyncClient, staff: dict[str, str]) -> dict:
    """A chamber and a city office, one contact person each, a programme, and a draft event with
    two sessions; the parts by name."""
    chamber = await created(client, staff, "organisations", {
        "name": "Industrie- und Handelskammer Musterstadt", "kind": "chamber_of_commerce",
        "website": "https://ihk.example.org"})
    city = await created(client, staff, "organisations", {
        "name": "Stadt Musterstadt, Stadtplanungsamt", "kind": "city_office"})
    lena = await created(client, staff, "contact-persons", {
        "organisation_id": chamber["id"], "name": "Dr. Lena Beispiel", "role": "Referentin Standortpolitik",
        "email": "lena.beispiel@ihk.example.org"})
    jonas = await created(client, staff, "contact-persons", {
        "organisation_id": city["id"], "name": "Jonas Muster", "email": "jonas.muster@musterstadt.example.de",
        "phone": "+49 5555 3000-301"})
    programme = await created(client, staff, "programmes", {
        "title": "Masterplan Industrie", "kind": "Weiterentwicklung der Maßnahme",
        "responsible_offices": ["Amt für Wirtschaftsförderung", "Stadtplanungsamt"]})
    event = await created(client, staff, "events", event_body(
        programme_id=programme["id"], organiser_ids=[chamber["id"], city["id"]]))
    climate = await created(client, staff, f"events/{event['id']}/sessions", {
        "title": "Klimaschutz in der Bauleitplanung", "capacity": 30, "waitlist_size": 10,
        "contact_person_ids": [lena["id"], jonas["id"]]})
    logistics = await created(client, staff, f"events/{event['id']}/sessions", {
        "title": "Wirtschaftsverkehr und City-Logistik", "capacity": 25, "waitlist_size": 0,
        "contact_person_ids": [jonas["id"]]})
    return dict(chamber=chamber, city=city, lena=lena, jonas=jonas, programme=programme, event=event,
                climate=climate, logistics=logistics)


async def test_a_published_event_is_shown_to_the_public_with_its_sessions_and_free_seats(catalog, staff):
    client = catalog.client
    parts = await build_dialogue(client, staff)
    event_id = parts["event"]["id"]

    staff_view = (await client.get(f"/api/staff/events/{event_id}", headers=staff)).json()
    assert staff_view["status"] == "draft"
    assert [o["name"] for o in staff_view["organisers"]] == [
        "Industrie- und Handelskammer Musterstadt", "Stadt Musterstadt, Stadtplanungsamt"]
    climate = staff_view["sessions"][0]
    assert {k: climate[k] for k in ("position", "capacity", "waitlist_size", "seats_allocated", "seats_free",
                                    "waitlist_count")} == {
        "position": 1, "capacity": 30, "waitlist_size": 10, "seats_allocated": 0, "seats_free": 30,
        "waitlist_count": 0}
    assert [p["name"] for p in climate["contact_persons"]] == ["Dr. Lena Beispiel", "Jonas Muster"]

    # A draft is the staff's business only.
    assert (await client.get("/api/events")).json() == []
    assert (await client.get(f"/api/events/{event_id}")).status_code == 404

    published = await client.post(f"/api/staff/events/{event_id}/publish", headers=staff)
    assert published.status_code == 200, published.text
    assert published.json()["status"] == "published"

    [shown] = (await client.get("/api/events")).json()
    assert shown == (await client.get(f"/api/events/{event_id}")).json()
    assert (shown["title"], shown["status"], shown["registration_open"]) == (
        "Wirtschaft trifft Verwaltung", "published", True)
    assert datetime.fromisoformat(shown["starts_at"]) == IN_TWO_MONTHS
    assert [(s["title"], s["capacity"], s["seats_free"], s["waitlist_open"]) for s in shown["sessions"]] == [
        ("Klimaschutz in der Bauleitplanung", 30, 30, False),
        ("Wirtschaftsverkehr und City-Logistik", 25, 25, False),
    ]
    lena = shown["sessions"][0]["contact_persons"][0]
    assert (lena["name"], lena["email"], lena["organisation_name"]) == (
        "Dr. Lena Beispiel", "lena.beispiel@ihk.example.org", "Industrie- und Handelskammer Musterstadt")

    # What the seat ledger will count shows as free seats and an open waiting list.
    await catalog.fetch("UPDATE session SET seats_allocated = capacity, waitlist_count = 3 WHERE id = $1",
                        parts["climate"]["id"])
    await catalog.fetch("UPDATE session SET seats_allocated = 20 WHERE id = $1", parts["logistics"]["id"])
    shown = (await client.get(f"/api/events/{event_id}")).json()
    assert [(s["seats_free"], s["waitlist_open"]) for s in shown["sessions"]] == [(0, True), (5, False)]

    # Closed: still shown, no longer open for registration. Cancelled: gone.
    await client.post(f"/api/staff/events/{event_id}/close", headers=staff)
    shown = (await client.get(f"/api/events/{event_id}")).json()
    assert (shown["status"], shown["registration_open"]) == ("closed", False)
    by_status = await client.get("/api/staff/events", params={"status": ["draft", "closed"]}, headers=staff)
    assert [e["id"] for e in by_status.json()] == [event_id]
    await client.post(f"/api/staff/events/{event_id}/cancel", headers=staff)
    assert (await client.get("/api/events")).json() == []
    listed = (await client.get("/api/staff/events", headers=staff)).json()
    assert [e["status"] for e in listed] == ["cancelled"]


async def test_staff_change_and_read_back_each_part(catalog, staff):
    client = catalog.client
    parts = await build_dialogue(client, staff)

    renamed = await client.patch(f"/api/staff/organisations/{parts['city']['id']}", headers=staff,
                                 json={"name": "Stadt Musterstadt, Amt für Stadtplanung", "website": None})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "Stadt Musterstadt, Amt für Stadtplanung"
    jonas = (await client.get(f"/api/staff/contact-persons/{parts['jonas']['id']}", headers=staff)).json()
    assert jonas["organisation_name"] == "Stadt Musterstadt, Amt für Stadtplanung"

    linked = await created(client, staff, "programmes", {"title": "Masterplan Handwerk"})
    programme = await client.patch(f"/api/staff/programmes/{parts['programme']['id']}", headers=staff,
                                   json={"linked_programme_ids": [linked["id"]]})
    assert programme.json()["linked_programme_ids"] == [linked["id"]]
    assert [p["title"] for p in (await client.get("/api/staff/programmes", headers=staff)).json()] == [
        "Masterplan Handwerk", "Masterplan Industrie"]

    session = await client.patch(f"/api/staff/sessions/{parts['logistics']['id']}", headers=staff,
                                 json={"capacity": 28, "waitlist_size": 5,
                                       "contact_person_ids": [parts["lena"]["id"], parts["jonas"]["id"]]})
    assert session.status_code == 200, session.text
    assert (session.json()["capacity"], session.json()["seats_free"], session.json()["waitlist_size"]) == (28, 28, 5)
    assert (await client.get(f"/api/staff/sessions/{parts['logistics']['id']}", headers=staff)).json() == session.json()

    moved = await client.patch(f"/api/staff/events/{parts['event']['id']}", headers=staff,
                               json={"starts_at": (IN_TWO_MONTHS + timedelta(hours=1)).isoformat(),
                                     "ends_at": (IN_TWO_MONTHS + timedelta(hours=4)).isoformat()})
    assert moved.status_code == 200, moved.text
    assert datetime.fromisoformat(moved.json()["starts_at"]) == IN_TWO_MONTHS + timedelta(hours=1)

    deleted = await client.delete(f"/api/staff/contact-persons/{parts['lena']['id']}", headers=staff)
    assert deleted.status_code == 204
    assert (await client.get(f"/api/staff/contact-persons/{parts['lena']['id']}", headers=staff)).status_code == 404
    event = (await client.get(f"/api/staff/events/{parts['event']['id']}", headers=staff)).json()
    assert [[p["name"] for p in s["contact_persons"]] for s in event["sessions"]] == [["Jonas Muster"], ["Jonas Muster"]]
    assert await catalog.fetch("SELECT 1 FROM contact_person WHERE email LIKE 'lena%'") == []


async def test_every_change_is_published_as_a_catalog_event(catalog, staff, read_topic):
    client = catalog.client
    parts = await build_dialogue(client, staff)
    event_id, jonas_id, lena_id = parts["event"]["id"], parts["jonas"]["id"], parts["lena"]["id"]
    await client.post(f"/api/staff/events/{event_id}/publish", headers=staff)
    await client.patch(f"/api/staff/contact-persons/{jonas_id}", headers=staff, json={"phone": "+49 5555 3000-399"})
    await client.delete(f"/api/staff/contact-persons/{lena_id}", headers=staff)
    city_id = parts["city"]["id"]
    await client.patch(f"/api/staff/organisations/{city_id}", headers=staff, json={"name": "Stadt Musterstadt, Planungsamt"})
    # Unchanged by an update: nothing to tell anyone.
    await client.patch(f"/api/staff/events/{event_id}", headers=staff, json={"title": "Wirtschaft trifft Verwaltung"})

    expected = [
        "OrganisationSaved", "OrganisationSaved", "ContactPersonSaved", "ContactPersonSaved", "ProgrammeSaved",
        "EventSaved",  # created as a draft
        "EventSaved", "EventSaved",  # a session added, twice
        "EventSaved",  # published
        "ContactPersonSaved", "EventSaved",  # Jonas's new phone, also inside the event
        "ContactPersonDeleted", "EventSaved",  # Lena gone, also from the event
        "OrganisationSaved", "ContactPersonSaved", "EventSaved",  # the city office renamed, also at Jonas and as organiser
    ]
    records = await read_topic(CATALOG_TOPIC, count=len(expected), raw=True)
    messages = [(r.key.decode(), Envelope.model_validate_json(r.value)) for r in records]
    assert len(messages) == len(expected)
    assert [r["count"] for r in await catalog.fetch("SELECT count(*) FROM outbox_message")] == [len(expected)]
    assert sorted(m.event_type for _, m in messages) == sorted(expected)
    assert {m.producer for _, m in messages} == {"catalog"}

    # Keyed by the aggregate: per key, in the order of the changes.
    about_event = [m for key, m in messages if key == event_id]
    assert [m.payload["event"]["status"] for m in about_event] == ["draft"] * 3 + ["published"] * 4
    assert [len(m.payload["event"]["sessions"]) for m in about_event] == [0, 1, 2, 2, 2, 2, 2]
    # The event's own changes correlate with it; the others with what caused them.
    assert [m.correlation_id for m in about_event] == [event_id] * 4 + [jonas_id, lena_id, city_id]
    after_phone, after_delete, after_rename = (m.payload["event"] for m in about_event[-3:])
    assert after_phone["sessions"][0]["contact_persons"][1]["phone"] == "+49 5555 3000-399"
    assert [[p["name"] for p in s["contact_persons"]] for s in after_delete["sessions"]] == [
        ["Jonas Muster"], ["Jonas Muster"]]
    assert after_rename["organisers"][1]["name"] == "Stadt Musterstadt, Planungsamt"
    assert after_rename["sessions"][1]["contact_persons"][0]["organisation_name"] == "Stadt Musterstadt, Planungsamt"

    about_jonas = [m for key, m in messages if key == jonas_id]
    assert [m.payload["contact_person"]["organisation_name"] for m in about_jonas] == [
        "Stadt Musterstadt, Stadtplanungsamt", "Stadt Musterstadt, Stadtplanungsamt", "Stadt Musterstadt, Planungsamt"]

    about_lena = [m for key, m in messages if key == lena_id]
    assert [m.event_type for m in about_lena] == ["ContactPersonSaved", "ContactPersonDeleted"]
    assert about_lena[0].payload["contact_person"]["email"] == "lena.beispiel@ihk.example.org"
    assert about_lena[1].payload == {"contact_person_id": lena_id}
    [programme] = [m for key, m in messages if key == parts["programme"]["id"]]
    assert programme.payload["programme"]["responsible_offices"] == ["Amt für Wirtschaftsförderung", "Stadtplanungsamt"]


def error_fields(response: httpx.Response) -> list[list]:
    assert response.status_code == 422, response.text
    return [error["loc"] for error in response.json()["detail"]]


async def test_wrong_input_is_refused_naming_the_field_and_nothing_is_stored(catalog, staff):
    client = catalog.client
    chamber = await created(client, staff, "organisations", {"name": "Handwerkskammer Musterstadt",
                                                              "kind": "chamber_of_crafts"})

    async def post(path: str, body: dict) -> httpx.Response:
        return await client.post(f"/api/staff/{path}", json=body, headers=staff)

    body = event_body()
    del body["title"]
    assert error_fields(await post("events", body)) == [["body", "title"]]
    late = await post("events", event_body(registration_deadline=(IN_TWO_MONTHS + timedelta(days=1)).isoformat()))
    assert late.json() == {"detail": [{"loc": ["body", "registration_deadline"], "type": "value_error",
                                       "msg": "The registration deadline must not be after the start."}]}
    assert error_fields(await post("events", event_body(ends_at=(IN_TWO_MONTHS - timedelta(hours=1)).isoformat()))) \
        == [["body", "ends_at"]]
    assert error_fields(await post("events", event_body(starts_at="2027-03-10T14:00:00"))) == [["body", "starts_at"]]
    unknown = str(uuid4())
    refused = await post("events", event_body(organiser_ids=[chamber["id"], unknown]))
    assert error_fields(refused) == [["body", "organiser_ids", 1]]
    assert unknown in refused.json()["detail"][0]["msg"]
    assert error_fields(await post("events", event_body(programme_id=unknown))) == [["body", "programme_id"]]
    assert error_fields(await post("contact-persons", {"organisation_id": unknown, "name": "Kai Probe",
                                                       "email": "kai.probe@example.org"})) == [["body", "organisation_id"]]
    assert error_fields(await post("contact-persons", {"organisation_id": chamber["id"], "name": "Kai Probe",
                                                       "email": "kein-at-zeichen"})) == [["body", "email"]]
    assert error_fields(await post("organisations", {"name": "Firma", "kind": "company", "webseite": "x"})) == [
        ["body", "webseite"]]
    # What reaches the registrants' emails and the To: of the notices: visible names, phone numbers only.
    for trick in ("\u202e", "\u2067", "\u200f", "\u200b", "\ufeff"):
        assert error_fields(await post("contact-persons", {"organisation_id": chamber["id"], "name": f"Kai{trick} Probe",
                                                           "email": "kai.probe@example.org"})) == [["body", "name"]]
        assert error_fields(await post("organisations", {"name": f"Firma{trick}", "kind": "company"})) == [["body", "name"]]
    assert error_fields(await post("contact-persons", {"organisation_id": chamber["id"], "name": "Kai Probe",
                                                       "email": "kai.probe@example.org", "phone": "<i>1</i>"})) == [
        ["body", "phone"]]
    assert (await client.post("/api/staff/organisations", content=b"{kaputt", headers=staff)).status_code == 422

    event = await created(client, staff, "events", event_body())
    assert error_fields(await post(f"events/{event['id']}/sessions", {"title": "Wärme", "capacity": -1})) == [
        ["body", "capacity"]]
    assert error_fields(await post(f"events/{event['id']}/sessions", {
        "title": "Wärme", "capacity": 25, "contact_person_ids": [unknown]})) == [["body", "contact_person_ids", 0]]
    moved = await client.patch(f"/api/staff/events/{event['id']}", headers=staff,
                               json={"registration_deadline": (IN_TWO_MONTHS + timedelta(hours=1)).isoformat()})
    assert error_fields(moved) == [["body", "registration_deadline"]]
    assert error_fields(await client.patch(f"/api/staff/events/{event['id']}", headers=staff, json={"title": None})) \
        == [["body", "title"]]

    session = await created(client, staff, f"events/{event['id']}/sessions", {"title": "Wärme", "capacity": 25})
    await catalog.fetch("UPDATE session SET seats_allocated = 20 WHERE id = $1", session["id"])
    shrunk = await client.patch(f"/api/staff/sessions/{session['id']}", headers=staff, json={"capacity": 19})
    assert error_fields(shrunk) == [["body", "capacity"]]
    assert "20 seats are already allocated" in shrunk.json()["detail"][0]["msg"]

    # Only what was accepted is there, unchanged by what was refused.
    assert [e["id"] for e in (await client.get("/api/staff/events", headers=staff)).json()] == [event["id"]]
    stored = (await client.get(f"/api/staff/events/{event['id']}", headers=staff)).json()
    assert stored["registration_deadline"] == event["registration_deadline"]
    assert [(s["title"], s["capacity"]) for s in stored["sessions"]] == [("Wärme", 25)]
    assert await catalog.fetch("SELECT name FROM contact_person") == []
    assert [r["name"] for r in await catalog.fetch("SELECT name FROM organisation")] == ["Handwerkskammer Musterstadt"]


async def test_unknown_ids_in_the_path_are_not_found(catalog, staff):
    client = catalog.client
    unknown = uuid4()
    for path in (f"organisations/{unknown}", f"contact-persons/{unknown}", f"programmes/{unknown}",
                 f"events/{unknown}", f"sessions/{unknown}"):
        response = await client.get(f"/api/staff/{path}", headers=staff)
        assert response.status_code == 404, path
    publish = await client.post(f"/api/staff/events/{unknown}/publish", headers=staff)
    assert (publish.status_code, publish.json()) == (404, {"detail": f"There is no event with id {unknown}."})
    assert (await client.delete(f"/api/staff/contact-persons/{unknown}", headers=staff)).status_code == 404
    assert (await client.post(f"/api/staff/events/{unknown}/sessions", headers=staff,
                              json={"title": "Wärme", "capacity": 25})).status_code == 404
    assert (await client.get(f"/api/events/{unknown}")).status_code == 404


async def test_illegal_status_changes_are_refused_with_a_reason(catalog, staff):
    client = catalog.client
    event = await created(client, staff, "events", event_body())
    path = f"/api/staff/events/{event['id']}"

    closing_a_draft = await client.post(f"{path}/close", headers=staff)
    assert (closing_a_draft.status_code, closing_a_draft.json()) == (
        409, {"detail": "A draft event cannot be closed; allowed: publish, cancel."})
    assert (await client.post(f"{path}/publish", headers=staff)).status_code == 200
    assert (await client.post(f"{path}/publish", headers=staff)).json() == {"detail": "The event is already published."}
    assert (await client.post(f"{path}/close", headers=staff)).json()["status"] == "closed"
    assert (await client.post(f"{path}/publish", headers=staff)).json()["status"] == "published"
    assert (await client.post(f"{path}/cancel", headers=staff)).json()["status"] == "cancelled"

    for action in ("publish", "close", "cancel"):
        assert (await client.post(f"{path}/{action}", headers=staff)).status_code == 409
    renamed = await client.patch(path, headers=staff, json={"title": "Doch noch"})
    assert (renamed.status_code, renamed.json()) == (409, {"detail": "The event is cancelled; it can no longer be changed."})
    assert (await client.post(f"{path}/sessions", headers=staff, json={"title": "Wärme", "capacity": 25})).status_code == 409
    assert (await client.get(path, headers=staff)).json()["title"] == "Wirtschaft trifft Verwaltung"


async def test_staff_routes_need_a_token_that_may_do_it(catalog, staff):
    client = catalog.client
    reader = {"Authorization": f"Bearer {await catalog.create_token(can_write=False)}"}
    organisation = {"name": "Kreishandwerkerschaft Musterstadt", "kind": "guild_association"}

    for headers in ({}, {"Authorization": "Bearer tpk_unknown"}):
        assert (await client.get("/api/staff/events", headers=headers)).status_code == 401
        refused = await client.post("/api/staff/organisations", json=organisation, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["www-authenticate"].startswith("Bearer")
    assert (await client.get("/api/staff/events", headers=reader)).status_code == 200
    refused = await client.post("/api/staff/organisations", json=organisation, headers=reader)
    assert (refused.status_code, refused.json()) == (403, {"detail": "This machine token may read but not change anything."})
    assert (await client.post("/api/staff/organisations", json=organisation, headers=staff)).status_code == 201
    assert (await client.get("/api/events")).status_code == 200
    assert [o["name"] for o in (await client.get("/api/staff/organisations", headers=reader)).json()] == [
        "Kreishandwerkerschaft Musterstadt"]


async def load_demo(catalog) -> str:
    """Run `treffpunkt-catalog load-demo` against the service's database, as an operator would."""
    environment = os.environ | {"DATABASE_URL": catalog.settings.database_url,
                                "CATALOG_DATABASE_NAME": catalog.settings.database}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "treffpunkt-catalog"), "load-demo", env=environment,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    _, stderr = await process.communicate()
    assert process.returncode == 0, stderr.decode()
    return stderr.decode()


async def test_demo_data_loads_once_and_is_listed_publicly(catalog, read_topic):
    assert "21 new item(s)" in await load_demo(catalog)
    pool = await create_pool(catalog.dsn, size=1)
    try:
        async with pool.acquire() as conn:
            assert await demo.load_demo(conn) == 0  # the same as running the command again, only quicker
    finally:
        await pool.close()

    dialogue, meeting = (await catalog.client.get("/api/events")).json()
    assert dialogue["title"] == "Wirtschaft trifft Verwaltung"
    assert [(s["title"], s["seats_free"]) for s in dialogue["sessions"]] == [
        ("Klimaschutz in der Bauleitplanung", 30),
        ("Infrastruktur und Energieversorgung: Wärme", 25),
        ("Wirtschaftsverkehr und City-Logistik", 25),
    ]
    for session in dialogue["sessions"]:
        chamber_side, city_side = session["contact_persons"]
        assert "kammer" in chamber_side["organisation_name"].lower()
        assert city_side["organisation_name"].startswith("Stadt Musterstadt")
        assert chamber_side["email"].endswith(".example.org") and city_side["email"].endswith(".example.de")
    starts_at = datetime.fromisoformat(dialogue["starts_at"])
    assert starts_at - datetime.fromisoformat(dialogue["registration_deadline"]) > timedelta(days=6)
    assert starts_at.month == 3 and starts_at > datetime.now(UTC)
    assert meeting["title"] == "Partnerschaftstreffen Masterplan Industrie"
    assert len(meeting["sessions"]) == 1

    # Through the outbox like any change: 6 organisations, 7 people, 2 programmes, 8 event snapshots.
    messages = await read_topic(CATALOG_TOPIC, count=23)
    assert sum(m.event_type == "EventSaved" for m in messages) == 8
