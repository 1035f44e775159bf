"""Staff move a confirmed registration to another session of its event through the seat saga: the catalog's
ledger takes the new seat and gives back the old one, the head of the old session's waiting list moves up; a
full session is refused with 409 and nothing changes. Real catalog and registration services and broker."""

from ..waiting import wait_until


async def test_a_move_takes_the_new_seat_and_the_waiting_list_moves_up_a_full_session_changes_nothing(saga):
    event = await saga.create_event([(1, 1), (2, 0), (1, 0)])
    first, second, third = event["sessions"]
    alma = (await saga.register(event, first, wait=5, first_name="Alma")).json()
    bruno = (await saga.register(event, first, wait=5, first_name="Bruno")).json()
    dora = (await saga.register(event, second, wait=5, first_name="Dora")).json()
    erna = (await saga.register(event, third, wait=5, first_name="Erna")).json()
    assert [r["status"] for r in (alma, bruno, dora, erna)] == ["confirmed", "waitlisted", "confirmed", "confirmed"]
    client, headers = saga.registration.client, saga.registration_staff
    move = f"/api/staff/registrations/{alma['id']}/move"

    full = await client.post(move, headers=headers, json={"session_id": third["id"]})
    assert full.status_code == 409 and "no free seat" in full.json()["detail"], full.text
    assert (await saga.session(first["id"]))["seats_allocated"] == 1
    assert (await saga.session(third["id"]))["seats_allocated"] == 1
    detail = (await client.get(f"/api/staff/registrations/{alma['id']}", headers=headers)).json()
    assert detail["session_id"] == first["id"] and detail["moves"] == []
    assert (await saga.status(bruno))["status"] == "waitlisted"

    for bad, field in (({"session_id": first["id"]}, "session_id"), ({"session_id": str(event["id"])}, "session_id"),
                       ({}, "session_id")):
        refused = await client.post(move, headers=headers, json=bad)
        assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == field, refused.text
    waiting = await client.post(f"/api/staff/registrations/{bruno['id']}/move", headers=headers,
                                json={"session_id": second["id"]})
    assert waiting.status_code == 409 and "waitlisted" in waiting.json()["detail"], waiting.text

    moved = await client.post(move, headers=headers, json={"session_id": second["id"]})
    assert moved.status_code == 200, moved.text
    assert moved.json()["session_id"] == second["id"] and moved.json()["status"] == "confirmed"

    async def moved_up() -> bool:
        return (await saga.status(bruno))["status"] == "confirmed"

    await wait_until(moved_up, what="Bruno moving up onto Alma's old seat")
    old, new = await saga.session(first["id"]), await saga.session(second["id"])
    assert (old["seats_allocated"], old["waitlist_count"]) == (1, 0)
    assert new["seats_allocated"] == 2
    detail = (await client.get(f"/api/staff/registrations/{alma['id']}", headers=headers)).json()
    assert [(m["from_session_id"], m["to_session_id"]) for m in detail["moves"]] == [(first["id"], second["id"])]
    # Each ask that reached the ledger is audited in its transaction (the full session's refusal too); Bruno's,
    # refused before (not confirmed), is not.
    audited = await saga.registration.fetch("SELECT target_id AS subject FROM audit_entry "
                                            "WHERE action = 'registration.move_asked' ORDER BY id")
    assert [a["subject"] for a in audited] == [alma["id"], alma["id"]]

    # Cancelled after the move, the seat given back is the new session's.
    cancelled = await client.post(f"/api/staff/registrations/{alma['id']}/cancel", headers=headers)
    assert cancelled.status_code == 200, cancelled.text

    async def released() -> bool:
        return (await saga.session(second["id"]))["seats_allocated"] == 1

    await wait_until(released, what="the moved seat released")
    assert (await saga.session(first["id"]))["seats_allocated"] == 1
