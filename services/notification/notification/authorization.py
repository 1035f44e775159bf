"""Who may read which delivery logs and see or set which contact person's preference: the notification
service's staff rules, decided from its own data (the registrations it knows with their events, its copy of
the catalog: an event's organisers, the contact persons its sessions list with their organisations).

- A registration's delivery log: admins, the organisers of its event, the contact persons of its session (as
  the registration service shows them the registration). A recipient's: admins only (an
  address may have mail from any organisation's events).
- A contact person's preference: admins, the person themself, the organisers of the person's organisation.
"""

from uuid import UUID

import asyncpg

from treffpunkt_shared.catalog_copy import event_organisers, get_event
from treffpunkt_shared.staff_access import Principal, forbidden

from .adapters import catalog, emails, registrations
from .domain.model import session_of


async def require_delivery_log_reader(pool: asyncpg.Pool, principal: Principal, registration_id: UUID | None) -> None:
    if principal.is_admin:
        return
    if registration_id is None:
        raise forbidden("read a recipient's delivery log (give registration_id of a registration of your event)")
    event_id = await emails.event_of_registration(pool, registration_id)
    organisers = await event_organisers(pool, event_id) if event_id is not None else None
    if principal.organises(organisers or []):
        return
    # As the registration service shows the registration: also to the contact persons of its session.
    known = await registrations.get(pool, registration_id)
    session = session_of(await get_event(pool, known.event_id), known.session_id) if known is not None else None
    if session is None or not principal.is_contact_among(c.id for c in session.contact_persons):
        raise forbidden("read the delivery log of this registration")


async def require_preference_manager(pool: asyncpg.Pool, principal: Principal, contact_person_id: UUID) -> None:
    """Admin, the contact person, an organiser of their organisation."""
    if principal.is_admin or contact_person_id in principal.contact_persons:
        return
    organisation_id = await catalog.contact_person_organisation(pool, contact_person_id)
    if organisation_id is None or not principal.organises([organisation_id]):
        raise forbidden("see or set this contact person's notice preference")
