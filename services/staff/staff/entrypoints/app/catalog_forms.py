"""The catalog's forms, described once per thing (its fields, in order) and drawn by one template
(`app/catalog/form.html`): from a catalog object to what the form shows, from what was sent to the catalog's
request body, and back with the field errors in the user's words when it refuses (422). What the form sends is
shown again as typed, so that nothing is lost when one field is wrong.

A field's `name` is the catalog's name for it (a nested one with a dot, `reminder.days_before`), so the
catalog's 422 `loc` names the field it is about. Times are typed in Berlin time (`datetime-local`, no zone)
and sent as aware ISO times."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi.responses import HTMLResponse, RedirectResponse
from starlette.datastructures import FormData

from treffpunkt_shared.local_time import BERLIN

from ...adapters.service_calls import ServiceRefused
from ..app_page import StaffPage

LOCAL_INPUT = "%Y-%m-%dT%H:%M"  # what a datetime-local input holds

# Inputs of one line, by kind, with the input type they get.
INPUT_TYPES = {"text": "text", "email": "email", "tel": "tel", "url": "url", "number": "number", "time": "time",
               "datetime": "datetime-local"}


@dataclass(frozen=True)
class FormField:
    """One field of a catalog form. kind: text, email, tel, url, number, time, datetime (one line); textarea;
    lines (a textarea, one list item a line); select, checkboxes (choices from the page's `options[name]`);
    flag (one checkbox, true or false)."""

    name: str
    kind: str = "text"
    required: bool = False
    empty: Any = None  # what an empty field means to the catalog (None clears it; "" for texts that are never null)
    omit_empty: bool = False  # an empty field is left out: the catalog's default, or unchanged in an edit
    autocomplete: str | None = None

    @property
    def input_type(self) -> str | None:
        return INPUT_TYPES.get(self.kind)

    @property
    def several(self) -> bool:
        return self.kind in ("checkboxes", "flag")


def shown(fields: Sequence[FormField], item: Mapping[str, Any], ids_of: Mapping[str, str] | None = None
          ) -> dict[str, Any]:
    """What the form shows for a catalog object: texts, and lists of ids for checkboxes. `ids_of`: fields that
    take the ids of a list of objects that the catalog answers with (`organiser_ids` of `organisers`)."""
    values: dict[str, Any] = {}
    for spec in fields:
        value: Any = item
        if ids_of and spec.name in ids_of:
            value = [listed["id"] for listed in item[ids_of[spec.name]]]
        else:
            for part in spec.name.split("."):
                value = value.get(part) if isinstance(value, Mapping) else None
        if spec.several:
            values[spec.name] = (["on"] if value else []) if spec.kind == "flag" else [str(v) for v in value or ()]
        elif value is None:
            values[spec.name] = ""
        elif spec.kind == "datetime":
            values[spec.name] = datetime.fromisoformat(value).astimezone(BERLIN).strftime(LOCAL_INPUT)
        elif spec.kind == "lines":
            values[spec.name] = "\n".join(value)
        else:
            values[spec.name] = str(value)
    return values


def sent(fields: Sequence[FormField], form: FormData) -> dict[str, Any]:
    """What the form sent, as typed (to show it again)."""
    return {spec.name: form.getlist(spec.name) if spec.several else str(form.get(spec.name) or "")
            for spec in fields}


def request_body(fields: Sequence[FormField], values: Mapping[str, Any], t: Mapping[str, str]
                 ) -> tuple[dict[str, Any], dict[str, str], bool]:
    """The catalog's request body for what was typed; the errors found before asking the catalog (a required
    value missing, a number that is none, a time without its date or clock time), in the user's words; and
    whether to ask the catalog all the same. It is asked when each such error is in a required field (sent as
    null, which the catalog refuses), so that its errors for the other fields are shown at the same time."""
    body: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for spec in fields:
        raw = values[spec.name]
        value: Any
        if spec.several:
            value = bool(raw) if spec.kind == "flag" else list(raw)
        elif not raw.strip():
            if spec.required:
                errors[spec.name] = t["error.missing"]
            elif spec.omit_empty:
                continue
            value = [] if spec.kind == "lines" else spec.empty
        else:
            value = _converted(spec, raw)
            if value is None:
                errors[spec.name] = t["error.int_parsing" if spec.kind == "number" else "error.datetime_parsing"]
        *outer, last = spec.name.split(".")
        target = body
        for part in outer:
            target = target.setdefault(part, {})
        target[last] = value
    required = {spec.name for spec in fields if spec.required}
    return body, errors, set(errors) <= required


def _converted(spec: FormField, raw: str) -> Any:
    """A typed value as the catalog takes it; None for a number or time that is none."""
    if spec.kind == "number":
        try:
            return int(raw)
        except ValueError:
            return None
    if spec.kind == "datetime":
        try:
            return datetime.strptime(raw.strip(), LOCAL_INPUT).replace(tzinfo=BERLIN).isoformat()
        except ValueError:
            return None
    if spec.kind == "lines":
        return [line.strip() for line in raw.splitlines() if line.strip()]
    return raw if spec.kind == "textarea" else raw.strip()


@dataclass(frozen=True)
class CatalogForm:
    """A form page: its fields, the texts of its heading and button (keys), where it is sent and where to go back."""

    fields: Sequence[FormField]
    title: str  # a text key
    button: str  # a text key
    action: str
    back: str
    intro: str | None = None  # a text key

    def render(self, page: StaffPage, values: Mapping[str, Any], options: Mapping[str, Any] | None = None,
               errors: Mapping[str, str] | None = None) -> HTMLResponse:
        labels = {spec.name: page.t[f"catalog.{spec.name}"] for spec in self.fields}
        return page.render("app/catalog/form.html", status_code=422 if errors else 200, form=self,
                           heading=page.t[self.title], values=values, options=options or {},
                           errors=errors or {}, labels=labels)

    async def submit(self, page: StaffPage, method: str, path: str, done: str, notice: str,
                     options: Mapping[str, Any] | None = None,
                     check: Callable[[dict[str, Any]], dict[str, str]] | None = None
                     ) -> HTMLResponse | RedirectResponse:
        """Send what was typed to the catalog (`method` on `path`); then to `done` (its `{id}`, `{event_id}`: the
        answer's)
        with the notice, or the form again with what is wrong. `check(body)`: errors to find before, which the
        catalog would not say as such (then it is not asked)."""
        values = sent(self.fields, await page.request.form())
        body, errors, ask = request_body(self.fields, values, page.t)
        checked = check(body) if check is not None else {}
        if ask and not checked:
            try:
                answer = await page.calls.call(method, "catalog", path, json=body)
            except ServiceRefused as refused:
                if refused.status != 422:
                    raise
                errors = page.field_errors(refused) | errors  # ours say more (e.g. "missing" for a null)
            else:
                return page.redirect(done.format(**answer), notice=notice)
        errors |= checked
        return self.render(page, values, options, errors)


def choices(items: Sequence[Mapping[str, Any]], text: str = "name") -> list[tuple[str, str]]:
    """(id, text) pairs for a select or checkboxes."""
    return [(str(item["id"]), item[text]) for item in items]
