"""The emails' texts: Jinja2 files per message kind and language (`<language>/<kind>.subject.txt`,
`.txt`, `.html`), and an operator's folder whose files replace the built-in ones of the same path.

Undefined names fail loudly: a typo in an operator's template shows as the email's error in the
delivery log instead of an email with a hole in it.
"""

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined, select_autoescape

from treffpunkt_shared.contracts.delivery import EmailKind
from treffpunkt_shared.contracts.registration import Language
from treffpunkt_shared.local_time import BERLIN

BUILT_IN = Path(__file__).parent.parent / "templates"

# Written out rather than taken from the C locale, which a container rarely has for German.
_WEEKDAYS = {
    Language.de: ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"),
    Language.en: ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    Language.de: ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober",
                  "November", "Dezember"),
    Language.en: ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
                  "November", "December"),
}


def long_date(value: datetime, language: Language) -> str:
    local = value.astimezone(BERLIN)
    weekday, month = _WEEKDAYS[language][local.weekday()], _MONTHS[language][local.month - 1]
    if language is Language.de:
        return f"{weekday}, {local.day}. {month} {local.year}"
    return f"{weekday}, {local.day} {month} {local.year}"


def clock_time(value: datetime) -> str:
    return value.astimezone(BERLIN).strftime("%H:%M")


def period(starts_at: datetime, ends_at: datetime, language: Language) -> str:
    """'Mittwoch, 10. März 2027, 14:00–17:30 Uhr' (Europe/Berlin); both days in full if it spans two."""
    suffix = " Uhr" if language is Language.de else ""
    if starts_at.astimezone(BERLIN).date() == ends_at.astimezone(BERLIN).date():
        return f"{long_date(starts_at, language)}, {clock_time(starts_at)}–{clock_time(ends_at)}{suffix}"
    return (f"{long_date(starts_at, language)}, {clock_time(starts_at)}{suffix} – "
            f"{long_date(ends_at, language)}, {clock_time(ends_at)}{suffix}")


def short_datetime(value: datetime, language: Language) -> str:
    local = value.astimezone(BERLIN)
    return local.strftime("%d.%m.%Y, %H:%M") if language is Language.de else local.strftime("%Y-%m-%d %H:%M")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


class Templates:
    def __init__(self, override_dir: Path | None = None) -> None:
        folders = [override_dir, BUILT_IN] if override_dir else [BUILT_IN]
        loader = ChoiceLoader([FileSystemLoader(folder) for folder in folders])
        # One environment per language, so that the date filters speak it in macros too (an imported
        # macro does not see the caller's variables).
        self._environments = {language: _environment(loader, language) for language in Language}

    def render(self, kind: EmailKind, language: Language, context: dict[str, Any]) -> RenderedEmail:
        environment = self._environments[language]
        context = context | {"language": language.value}
        base = f"{language.value}/{kind.value}"
        subject = environment.get_template(f"{base}.subject.txt").render(context)
        return RenderedEmail(
            # One line whatever the template's layout: a header cannot hold a line break.
            subject=" ".join(subject.split()),
            text=_tidy(environment.get_template(f"{base}.txt").render(context)),
            html=environment.get_template(f"{base}.html").render(context),
        )


def _tidy(text: str) -> str:
    """Optional parts that are left out leave blank lines behind: one between paragraphs reads best."""
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def _environment(loader: ChoiceLoader, language: Language) -> Environment:
    environment = Environment(
        loader=loader,
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # The files are read once: checking each for changes cost three stat calls per email.
        auto_reload=False,
    )
    environment.filters.update(
        long_date=lambda value: long_date(value, language),
        period=lambda starts_at, ends_at: period(starts_at, ends_at, language),
        short_datetime=lambda value: short_datetime(value, language),
        clock_time=clock_time,
    )
    return environment
