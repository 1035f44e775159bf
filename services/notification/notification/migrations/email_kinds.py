"""The `email` table's CHECK on `kind`: a migration that adds a kind of email replaces the constraint (a CHECK
cannot be altered in place) and, going down, deletes the emails of that kind first. One list of the kinds in
the order the migrations added them, so that each migration names only its own kind."""

KINDS = ("confirmed", "waitlisted", "promoted", "rejected", "cancelled", "event_changed", "event_cancelled",
         "contact_notice", "contact_digest", "links", "reminder", "moved", "staff_message")


def _check(kinds: tuple[str, ...]) -> str:
    listed = ", ".join(f"'{kind}'" for kind in kinds)
    return f"ALTER TABLE email DROP CONSTRAINT email_kind_check;\n" \
           f"ALTER TABLE email ADD CONSTRAINT email_kind_check CHECK (kind IN ({listed}));\n"


def add_kind(kind: str) -> tuple[str, str]:
    """The upgrade's and the downgrade's SQL for the migration that adds `kind`."""
    before = KINDS[:KINDS.index(kind)]
    return _check((*before, kind)), f"DELETE FROM email WHERE kind = '{kind}';\n" + _check(before)
