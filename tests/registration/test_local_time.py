"""The pages show times as people in Europe/Berlin read them, summer and winter, whatever the server's
own time zone."""

import time

import pytest


@pytest.fixture
def server_in_new_york(monkeypatch):
    # The services of these tests run in this process: its local zone is the server's.
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(("day", "utc_offset"), [("2027-03-10", 1), ("2027-06-10", 2)])  # CET, CEST
async def test_pages_show_times_in_berlin(saga, server_in_new_york, day, utc_offset):
    event = await saga.create_event([(5, 0)], starts_at=f"{day}T{14 - utc_offset}:00:00Z",
                                    ends_at=f"{day}T{17 - utc_offset}:00:00Z", registration_deadline=f"{day[:8]}01T12:00:00Z")
    shown = f"{day[8:]}.{day[5:7]}.{day[:4]}, 14:00 – 17:00"

    events = await saga.registration.client.get("/")
    form = await saga.registration.client.get(f"/events/{event['id']}/register?lang=en")

    assert shown in events.text and shown in form.text
