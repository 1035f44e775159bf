"""Rendering a queued email from the local data as it is when the email goes out: the registration
as last heard of, the event and session from the local copy of the catalog, the fill levels."""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from typing import Any
from uuid import UUID

import asyncpg

from treffpunkt_shared.catalog_copy import get_event
from treffpunkt_shared.contracts.catalog import ContactPerson, Event, Session
from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import Language, staff_message_subject

from ..adapters import catalog, contact_notices, registrations
from ..adapters.calendar_file import CalendarEntry, calendar_file
from ..adapters.emails import QueuedEmail
from ..adapters.mime import CalendarAttachment, OutgoingEmail, mime_message
from ..adapters.registrations import FillLevel, KnownRegistration
from ..adapters.templates import Templates
from ..domain.model import CalendarMethod, calendar_uid, session_of
from ..domain.reminders import reminder_withdrawn
from ..settings import NotificationSettings

_CALENDAR_FILENAMES = {Language.de: "termin.ics", Language.en: "event.ics"}
_TO_CONTACT_PERSONS = (EmailKind.contact_notice, EmailKind.contact_digest)
# The database being away is no fault of an email's: it is raised, not reported as the email's failure.
DATABASE_AWAY = (OSError, asyncpg.PostgresError, asyncpg.InterfaceError)


class NotRenderableYet(Exception):
    """The local data the email needs has not arrived (yet); a later attempt may find it."""


class ReminderWithdrawn(Exception):
    """A reminder that no longer applies when it is to go out: it is not sent, and the delivery log says why."""


@dataclass(frozen=True)
class NoticeLine:
    happened: EmailKind
    participant: KnownRegistration
    noticed_at: datetime


@dataclass(frozen=True)
class SessionNotices:
    event: Event
    session: Session
    lines: list[NoticeLine]


@dataclass(frozen=True)
class SessionFill:
    event: Event
    session: Session
    fill: FillLevel


