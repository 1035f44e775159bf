"""Who sees and changes which registrations (registration/authorization.py): an organiser only their events',
a contact person only their sessions', machine tokens by their scope; every staff action in the audit trail,
without the registrants' data. Real services: the catalog publishes the events, the registration service
decides from its copy."""

import csv
import io
from datetime import UTC, datetime
from uuid import uuid4

import pytest

from treffpunkt_shared.contracts.staff import STAFF_TOKEN_TOPIC, MachineTokenSaved
from treffpunkt_shared.staff_access import hash_token, new_token

from ..notification.scenario import envelope, publish
from ..staff_tokens import ADMIN, contact, organiser
from ..waiting import wait_until


@pytest.fixture
async def two_events(saga):
    """Event A (organiser A; session 1 names contact A1, session 2 contact A2) and event B (organiser B), each
    with a confirmed registration per session."""
    a = await saga.create_event([(5, 0), (5, 0)], organisation={"name": "Industriekreis"})
    b = await saga.create_event([(5, 0)], organisation={"name": "Stadtverwaltung"}, title="Partnerschaftstreffen")
    other = (await saga.catalog.client.post("/api/staff/contact-persons", headers=saga.staff, json={
        "organisation_id": a["organisers"][0]["id"], "name": "Jonas Zweiter", "email": "jonas@ik.example.org"})).json()
    second = a["sessions"][1]
    changed = await saga.catalog.client.patch(f"/api/staff/sessions/{second['id']}", headers=saga.staff,
                                              json={"contact_person_ids": [other["id"]]})
    assert changed.status_code == 200, changed.text

    async def copied() -> bool:
        rows = await saga.registration.fetch("SELECT snapshot->'contact_persons' @> $1::text::jsonb AS named "
                                             "FROM catalog_session WHERE id = $2::uuid",
                                             f'[{{"id": "{other["id"]}"}}]', second["id"])
        return bool(rows) and rows[0]["named"]

    await wait_until(copied, what="the registration service's copy of the changed session")
    registered = {}
    for event in (a, b):
        for session in event["sessions"]:
            answer = await saga.register(event, session, wait=5)
            assert answer.status_code == 201 and answer.json()["status"] == "confirmed", answer.text
            registered[session["id"]] = answer.json()
    return {
        "a": a, "b": b, "registered": registered,
        "organiser_a": organiser(a["organisers"][0]["id"]), "organiser_b": organiser(b["organisers"][0]["id"]),
        "contact_a1": contact(a["sessions"][0]["contact_persons"][0]["id"]), "contact_a2": contact(other["id"]),
    }


def _listing(event: dict) -> str:
    return f"/api/staff/events/{event['id']}/registrations"


