"""The notification service's staff rules (notification/authorization.py) with real access tokens: a
registration's delivery log for admins, its event's organisers and its session's contact persons only, a
recipient's for admins only; a
contact person's preference for the person, their organisation's organisers and admins; preference changes
in the audit trail."""

from uuid import uuid4

from treffpunkt_shared.contracts.catalog import Organisation, OrganisationKind
from treffpunkt_shared.contracts.registration import RegistrationConfirmed

from ..staff_tokens import ADMIN, contact, organiser
from ..waiting import wait_until
from .scenario import CHAMBER_CONTACT, CITY_CONTACT, EVENT, LOGISTICS_CONTACT, publish_event, publish_registration_events, registration

CHAMBER = Organisation(id=CHAMBER_CONTACT.organisation_id, name="Handwerkskammer Beispielstadt",
                       kind=OrganisationKind.chamber_of_crafts)
CITY_ID = CITY_CONTACT.organisation_id  # organises nothing here


async def test_a_registrations_delivery_log_is_for_its_events_organisers_and_its_sessions_contacts(notification, mailbox, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap, EVENT.model_copy(update={"organisers": [CHAMBER]}))
    person = registration(1)
    await publish_registration_events(kafka_bootstrap, RegistrationConfirmed(registration=person))

    async def known() -> bool:
        return bool(await notification.fetch("SELECT 1 FROM email WHERE registration_id = $1", person.registration_id))

    await wait_until(known, what="the confirmation queued")
    client = notification.client
    by_registration = {"registration_id": str(person.registration_id)}
    by_recipient = {"recipient": person.participant.email}

    for headers in (notification.account_headers(organiser(CHAMBER.id)), notification.account_headers(ADMIN),
                    await notification.token_headers(organisation_id=CHAMBER.id, can_write=False),
                    notification.account_headers(contact(CHAMBER_CONTACT.id))):  # named by the registration's session
        log = await client.get("/api/deliveries", params=by_registration, headers=headers)
        assert log.status_code == 200 and log.json()[0]["registration_id"] == str(person.registration_id), log.text
    for headers in (notification.account_headers(organiser(CITY_ID)),
                    notification.account_headers(contact(LOGISTICS_CONTACT.id)),  # of the other session
                    await notification.token_headers(organisation_id=CITY_ID)):
        refused = await client.get("/api/deliveries", params=by_registration, headers=headers)
        assert refused.status_code == 403, refused.text
    # Unknown here: nobody can be shown to organise its event.
    unknown = await client.get("/api/deliveries", params={"registration_id": str(uuid4())},
                               headers=notification.account_headers(organiser(CHAMBER.id)))
    assert unknown.status_code == 403

    # A recipient's log may hold any organisation's events: admins only.
    organiser_asks = await client.get("/api/deliveries", params=by_recipient,
                                      headers=notification.account_headers(organiser(CHAMBER.id)))
    assert organiser_asks.status_code == 403, organiser_asks.text
    admin_asks = await client.get("/api/deliveries", params=by_recipient, headers=notification.account_headers(ADMIN))
    assert admin_asks.status_code == 200 and len(admin_asks.json()) == 1


async def test_a_preference_is_the_persons_their_organisers_and_admins_and_changes_are_audited(
        notification, kafka_bootstrap):
    await publish_event(notification, kafka_bootstrap)
    client, path = notification.client, f"/api/contact-persons/{CHAMBER_CONTACT.id}/preference"
    themself = uuid4()

    allowed = [(notification.account_headers(contact(CHAMBER_CONTACT.id), sub=themself, name="Petra"), "daily"),
               (notification.account_headers(organiser(CHAMBER_CONTACT.organisation_id)), "off"),
               (notification.account_headers(ADMIN), "immediate")]
    for headers, mode in allowed:
        assert (await client.get(path, headers=headers)).status_code == 200
        changed = await client.put(path, json={"mode": mode}, headers=headers)
        assert changed.status_code == 200 and changed.json()["mode"] == mode, changed.text
    for headers in (notification.account_headers(contact(CITY_CONTACT.id)),
                    notification.account_headers(organiser(CITY_ID)),
                    await notification.token_headers(organisation_id=CITY_ID)):
        assert (await client.get(path, headers=headers)).status_code == 403
        assert (await client.put(path, json={"mode": "off"}, headers=headers)).status_code == 403
    assert (await client.get(f"/api/contact-persons/{uuid4()}/preference",
                             headers=notification.account_headers(organiser(CITY_ID)))).status_code == 404

    trail = await client.get("/api/staff/audit", headers=notification.account_headers(ADMIN))
    assert [(e["action"], e["target_id"], e["event_id"]) for e in trail.json()] == \
        [("preference.changed", str(CHAMBER_CONTACT.id), None)] * 3
    own = await client.get("/api/staff/audit", params={"actor": str(themself)}, headers=allowed[0][0])
    assert [(e["actor"], e["actor_name"]) for e in own.json()] == [(str(themself), "Petra")]
    others = await client.get("/api/staff/audit", params={"actor": str(themself)}, headers=allowed[1][0])
    assert others.status_code == 403
