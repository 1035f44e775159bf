"""Participant lists as files: CSV that Excel opens with umlauts intact, and XLSX (openpyxl).

Every value comes from a registrant, and staff open these files in Excel or LibreOffice: a value
that a spreadsheet would read as a formula (`=HYPERLINK(...)`, `@SUM(...)`, `+1+cmd|...`) is
written with a leading `'`, as OWASP advises against CSV injection, and XLSX cells are written as
strings explicitly (openpyxl would otherwise store `=...` as a live formula)."""

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict

from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING

from treffpunkt_shared.local_time import BERLIN

from ..domain.model import Registration

COLUMNS = (
    ("Nachname", "last_name"), ("Vorname", "first_name"), ("Organisation", "organisation"),
    ("E-Mail", "email"), ("Telefon", "phone"), ("Sitzung", "session"), ("Status", "status"),
    ("Warteliste", "waitlist_position"), ("Angemeldet am", "registered_at"), ("Bemerkungen", "remarks"),
)
# What makes a spreadsheet read a cell as a formula (or, after a tab or carriage return, what Excel trims to one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def as_rows(registrations: Sequence[Registration], session_titles: dict, positions: dict) -> list[list[str]]:
    rows = []
    for r in registrations:
        values = {
            **asdict(r),
            "status": r.status.value,
            "session": session_titles.get(r.session_id, str(r.session_id)),
            "waitlist_position": positions.get(r.id),
            # The time of the people who read the list, not the server's.
            "registered_at": r.created_at.astimezone(BERLIN).strftime("%Y-%m-%d %H:%M"),
        }
        rows.append([neutralised(values.get(key)) for _, key in COLUMNS])
    return rows


def to_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    # Semicolons: what Excel expects for CSV in German locales.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([title for title, _ in COLUMNS])
    writer.writerows(rows)
    # The BOM tells Excel the file is UTF-8 (else it guesses Windows-1252 and breaks umlauts).
    return "\ufeff".encode() + buffer.getvalue().encode()


def to_xlsx(rows: list[list[str]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Anmeldungen"
    for row_number, row in enumerate([[title for title, _ in COLUMNS], *rows], start=1):
        for column_number, value in enumerate(row, start=1):
            cell = sheet.cell(row=row_number, column=column_number, value=value)
            # A string cell whatever the text: openpyxl infers a formula from a leading `=`.
            cell.data_type = TYPE_STRING
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
