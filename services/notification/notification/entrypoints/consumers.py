"""Which function handles which message here: the notification service's handler table (batches, inbox
and dead letters come from `treffpunkt_shared.messaging.consumer`). Every handler gets the
`HandlerDependencies`. A request for a seat is nobody's email yet; the catalog's other messages reach
the local copy inside the event snapshots."""

from treffpunkt_shared.contracts.catalog import EventSaved
from treffpunkt_shared.contracts.registration import (
    LinksRequested,
    RegistrationCancelled,
    RegistrationConfirmed,
    RegistrationErased,
    RegistrationMoved,
    RegistrationPromoted,
    RegistrationRejected,
    RegistrationWaitlisted,
    StaffMessageToParticipant,
)
from treffpunkt_shared.contracts.staff import MachineTokenSaved
from treffpunkt_shared.messaging.consumer import HandlerTable
from treffpunkt_shared.staff_access import save_machine_tokens

from ..service_layer import erasure, event_changes, links, registrations, staff_messages

HANDLERS: HandlerTable = {
    RegistrationConfirmed: registrations.record_outcomes,
    RegistrationWaitlisted: registrations.record_outcomes,
    RegistrationRejected: registrations.record_outcomes,
    RegistrationPromoted: registrations.record_outcomes,
    RegistrationCancelled: registrations.record_outcomes,
    RegistrationMoved: registrations.record_outcomes,
    LinksRequested: links.send_links,
    StaffMessageToParticipant: staff_messages.send_staff_messages,
    RegistrationErased: erasure.erase_registrations,
    EventSaved: event_changes.apply_events_saved,
    MachineTokenSaved: save_machine_tokens,
}
