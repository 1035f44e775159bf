"""The catalog's events and their sessions: the list (filtered by status), an event's page (its facts, its
sessions' fill levels, the ways on to its participants, messages and audit), the forms to add and change events
and sessions, and the status steps (publish, close, cancel), each first a page saying what it will cause.

Everything through the catalog's staff API with the account's token; the catalog decides (its 403 and 409
become the shell's pages). The pages only leave out what the account cannot use: changes are for admins and
the event's organisers."""

from collections.abc import Callable
from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from treffpunkt_shared.contracts.catalog import DEFAULT_REMINDER_DAYS_BEFORE, DEFAULT_REMINDER_LOCAL_TIME, EventStatus

from ..app_page import FormDep, PageDep, StaffPage
from .catalog_forms import CatalogForm, FormField, choices, shown
from .catalog_pages import manages_event, organised

router = APIRouter(include_in_schema=False)

# The steps the catalog allows from each status (`catalog.domain.status`), to offer only those; the catalog
# still decides each one (409 when the event moved on meanwhile).
STEPS: dict[str, list[str]] = {
    EventStatus.draft: ["publish", "cancel"],
    EventStatus.published: ["close", "cancel"],
    EventStatus.closed: ["publish", "cancel"],
    EventStatus.cancelled: [],
}
# Registrations that hold a seat or a place, or wait for one: those whom a cancellation emails.
ACTIVE_REGISTRATIONS = {"pending", "confirmed", "waitlisted"}

EVENT_FIELDS = [
    FormField("title", required=True),
    FormField("description", "textarea", empty=""),
    FormField("organiser_ids", "checkboxes"),
    FormField("programme_id", "select"),
    FormField("venue_name", required=True),
    FormField("venue_address", "textarea", empty=""),
    FormField("starts_at", "datetime", required=True),
    FormField("ends_at", "datetime", required=True),
    FormField("registration_deadline", "datetime", required=True),
    FormField("what_to_bring", "textarea"),
    FormField("retention_days", "number", omit_empty=True),
    FormField("reminder.enabled", "flag"),
    FormField("reminder.days_before", "number", omit_empty=True),
    FormField("reminder.local_time", "time", omit_empty=True),
]

SESSION_FIELDS = [
    FormField("title", required=True),
    FormField("description", "textarea", empty=""),
    FormField("capacity", "number", required=True),
    FormField("waitlist_size", "number", omit_empty=True),
    FormField("contact_person_ids", "checkboxes"),
]


async def _event_options(page: StaffPage) -> dict[str, Any]:
    organisations = await page.calls.get("catalog", "/api/staff/organisations")
    programmes = await page.calls.get("catalog", "/api/staff/programmes")
    return {"organiser_ids": choices(organisations), "programme_id": choices(programmes, "title")}


def _one_of_mine(page: StaffPage) -> Callable[[dict[str, Any]], dict[str, str]]:
    """An organiser's event must stay one of her organisations' (else the catalog refuses it, or she loses it)."""
    def check(body: dict[str, Any]) -> dict[str, str]:
        if page.who.account.is_admin or organised(page) & set(body.get("organiser_ids", [])):
            return {}
        return {"organiser_ids": page.t["error.organiser_ids.yours"]}
    return check


def _event_form(action: str, title: str, back: str) -> CatalogForm:
    return CatalogForm(EVENT_FIELDS, title, "catalog_save", action, back, intro="event_intro")


NEW_EVENT = _event_form("/events/new", "event_new", "/events")


@router.get("/events", response_class=HTMLResponse)
async def events(page: PageDep, status: str | None = None) -> HTMLResponse:
    chosen = status if status in STEPS else None
    listed = await page.calls.get("catalog", "/api/staff/events", params={"status": [chosen]} if chosen else None)
    may_add = page.who.account.is_admin or bool(organised(page))
    return page.render("app/catalog/events.html", events=listed, status=chosen, statuses=list(STEPS),
                       may_add=may_add)


@router.get("/events/new", response_class=HTMLResponse)
async def new_event(page: PageDep) -> HTMLResponse:
    values = shown(EVENT_FIELDS, {"organiser_ids": sorted(organised(page)), "reminder": {
        "enabled": True, "days_before": DEFAULT_REMINDER_DAYS_BEFORE, "local_time": DEFAULT_REMINDER_LOCAL_TIME}})
    return NEW_EVENT.render(page, values, await _event_options(page))


@router.post("/events/new", response_class=HTMLResponse)
async def create_event(page: FormDep) -> Response:
    return await NEW_EVENT.submit(page, "POST", "/api/staff/events", "/events/{id}", "event_created",
                                  await _event_options(page), check=_one_of_mine(page))


@router.get("/events/{event_id}", response_class=HTMLResponse)
async def event_page(event_id: UUID, page: PageDep) -> HTMLResponse:
    event = await page.calls.get("catalog", f"/api/staff/events/{event_id}")
    programme = None
    if event["programme_id"]:
        programme = await page.calls.get("catalog", f"/api/staff/programmes/{event['programme_id']}")
    manages = manages_event(page, event)
    return page.render("app/catalog/event.html", event=event, programme=programme, manages=manages,
                       steps=STEPS[event["status"]] if manages else [])


