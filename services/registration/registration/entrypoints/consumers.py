"""Which function handles which message here: the registration service's handler table (batches, inbox
and dead letters come from `treffpunkt_shared.messaging.consumer`). Every handler gets the links that
go into the outgoing events. A seat released on cancellation changes nothing here: the registration is
cancelled already. The notification service's delivery events are kept for the registrant's "my data" page."""

from treffpunkt_shared import catalog_copy
from treffpunkt_shared.contracts.catalog import EventSaved
from treffpunkt_shared.contracts.delivery import EmailFailed, EmailSent
from treffpunkt_shared.contracts.seats import SeatAllocated, SeatMoved, SeatMoveRefused, SeatRejected, SeatWaitlisted
from treffpunkt_shared.contracts.staff import MachineTokenSaved
from treffpunkt_shared.messaging.consumer import HandlerTable
from treffpunkt_shared.staff_access import save_machine_tokens

from ..service_layer import decisions, emails_sent

HANDLERS: HandlerTable = {
    EventSaved: catalog_copy.save_events,
    SeatAllocated: decisions.allocated,
    SeatWaitlisted: decisions.waitlisted,
    SeatRejected: decisions.rejected,
    SeatMoved: decisions.moved,
    SeatMoveRefused: decisions.move_refused,
    MachineTokenSaved: save_machine_tokens,
    EmailSent: emails_sent.record_delivery,
    EmailFailed: emails_sent.record_delivery,
}
