"""When a contact person's notices go out.

`immediate`: the notices wait one window after the first of them, so that a rush of registrations
ends up in one email instead of hundreds; the next window starts with the next notice.
`daily`: one digest a day at the configured hour (Europe/Berlin) with what was waiting then; a
digest missed (the service was down at that hour) goes out as soon as it can.
"""

from datetime import date, datetime, time, timedelta

from treffpunkt_shared.local_time import BERLIN


def notice_due(first_noticed_at: datetime, now: datetime, window: timedelta) -> bool:
    return now >= first_noticed_at + window


def digest_time(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=BERLIN)


def digest_day(first_noticed_at: datetime, now: datetime, hour: int) -> date | None:
    """The day whose digest is due now for notices waiting since `first_noticed_at`, if any.

    Notices that came in after today's digest hour wait for tomorrow's digest.
    """
    today = now.astimezone(BERLIN).date()
    at = digest_time(today, hour)
    return today if now >= at and first_noticed_at < at else None
