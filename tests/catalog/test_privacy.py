"""What the catalog says about data protection: the organisers' controller and privacy notice (its text
kept as a hash), and each event's retention period within the operator's bounds, shown to staff and the
public and carried in the snapshots the other services copy."""

import hashlib
from datetime import UTC, datetime, timedelta

from treffpunkt_shared.contracts.catalog import CATALOG_TOPIC

START = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)
EVENT = {"title": "Wirtschaft trifft Verwaltung", "venue_name": "Rathaus", "starts_at": START.isoformat(),
         "ends_at": (START + timedelta(hours=2)).isoformat(), "registration_deadline": START.isoformat()}
NOTICE = "Datenschutzhinweise für Veranstaltungen, Fassung 2026-01."


async def test_the_controller_notice_and_retention_are_shown_and_published(catalog, staff, read_topic):
    client = catalog.client
    organisation = (await client.post("/api/staff/organisations", headers=staff, json={
        "name": "Handwerkskammer Musterstadt", "kind": "chamber_of_crafts", "controller": "HWK, Markt 3",
        "privacy_notice_url": "https://hwk.example.org/ds", "privacy_notice_version": "2026-01",
        "privacy_notice_text": NOTICE})).json()
    default = (await client.post("/api/staff/events", headers=staff, json=EVENT)).json()
    event = (await client.post("/api/staff/events", headers=staff, json=EVENT | {
        "organiser_ids": [organisation["id"]], "retention_days": 30})).json()
    changed = await client.patch(f"/api/staff/events/{event['id']}", headers=staff, json={"retention_days": 730})
    await client.post(f"/api/staff/events/{event['id']}/publish", headers=staff)

    assert organisation["privacy_notice_sha256"] == hashlib.sha256(NOTICE.encode()).hexdigest()
    assert "privacy_notice_text" not in organisation
    assert (default["retention_days"], event["retention_days"], changed.json()["retention_days"]) == (180, 30, 730)
    [public] = (await client.get("/api/events")).json()
    assert public["retention_days"] == 730
    assert public["organisers"][0]["controller"] == "HWK, Markt 3"
    saved = await read_topic(CATALOG_TOPIC, count=3, key=event["id"])  # created, changed, published
    assert saved[-1].payload["event"]["retention_days"] == 730
    assert saved[-1].payload["event"]["organisers"][0]["privacy_notice_sha256"] == organisation["privacy_notice_sha256"]


async def test_a_retention_outside_the_operators_bounds_is_refused_naming_the_field(catalog, staff):
    client = catalog.client
    event = (await client.post("/api/staff/events", headers=staff, json=EVENT)).json()
    answers = [
        await client.post("/api/staff/events", headers=staff, json=EVENT | {"retention_days": 29}),
        await client.post("/api/staff/events", headers=staff, json=EVENT | {"retention_days": 731}),
        await client.patch(f"/api/staff/events/{event['id']}", headers=staff, json={"retention_days": None}),
        await client.patch(f"/api/staff/events/{event['id']}", headers=staff, json={"retention_days": 10}),
    ]

    assert [a.status_code for a in answers] == [422] * 4
    assert all(a.json()["detail"][0]["loc"] == ["body", "retention_days"] for a in answers)
    assert (await client.get(f"/api/staff/events/{event['id']}", headers=staff)).json()["retention_days"] == 180