async def test_an_organiser_lists_exports_and_cancels_their_events_registrations_not_the_others(saga, two_events):
    client, a, b = saga.registration.client, two_events["a"], two_events["b"]
    headers = saga.registration.account_headers(two_events["organiser_a"])

    listed = await client.get(_listing(a), headers=headers)
    assert listed.status_code == 200, listed.text
    assert {r["session_id"] for r in listed.json()} == {s["id"] for s in a["sessions"]}
    exported = await client.get(f"{_listing(a)}.csv", headers=headers)
    assert exported.status_code == 200 and len(exported.content.decode("utf-8-sig").splitlines()) == 3

    for refused in (await client.get(_listing(b), headers=headers),
                    await client.get(f"{_listing(b)}.csv", headers=headers),
                    await client.get(f"{_listing(b)}.xlsx", headers=headers)):
        assert refused.status_code == 403, refused.text
        assert "does not allow" in refused.json()["detail"]
    b_registration = two_events["registered"][b["sessions"][0]["id"]]
    refused = await client.post(f"/api/staff/registrations/{b_registration['id']}/cancel", headers=headers)
    assert refused.status_code == 403, refused.text
    assert (await saga.status(b_registration))["status"] == "confirmed"

    a_registration = two_events["registered"][a["sessions"][0]["id"]]
    cancelled = await client.post(f"/api/staff/registrations/{a_registration['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled", cancelled.text

    # Nothing with that id: 404 for anyone signed in, before any rule.
    assert (await client.get(f"/api/staff/events/{uuid4()}/registrations", headers=headers)).status_code == 404
    assert (await client.post(f"/api/staff/registrations/{uuid4()}/cancel", headers=headers)).status_code == 404


async def test_a_contact_person_sees_only_the_registrations_of_their_sessions(saga, two_events):
    client, a, b = saga.registration.client, two_events["a"], two_events["b"]
    headers = saga.registration.account_headers(two_events["contact_a1"])
    first, second = a["sessions"]

    listed = await client.get(_listing(a), headers=headers)
    assert listed.status_code == 200, listed.text
    assert [r["id"] for r in listed.json()] == [two_events["registered"][first["id"]]["id"]]
    exported = await client.get(f"{_listing(a)}.csv", headers=headers)
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig")), delimiter=";"))
    assert exported.status_code == 200 and len(rows) == 2 and first["title"] in rows[1]
    own_session = await client.get(_listing(a), params={"session_id": first["id"]}, headers=headers)
    assert own_session.status_code == 200 and len(own_session.json()) == 1

    other_session = await client.get(_listing(a), params={"session_id": second["id"]}, headers=headers)
    assert other_session.status_code == 403, other_session.text
    assert (await client.get(_listing(b), headers=headers)).status_code == 403
    mine = two_events["registered"][first["id"]]
    refused = await client.post(f"/api/staff/registrations/{mine['id']}/cancel", headers=headers)
    assert refused.status_code == 403, refused.text

    # The other session's contact person: only theirs.
    theirs = await client.get(_listing(a), headers=saga.registration.account_headers(two_events["contact_a2"]))
    assert [r["id"] for r in theirs.json()] == [two_events["registered"][second["id"]]["id"]]


async def test_machine_tokens_act_by_their_scope_and_read_only_ones_change_nothing(saga, two_events):
    client, a, b = saga.registration.client, two_events["a"], two_events["b"]
    scoped = await saga.registration.token_headers(organisation_id=two_events["organiser_a"].organisation_id)
    assert (await client.get(_listing(a), headers=scoped)).status_code == 200
    assert (await client.get(_listing(b), headers=scoped)).status_code == 403
    b_registration = two_events["registered"][b["sessions"][0]["id"]]
    assert (await client.post(f"/api/staff/registrations/{b_registration['id']}/cancel",
                              headers=scoped)).status_code == 403

    reader = await saga.registration.token_headers(can_write=False)
    assert (await client.get(_listing(b), headers=reader)).status_code == 200
    refused = await client.post(f"/api/staff/registrations/{b_registration['id']}/cancel", headers=reader)
    assert refused.status_code == 403 and "read" in refused.json()["detail"]
    assert (await saga.status(b_registration))["status"] == "confirmed"

    revoked = await saga.registration.token_headers(name="to-be-revoked")
    await saga.registration.fetch("UPDATE staff_token SET revoked_at = now() WHERE name = 'to-be-revoked'")
    for headers in ({}, {"Authorization": "Bearer tpk_unknown"}, revoked):
        answer = await client.get(_listing(a), headers=headers)
        assert answer.status_code == 401 and answer.headers["www-authenticate"].startswith("Bearer")


async def test_machine_tokens_come_from_the_staff_service_and_a_revocation_holds(saga, kafka_bootstrap):
    event = await saga.create_event([(5, 0)])
    client, url = saga.registration.client, _listing(event)
    token, later = new_token(), new_token()
    saved = MachineTokenSaved(token_id=uuid4(), name="website-import", token_hash=hash_token(token),
                              organisation_id=event["organisers"][0]["id"], can_write=False,
                              created_at=datetime.now(UTC))
    await publish(kafka_bootstrap, STAFF_TOKEN_TOPIC, envelope(saved, producer="staff"))

    async def answers(bearer: str, status: int) -> bool:
        return (await client.get(url, headers={"Authorization": f"Bearer {bearer}"})).status_code == status

    await wait_until(lambda: answers(token, 200), what="the staff service's token admitted")
    assert (await client.post(f"/api/staff/registrations/{uuid4()}/cancel",
                              headers={"Authorization": f"Bearer {token}"})).status_code == 403  # read only
    # Revoked, then the earlier state delivered again: it stays revoked. A later token on the same
    # (one-partition) topic shows that both were handled.
    revoked = saved.model_copy(update={"revoked_at": datetime.now(UTC)})
    another = saved.model_copy(update={"token_id": uuid4(), "name": "another", "token_hash": hash_token(later)})
    await publish(kafka_bootstrap, STAFF_TOKEN_TOPIC, envelope(revoked, producer="staff"),
                  envelope(saved, producer="staff"), envelope(another, producer="staff"))
    await wait_until(lambda: answers(later, 200), what="the later token admitted")
    assert await answers(token, 401)


async def test_access_tokens_not_made_for_this_service_now_are_refused(saga, staff_issuer):
    from treffpunkt_shared.staff_tokens import new_signing_key

    event = await saga.create_event([(5, 0)])
    client, url = saga.registration.client, _listing(event)
    assert (await client.get(url, headers=saga.registration.account_headers(ADMIN))).status_code == 200
    for wrong in (
        staff_issuer.headers("registration", ADMIN, now=1_700_000_000),  # expired long ago
        staff_issuer.headers("catalog", ADMIN),  # for another service
        staff_issuer.headers("registration", ADMIN, key=new_signing_key()),  # not signed by the staff service
        staff_issuer.headers("registration", ADMIN, issuer="http://elsewhere.example"),
        {"Authorization": "Bearer not-a-jwt"},
    ):
        answer = await client.get(url, headers=wrong)
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"] == 'Bearer error="invalid_token"'
        assert answer.json()["detail"].startswith("The access token is not valid here: the token")


async def test_staff_actions_are_audited_with_ids_only_and_read_by_who_may(saga, two_events):
    client, a, b = saga.registration.client, two_events["a"], two_events["b"]
    account = uuid4()
    headers = saga.registration.account_headers(two_events["organiser_a"], sub=account, name="Olga Orga")
    registration = two_events["registered"][a["sessions"][0]["id"]]
    assert (await client.get(f"{_listing(a)}.xlsx", headers=headers)).status_code == 200
    assert (await client.post(f"/api/staff/registrations/{registration['id']}/cancel",
                              headers=headers)).status_code == 200
    # Idempotent: cancelling again changes nothing and is no second action.
    assert (await client.post(f"/api/staff/registrations/{registration['id']}/cancel",
                              headers=headers)).status_code == 200

    trail = await client.get("/api/staff/audit", params={"event_id": a["id"]}, headers=headers)
    assert trail.status_code == 200, trail.text
    assert [(e["action"], e["target_id"], e["event_id"], e["actor"], e["actor_name"]) for e in trail.json()] == [
        ("registration.cancelled", registration["id"], a["id"], str(account), "Olga Orga"),
        ("registrations.exported", a["id"], a["id"], str(account), "Olga Orga"),
    ]
    own = await client.get("/api/staff/audit", params={"actor": str(account)}, headers=headers)
    assert own.status_code == 200 and len(own.json()) == 2

    stored = await saga.registration.fetch("SELECT to_jsonb(a)::text AS entry FROM audit_entry a")
    people = await saga.registration.fetch("SELECT first_name, last_name, email, organisation FROM registration")
    for entry in stored:
        for person in people:
            assert not any(value in entry["entry"] for value in person.values())

    other = saga.registration.account_headers(two_events["organiser_b"])
    for params in ({"event_id": a["id"]}, {"actor": str(account)}, {}):
        assert (await client.get("/api/staff/audit", params=params, headers=other)).status_code == 403
    assert (await client.get("/api/staff/audit", params={"event_id": b["id"]}, headers=other)).json() == []
    assert (await client.get("/api/staff/audit", params={"event_id": str(uuid4())}, headers=other)).status_code == 404
    everything = await client.get("/api/staff/audit", headers=saga.registration.account_headers(ADMIN))
    assert everything.status_code == 200 and len(everything.json()) == 2


async def test_staff_erase_a_registration_or_an_address_in_their_reach_audited_without_the_address(saga, two_events):
    """One registration: admins and the event's organisers (contacts 403, unknown 404, again: 200, nothing more).
    An address: each erases the registrations of their events, and the answer counts only those."""
    client, a, b = saga.registration.client, two_events["a"], two_events["b"]
    email = f"mehrfach.{uuid4().hex[:8]}@example.org"
    same_address = {}
    for event in (a, b):
        answer = await saga.register(event, event["sessions"][0], wait=5, email=email)
        assert answer.status_code == 201, answer.text
        same_address[event["id"]] = answer.json()
    organiser_a = saga.registration.account_headers(two_events["organiser_a"])
    organiser_b = saga.registration.account_headers(two_events["organiser_b"])
    contact_a1 = saga.registration.account_headers(two_events["contact_a1"])
    one = two_events["registered"][a["sessions"][1]["id"]]

    def erase_one(registration: dict, headers: dict):
        return client.post(f"/api/staff/registrations/{registration['id']}/erase", headers=headers)

    assert (await erase_one(one, contact_a1)).status_code == 403
    assert (await erase_one(one, organiser_b)).status_code == 403
    assert (await erase_one({"id": uuid4()}, organiser_a)).status_code == 404
    erased = await erase_one(one, organiser_a)
    assert erased.status_code == 200, erased.text
    assert (erased.json()["status"], erased.json()["erased_because"], erased.json()["email"]) == (
        "cancelled", "staff", None)
    again = await erase_one(one, organiser_a)
    assert again.status_code == 200 and again.json() == erased.json()

    def erase_address(address: str, headers: dict):
        return client.post("/api/staff/erasures", json={"email": address}, headers=headers)

    assert (await erase_address(email, contact_a1)).status_code == 403
    invalid = await erase_address("keine-adresse", organiser_a)
    assert invalid.status_code == 422 and invalid.json()["detail"][0]["loc"] == ["body", "email"], invalid.text
    assert (await erase_address(email.upper(), organiser_a)).json() == {"erased": 1}
    assert (await erase_address(email, organiser_a)).json() == {"erased": 0}  # B's is not A's to erase
    assert (await saga.status(same_address[b["id"]]))["status"] == "confirmed"
    assert (await erase_address(email, organiser_b)).json() == {"erased": 1}
    assert (await erase_address(email, saga.registration.account_headers(ADMIN))).json() == {"erased": 0}
    left = await saga.registration.fetch("SELECT count(*) AS n FROM registration WHERE email_normalised = $1", email)
    assert left[0]["n"] == 0

    entries = await saga.registration.fetch("SELECT action, target_id, event_id FROM audit_entry ORDER BY id")
    assert [(e["action"], e["target_id"], str(e["event_id"])) for e in entries] == [
        ("registration.erased", one["id"], a["id"]),
        ("registration.erased", same_address[a["id"]]["id"], a["id"]),
        ("registration.erased", same_address[b["id"]]["id"], b["id"]),
    ]
    stored = await saga.registration.fetch("SELECT to_jsonb(a)::text AS entry FROM audit_entry a")
    assert not any(email in e["entry"] or "@" in e["entry"] for e in stored)