def _edit_event_form(event_id: UUID) -> CatalogForm:
    return _event_form(f"/events/{event_id}/edit", "event_edit", f"/events/{event_id}")


@router.get("/events/{event_id}/edit", response_class=HTMLResponse)
async def edit_event(event_id: UUID, page: PageDep) -> HTMLResponse:
    event = await page.calls.get("catalog", f"/api/staff/events/{event_id}")
    return _edit_event_form(event_id).render(page, shown(EVENT_FIELDS, event, {"organiser_ids": "organisers"}),
                                             await _event_options(page))


@router.post("/events/{event_id}/edit", response_class=HTMLResponse)
async def change_event(event_id: UUID, page: FormDep) -> Response:
    return await _edit_event_form(event_id).submit(page, "PATCH", f"/api/staff/events/{event_id}", "/events/{id}",
                                                   "event_changed", await _event_options(page),
                                                   check=_one_of_mine(page))


# The status steps: a page saying what the step causes, then the step.


async def _consequences(page: StaffPage, event: dict[str, Any], step: str) -> list[str]:
    t = page.t
    if step == "publish":
        key = "confirm.reopen" if event["status"] == EventStatus.closed else "confirm.publish"
        return [t[key].format(deadline=page.local(event["registration_deadline"]))]
    if step == "close":
        return [t["confirm.close"], t["confirm.close_kept"]]
    registrations = await page.calls.get("registration", f"/api/staff/events/{event['id']}/registrations")
    active = sum(1 for r in registrations if r["status"] in ACTIVE_REGISTRATIONS)
    return [t["confirm.cancel_emails"].format(count=active), t["confirm.cancel_final"]]


def _step_pages(step: str) -> None:
    async def confirm(event_id: UUID, page: PageDep) -> HTMLResponse:
        event = await page.calls.get("catalog", f"/api/staff/events/{event_id}")
        return page.render("app/catalog/confirm.html", event=event, step=step,
                           consequences=await _consequences(page, event, step))

    async def take(event_id: UUID, page: FormDep) -> RedirectResponse:
        await page.calls.post("catalog", f"/api/staff/events/{event_id}/{step}")
        return page.redirect(f"/events/{event_id}", notice=f"event_{step}")

    router.add_api_route(f"/events/{{event_id}}/{step}", confirm, methods=["GET"], response_class=HTMLResponse,
                         name=f"confirm_{step}")
    router.add_api_route(f"/events/{{event_id}}/{step}", take, methods=["POST"], name=step)


for _step in ("publish", "close", "cancel"):
    _step_pages(_step)


# Sessions


async def _session_options(page: StaffPage) -> dict[str, Any]:
    people = await page.calls.get("catalog", "/api/staff/contact-persons")
    return {"contact_person_ids": [(p["id"], f"{p['name']} ({p['organisation_name']})") for p in people]}


def _new_session_form(event_id: UUID) -> CatalogForm:
    return CatalogForm(SESSION_FIELDS, "session_new", "catalog_save", f"/events/{event_id}/sessions/new",
                       f"/events/{event_id}", intro="session_intro")


def _edit_session_form(session: dict[str, Any]) -> CatalogForm:
    return CatalogForm(SESSION_FIELDS, "session_edit", "catalog_save", f"/sessions/{session['id']}/edit",
                       f"/events/{session['event_id']}", intro="session_intro")


@router.get("/events/{event_id}/sessions/new", response_class=HTMLResponse)
async def new_session(event_id: UUID, page: PageDep) -> HTMLResponse:
    await page.calls.get("catalog", f"/api/staff/events/{event_id}")  # there, and the account may see it
    return _new_session_form(event_id).render(page, shown(SESSION_FIELDS, {}), await _session_options(page))


@router.post("/events/{event_id}/sessions/new", response_class=HTMLResponse)
async def add_session(event_id: UUID, page: FormDep) -> Response:
    return await _new_session_form(event_id).submit(page, "POST", f"/api/staff/events/{event_id}/sessions",
                                                    "/events/{event_id}", "session_added",
                                                    await _session_options(page))


@router.get("/sessions/{session_id}/edit", response_class=HTMLResponse)
async def edit_session(session_id: UUID, page: PageDep) -> HTMLResponse:
    session = await page.calls.get("catalog", f"/api/staff/sessions/{session_id}")
    values = shown(SESSION_FIELDS, session, {"contact_person_ids": "contact_persons"})
    return _edit_session_form(session).render(page, values, await _session_options(page))


@router.post("/sessions/{session_id}/edit", response_class=HTMLResponse)
async def change_session(session_id: UUID, page: FormDep) -> Response:
    session = await page.calls.get("catalog", f"/api/staff/sessions/{session_id}")
    return await _edit_session_form(session).submit(page, "PATCH", f"/api/staff/sessions/{session_id}",
                                                    "/events/{event_id}", "session_changed",
                                                    await _session_options(page))
