"""The staff service's handler table: it consumes nothing (it publishes machine tokens' state on
staff.token.v1 through its outbox, and calls no one)."""

from treffpunkt_shared.messaging.consumer import HandlerTable

HANDLERS: HandlerTable = {}
