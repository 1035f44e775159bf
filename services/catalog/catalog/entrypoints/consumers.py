"""Which function handles which message here: the catalog's handler table (batches, inbox and dead
letters come from `treffpunkt_shared.messaging.consumer`). The registration service's outcomes on the
same topic are not the catalog's business."""

from treffpunkt_shared.contracts.registration import (
    RegistrationCancelled,
    RegistrationErased,
    RegistrationMoveRequested,
    RegistrationRequested,
)
from treffpunkt_shared.contracts.staff import MachineTokenSaved
from treffpunkt_shared.messaging.consumer import HandlerTable
from treffpunkt_shared.staff_access import save_machine_tokens

from ..service_layer import allocation

HANDLERS: HandlerTable = {
    RegistrationRequested: allocation.decide_requests,
    RegistrationCancelled: allocation.release_cancelled,
    RegistrationMoveRequested: allocation.move_requested,
    MachineTokenSaved: save_machine_tokens,
    RegistrationErased: allocation.release_erased,
}
