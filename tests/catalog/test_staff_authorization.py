"""The catalog's staff rules (catalog/authorization.py) with real access tokens: an organiser manages their
organisation's events, people and the organisation itself, and nothing of another's; a contact person
sees the events and sessions that name them; admins alone create organisations and programmes. Every
change is in the audit trail."""

from uuid import uuid4

import pytest

from ..staff_tokens import contact, organiser
from .test_api import created, event_body


@pytest.fixture
async def catalog_of_two(catalog, staff):
    """Organisations A and B; A's contact person named by the first of A's event's two sessions; B's event."""
    client = catalog.client
    org_a = await created(client, staff, "organisations", {"name": "Industriekreis", "kind": "association"})
    org_b = await created(client, staff, "organisations", {"name": "Stadtverwaltung", "kind": "city_office"})
    person_a = await created(client, staff, "contact-persons", {
        "organisation_id": org_a["id"], "name": "Mara Beispiel", "email": "mara@ik.example.org"})
    person_b = await created(client, staff, "contact-persons", {
        "organisation_id": org_b["id"], "name": "Kai Amt", "email": "kai@stadt.example.org"})
    event_a = await created(client, staff, "events", event_body(organiser_ids=[org_a["id"]]))
    named = await created(client, staff, f"events/{event_a['id']}/sessions", {
        "title": "Forum 1", "capacity": 10, "waitlist_size": 0, "contact_person_ids": [person_a["id"]]})
    unnamed = await created(client, staff, f"events/{event_a['id']}/sessions", {
        "title": "Forum 2", "capacity": 10, "waitlist_size": 0})
    event_b = await created(client, staff, "events", event_body(title="Partnerschaftstreffen",
                                                                 organiser_ids=[org_b["id"]]))
    session_b = await created(client, staff, f"events/{event_b['id']}/sessions", {
        "title": "Forum B", "capacity": 10, "waitlist_size": 0})
    return {"org_a": org_a, "org_b": org_b, "person_a": person_a, "person_b": person_b, "event_a": event_a,
            "named": named, "unnamed": unnamed, "event_b": event_b, "session_b": session_b}


async def test_an_organiser_manages_their_organisation_and_its_events_not_anothers(catalog, catalog_of_two):
    client, c = catalog.client, catalog_of_two
    headers = catalog.account_headers(organiser(c["org_a"]["id"]))

    listed = await client.get("/api/staff/events", headers=headers)
    assert [e["id"] for e in listed.json()] == [c["event_a"]["id"]]
    for path in (f"events/{c['event_a']['id']}", f"sessions/{c['unnamed']['id']}", "organisations", "programmes",
                 f"contact-persons/{c['person_b']['id']}"):
        assert (await client.get(f"/api/staff/{path}", headers=headers)).status_code == 200, path
    assert (await client.patch(f"/api/staff/events/{c['event_a']['id']}", json={"title": "Neu"},
                               headers=headers)).status_code == 200
    assert (await client.post(f"/api/staff/events/{c['event_a']['id']}/publish", headers=headers)).status_code == 200
    assert (await client.patch(f"/api/staff/organisations/{c['org_a']['id']}", json={"website": "https://ik.example.org"},
                               headers=headers)).status_code == 200
    assert (await client.post("/api/staff/events", json=event_body(organiser_ids=[c["org_a"]["id"], c["org_b"]["id"]]),
                              headers=headers)).status_code == 201

    refusals = [
        await client.get(f"/api/staff/events/{c['event_b']['id']}", headers=headers),
        await client.get(f"/api/staff/sessions/{c['session_b']['id']}", headers=headers),
        await client.patch(f"/api/staff/events/{c['event_b']['id']}", json={"title": "Gekapert"}, headers=headers),
        await client.post(f"/api/staff/events/{c['event_b']['id']}/publish", headers=headers),
        await client.post(f"/api/staff/events/{c['event_b']['id']}/cancel", headers=headers),
        await client.post(f"/api/staff/events/{c['event_b']['id']}/sessions", headers=headers,
                          json={"title": "X", "capacity": 1, "waitlist_size": 0}),
        await client.patch(f"/api/staff/sessions/{c['session_b']['id']}", json={"capacity": 1}, headers=headers),
        await client.post("/api/staff/events", json=event_body(organiser_ids=[c["org_b"]["id"]]), headers=headers),
        await client.patch(f"/api/staff/organisations/{c['org_b']['id']}", json={"name": "X"}, headers=headers),
        await client.post("/api/staff/contact-persons", headers=headers, json={
            "organisation_id": c["org_b"]["id"], "name": "X", "email": "x@example.org"}),
        await client.patch(f"/api/staff/contact-persons/{c['person_b']['id']}", json={"name": "X"}, headers=headers),
        await client.patch(f"/api/staff/contact-persons/{c['person_a']['id']}",
                           json={"organisation_id": c["org_b"]["id"]}, headers=headers),
        await client.delete(f"/api/staff/contact-persons/{c['person_b']['id']}", headers=headers),
        await client.post("/api/staff/organisations", json={"name": "Neu", "kind": "other"}, headers=headers),
        await client.post("/api/staff/programmes", json={"title": "Neu"}, headers=headers),
    ]
    assert [r.status_code for r in refusals] == [403] * len(refusals), [r.text for r in refusals]
    assert (await client.get(f"/api/staff/events/{c['event_b']['id']}")).status_code == 401
    # Nothing with that id: 404 before any rule.
    assert (await client.patch(f"/api/staff/events/{uuid4()}", json={"title": "X"}, headers=headers)).status_code == 404
    assert (await client.delete(f"/api/staff/contact-persons/{uuid4()}", headers=headers)).status_code == 404