class Composer:
    def __init__(self, templates: Templates, settings: NotificationSettings) -> None:
        self._templates = templates
        self._settings = settings
        self._sender = settings.sender

    async def compose_many(self, conn: asyncpg.Connection, emails: Sequence[QueuedEmail], *, now: datetime
                           ) -> list[OutgoingEmail | Exception]:
        """Each email ready to send, or why it is not (`NotRenderableYet`, a template an operator broke, an
        address no server takes). The registrations and events of the registrants' emails are read once for
        all of them."""
        to_registrants = [email for email in emails if email.kind not in _TO_CONTACT_PERSONS]
        people = await registrations.get_many(conn, [email.registration_id for email in to_registrants
                                                     if email.registration_id is not None])
        events = {event_id: await get_event(conn, event_id)
                  for event_id in {email.event_id for email in to_registrants if email.event_id is not None}}
        composed: list[OutgoingEmail | Exception] = []
        for email in emails:
            try:
                if email.kind in _TO_CONTACT_PERSONS:
                    context, reply_to, calendar = await self._contact_context(conn, email, now), None, None
                elif email.kind is EmailKind.links:
                    context, reply_to, calendar = self._links_context(
                        email, events.get(email.event_id) if email.event_id else None), None, None
                elif email.kind is EmailKind.staff_message:
                    context, calendar = self._staff_message_context(
                        email, events.get(email.event_id) if email.event_id else None), None
                    reply_to = _reply_to(context["contacts"])
                else:
                    context, reply_to, calendar = self._registrant_context(
                        email, people.get(email.registration_id) if email.registration_id else None,
                        events.get(email.event_id) if email.event_id else None, now)
                composed.append(self._message(email, context, reply_to, calendar, now))
            except DATABASE_AWAY:
                raise
            except Exception as exc:
                composed.append(exc)
        return composed

    def _message(self, email: QueuedEmail, context: dict[str, Any], reply_to: Address | None,
                 calendar: CalendarAttachment | None, now: datetime) -> OutgoingEmail:
        rendered = self._templates.render(email.kind, email.language, context)
        return mime_message(
            rendered,
            sender=self._sender,
            recipient=Address(display_name=email.recipient_name, addr_spec=email.recipient),
            reply_to=reply_to,
            message_id=email.message_id,
            language=email.language.value,
            date=now,
            calendar=calendar,
        )

    def _registrant_context(self, email: QueuedEmail, registration: KnownRegistration | None, event: Event | None,
                            now: datetime) -> tuple[dict[str, Any], Address | None, CalendarAttachment | None]:
        session = session_of(event, registration.session_id if registration else None)
        if registration is None or event is None or session is None:
            raise NotRenderableYet(f"event {email.event_id} or its session is not in the local copy of the catalog")
        if email.kind is EmailKind.reminder and (reason := reminder_withdrawn(registration.status, event, now)):
            raise ReminderWithdrawn(f"not sent: {reason}")
        details = email.details
        context = {
            "participant": registration,
            "event": event,
            "session": session,
            "contacts": session.contact_persons,
            "details": details,
            "previous": _previous(details),
            "data_url": registration.data_url,
        }
        reply_to = _reply_to(session.contact_persons)
        calendar = None
        if "calendar_sequence" in details:
            method = CalendarMethod(details["calendar_method"])
            entry = CalendarEntry(
                uid=calendar_uid(registration.id, self._settings.sender_domain),
                sequence=details["calendar_sequence"],
                method=method,
                event=event,
                session=session,
                organizer=self._sender,
                attendee=Address(display_name=registration.name, addr_spec=registration.email),
                description=f"{session.title}\n\n{registration.status_url}",
            )
            calendar = CalendarAttachment(calendar_file(entry, stamp=now), method, _CALENDAR_FILENAMES[email.language])
        return context, reply_to, calendar

    def _links_context(self, email: QueuedEmail, event: Event | None) -> dict[str, Any]:
        # From the request itself, not the registration as last heard of: a registration still waiting
        # for its seat decision is not known here yet, and its links are no less valid.
        session = session_of(event, UUID(email.details["session_id"]))
        if event is None or session is None:
            raise NotRenderableYet(f"event {email.event_id} or its session is not in the local copy of the catalog")
        return {"name": email.recipient_name, "event": event, "session": session, "contacts": session.contact_persons,
                "details": email.details, "data_url": email.details.get("data_url")}

    def _staff_message_context(self, email: QueuedEmail, event: Event | None) -> dict[str, Any]:
        # The message and the recipient as the registration service sent them; the event as it is now.
        context = self._links_context(email, event)
        return context | {"subject_line": staff_message_subject(context["event"].title, email.details["subject"]),
                          "body": email.details["body"]}

    async def _contact_context(self, conn: asyncpg.Connection, email: QueuedEmail, now: datetime) -> dict[str, Any]:
        notices = await contact_notices.carried_by(conn, email.id)
        people = await registrations.get_many(conn, [n.registration_id for n in notices])
        events = {event_id: await get_event(conn, event_id) for event_id in {n.event_id for n in notices}}
        grouped: dict[tuple[UUID, UUID], list[NoticeLine]] = defaultdict(list)
        for notice in notices:
            grouped[(notice.event_id, notice.session_id)].append(
                NoticeLine(notice.happened, people[notice.registration_id], notice.noticed_at))
        groups = []
        for (event_id, session_id), lines in grouped.items():
            event = events[event_id]
            session = session_of(event, session_id)
            if event is None or session is None:
                raise NotRenderableYet(f"event {event_id} or its session {session_id} is not in the local copy of the catalog")
            groups.append(SessionNotices(event, session, lines))
        groups.sort(key=lambda g: (g.event.starts_at, g.session.position))
        context: dict[str, Any] = {
            "contact_name": email.recipient_name,
            "groups": groups,
            "count": len(notices),
            "event_titles": list(dict.fromkeys(g.event.title for g in groups)),
        }
        if email.kind is EmailKind.contact_digest:
            sessions = await catalog.sessions_of_contact_person(conn, UUID(email.details["contact_person_id"]), now)
            levels = await registrations.fill_levels(conn, [s.id for _, s in sessions])
            context["sessions"] = [SessionFill(event, session, levels[session.id]) for event, session in sessions]
        return context


def _reply_to(contacts: Sequence[ContactPerson]) -> Address | None:
    """A reply to a registrant's email reaches the session's first contact person, if it names one."""
    return Address(display_name=contacts[0].name, addr_spec=contacts[0].email) if contacts else None


def _previous(details: dict[str, Any]) -> dict[str, Any] | None:
    """When and where an event was to be before it moved (see `EventChange.details`)."""
    previous = details.get("previous")
    if previous is None:
        return None
    return previous | {key: datetime.fromisoformat(previous[key]) for key in ("starts_at", "ends_at")}
