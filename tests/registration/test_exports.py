"""Staff open the exports in Excel or LibreOffice: what a registrant typed never becomes a formula, and
"registered at" is the time of the people reading the list (Europe/Berlin), not the server's."""

import csv
import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

FORMULAS = {
    "first_name": '=HYPERLINK("http://example.org","x")',
    "last_name": "@SUM(1+1)*cmd|' /C calc'!A0",
    "organisation": "+1+cmd|' /C calc'!A0",
    "remarks": "-2+3",
}


async def test_exports_write_registrants_formulas_as_plain_text(saga):
    event = await saga.create_event([(5, 0)])
    registered = await saga.register(event, event["sessions"][0], wait=5, **FORMULAS)
    assert registered.status_code == 201, registered.text
    url = f"/api/staff/events/{event['id']}/registrations"

    csv_file = await saga.registration.client.get(f"{url}.csv", headers=saga.registration_staff)
    xlsx_file = await saga.registration.client.get(f"{url}.xlsx", headers=saga.registration_staff)

    header, row = list(csv.reader(io.StringIO(csv_file.content.decode("utf-8-sig")), delimiter=";"))
    by_title = dict(zip(header, row, strict=True))
    assert by_title["Vorname"] == "'" + FORMULAS["first_name"]
    assert by_title["Nachname"] == "'" + FORMULAS["last_name"]
    assert by_title["Organisation"] == "'" + FORMULAS["organisation"]
    assert by_title["Bemerkungen"] == "'" + FORMULAS["remarks"]
    sheet = load_workbook(io.BytesIO(xlsx_file.content)).active
    cells = {sheet.cell(1, column).value: sheet.cell(2, column) for column in range(1, sheet.max_column + 1)}
    # No formula cell, not even a number (empty cells, such as the phone here, are not written at all).
    assert {cell.data_type for cell in cells.values() if cell.value is not None} == {"s"}
    assert cells["Vorname"].value == "'" + FORMULAS["first_name"]
    assert cells["Bemerkungen"].value == "'" + FORMULAS["remarks"]

    created_at = (await saga.registration.fetch("SELECT created_at FROM registration"))[0]["created_at"]
    in_berlin = created_at.astimezone(ZoneInfo("Europe/Berlin")).strftime("%Y-%m-%d %H:%M")
    assert by_title["Angemeldet am"] == cells["Angemeldet am"].value == in_berlin


def test_registered_at_is_berlin_time_whatever_the_servers_zone():
    from uuid import uuid4

    from registration.domain.model import Registration, Status
    from registration.entrypoints.exports import as_rows

    session_id = uuid4()
    record = Registration(
        id=uuid4(), event_id=uuid4(), session_id=session_id, status=Status.confirmed, first_name="Jana",
        last_name="Muster", email="j@example.org", organisation="Muster GmbH", phone=None, remarks=None,
        language="de", rejection_reason=None, waitlist_sequence=None, cancelled_by=None,
        created_at=datetime.fromisoformat("2027-03-10T13:00:00+00:00"), decided_at=None, cancelled_at=None)
    [row] = as_rows([record], {session_id: "Themenforum"}, {})
    assert "2027-03-10 14:00" in row
