"""The one time zone in which people read times: Europe/Berlin, where the events take place. Pages,
emails, calendar files and exports show times in it, whatever the server's zone (containers run in UTC).
The catalog's events carry no zone of their own."""

from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")
