"""Participant lists as files: CSV that Excel opens with umlauts intact, and XLSX (openpyxl)."""

import csv
import io
from collections.abc import Sequence
from dataclasses import asdict

from openpyxl import Workbook

from ..domain.model import Registration

COLUMNS = (
    ("Nachname", "last_name"), ("Vorname", "first_name"), ("Organisation", "organisation"),
    ("E-Mail", "email"), ("Telefon", "phone"), ("Sitzung", "session"), ("Status", "status"),
    ("Warteliste", "waitlist_position"), ("Angemeldet am", "registered_at"), ("Bemerkungen", "remarks"),
)


def as_rows(registrations: Sequence[Registration], session_titles: dict, positions: dict) -> list[list]:
    rows = []
    for r in registrations:
        values = {
            **asdict(r),
            "status": r.status.value,
            "session": session_titles.get(r.session_id, str(r.session_id)),
            "waitlist_position": positions.get(r.id),
            "registered_at": r.created_at.astimezone().strftime("%Y-%m-%d %H:%M"),
        }
        rows.append([values.get(key) if values.get(key) is not None else "" for _, key in COLUMNS])
    return rows


def to_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    # Semicolons: what Excel expects for CSV in German locales.
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([title for title, _ in COLUMNS])
    writer.writerows(rows)
    # The BOM tells Excel the file is UTF-8 (else it guesses Windows-1252 and breaks umlauts).
    return "\ufeff".encode() + buffer.getvalue().encode()


def to_xlsx(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Anmeldungen"
    sheet.append([title for title, _ in COLUMNS])
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
