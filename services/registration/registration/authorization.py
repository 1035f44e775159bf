"""Who may see and change which registrations: the registration service's staff rules, decided from its copy
of the catalog (an event's organisers, its sessions' contact persons).

- An admin, and an organiser of the event, see all of its registrations and may cancel them and move them to
  another of its sessions.
- A contact person sees the registrations of the sessions that name them (the lists, each one with its
  history), nothing else, and cancels and moves none.
- Erasing a person's data on their request: as cancelling (admins all registrations, an organiser their
  events'); by email address, each erases those in their reach, and contact persons none.
- Writing to participants (staff messages) is as cancelling: admins and the event's organisers.
"""

from dataclasses import dataclass
from uuid import UUID

from treffpunkt_shared.contracts.catalog import Event
from treffpunkt_shared.staff_access import Principal, forbidden


@dataclass(frozen=True)
class Visible:
    """The registrations of an event a principal may see: all, or those of `session_ids`."""

    all_sessions: bool
    session_ids: frozenset[UUID]

    def covers(self, session_id: UUID) -> bool:
        return self.all_sessions or session_id in self.session_ids


def manages(principal: Principal, event: Event) -> bool:
    """Admin, or organiser of the event."""
    return principal.is_admin or principal.organises(o.id for o in event.organisers)


def visible_registrations(principal: Principal, event: Event, session_id: UUID | None) -> Visible:
    """What `principal` may list of `event`'s registrations (`session_id`: the list asked for); else 403."""
    if manages(principal, event):
        return Visible(True, frozenset())
    mine = frozenset(s.id for s in event.sessions if principal.is_contact_among(c.id for c in s.contact_persons))
    if not mine:
        raise forbidden("see this event's registrations")
    if session_id is not None and session_id not in mine:
        raise forbidden("see this session's registrations (you are a contact person of other sessions)")
    return Visible(False, mine)


def may_see(principal: Principal, event: Event, session_id: UUID) -> None:
    """One registration (of `session_id`): as the lists show it; else 403."""
    if not visible_registrations(principal, event, None).covers(session_id):
        raise forbidden("see this registration (you are a contact person of other sessions)")


def may_cancel(principal: Principal, event: Event) -> None:
    _must_manage(principal, event, "cancel registrations of this event")


def may_move(principal: Principal, event: Event) -> None:
    _must_manage(principal, event, "move registrations of this event to another session")


def _must_manage(principal: Principal, event: Event, what: str) -> None:
    if not manages(principal, event):
        raise forbidden(what)


def may_erase(principal: Principal, event: Event) -> None:
    _must_manage(principal, event, "erase registrations of this event")


def may_erase_by_address(principal: Principal) -> None:
    """Admins and organisers ask; what is erased is then `erasable_events`' part of the address's registrations."""
    if not (principal.is_admin or principal.organisations):
        raise forbidden("erase registrations (only admins and organisers may)")


def erasable_events(principal: Principal, event: Event | None) -> bool:
    """Whether `principal` erases the registrations of `event` (None: no longer in the catalog copy, admins)."""
    return principal.is_admin or (event is not None and manages(principal, event))


def may_write_to_participants(principal: Principal, event: Event) -> None:
    """Writing to an event's participants, and seeing what was written: as cancelling (a contact person may not)."""
    _must_manage(principal, event, "write to this event's participants")