async def test_a_contact_person_sees_the_events_and_sessions_naming_them_and_changes_nothing(catalog, catalog_of_two):
    client, c = catalog.client, catalog_of_two
    headers = catalog.account_headers(contact(c["person_a"]["id"]))

    assert [e["id"] for e in (await client.get("/api/staff/events", headers=headers)).json()] == [c["event_a"]["id"]]
    assert (await client.get(f"/api/staff/events/{c['event_a']['id']}", headers=headers)).status_code == 200
    assert (await client.get(f"/api/staff/sessions/{c['named']['id']}", headers=headers)).status_code == 200
    for answer in (await client.get(f"/api/staff/sessions/{c['unnamed']['id']}", headers=headers),
                   await client.get(f"/api/staff/events/{c['event_b']['id']}", headers=headers),
                   await client.patch(f"/api/staff/events/{c['event_a']['id']}", json={"title": "X"}, headers=headers),
                   await client.patch(f"/api/staff/sessions/{c['named']['id']}", json={"capacity": 1},
                                      headers=headers)):
        assert answer.status_code == 403, answer.text
    nobody = catalog.account_headers()
    assert (await client.get("/api/staff/events", headers=nobody)).json() == []


async def test_catalog_changes_are_audited_and_read_by_the_events_organisers(catalog, catalog_of_two, staff):
    client, c = catalog.client, catalog_of_two
    account = uuid4()
    headers = catalog.account_headers(organiser(c["org_a"]["id"]), sub=account, name="Olga Orga")
    event_id = c["event_a"]["id"]
    assert (await client.post(f"/api/staff/events/{event_id}/publish", headers=headers)).status_code == 200
    assert (await client.post(f"/api/staff/events/{event_id}/close", headers=headers)).status_code == 200
    assert (await client.delete(f"/api/staff/contact-persons/{c['person_a']['id']}", headers=headers)).status_code == 204

    trail = (await client.get("/api/staff/audit", params={"event_id": event_id}, headers=headers)).json()
    assert [(e["action"], e["actor"], e["actor_name"]) for e in trail[:2]] == [
        ("event.closed", str(account), "Olga Orga"), ("event.published", str(account), "Olga Orga")]
    # The fixture's changes by the admin token come before, oldest last.
    assert [e["action"] for e in trail[2:]] == ["session.added", "session.added", "event.created"]
    assert {e["actor"] for e in trail[2:]} == {"token:test-write"}
    mine = (await client.get("/api/staff/audit", params={"actor": str(account)}, headers=headers)).json()
    assert [(e["action"], e["target_id"], e["event_id"]) for e in mine] == [
        ("contact_person.deleted", c["person_a"]["id"], None), ("event.closed", event_id, event_id),
        ("event.published", event_id, event_id)]
    stored = await catalog.fetch("SELECT to_jsonb(a)::text AS entry FROM audit_entry a")
    assert not any("mara" in row["entry"].lower() for row in stored)

    other = catalog.account_headers(organiser(c["org_b"]["id"]))
    assert (await client.get("/api/staff/audit", params={"event_id": event_id}, headers=other)).status_code == 403
    assert (await client.get("/api/staff/audit", params={"actor": str(account)}, headers=other)).status_code == 403
    assert (await client.get("/api/staff/audit", headers=other)).status_code == 403
    assert len((await client.get("/api/staff/audit", headers=staff)).json()) == len(stored)
