"""Participants: an event's registrations (filter, search, sort, the waiting lists in order, CSV and XLSX
exports of exactly what is filtered), a person's page (data, status history, the emails sent to them) and
cancelling on their behalf with a reason. Everything through the services' staff APIs with the account's own
token: the registration service decides who sees and changes what (a contact person: read only)."""

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from ...adapters.service_calls import ServiceRefused
from ..app_page import FormDep, PageDep, StaffPage
from .catalog_pages import manages_event

router = APIRouter(include_in_schema=False)

FILTERS = ("session_id", "status", "organisation", "q", "registered_from", "registered_to", "sort")
STATUSES = ("confirmed", "waitlisted", "pending", "rejected", "cancelled")
SORTS = ("session", "created_at", "-created_at", "last_name", "-last_name", "status")


def _query(request: Request) -> dict[str, Any]:
    """The filter as asked for, empty fields left out (the service refuses an empty search), `status` repeatable."""
    query: dict[str, Any] = {}
    for name in FILTERS:
        values = [v.strip() for v in request.query_params.getlist(name) if v.strip()]
        if values:
            query[name] = values if name == "status" else values[0]
    return query


@router.get("/events/{event_id}/participants", response_class=HTMLResponse)
async def participants(event_id: str, request: Request, page: PageDep) -> HTMLResponse:
    query = _query(request)
    event = await page.calls.get("catalog", f"/api/staff/events/{event_id}")
    errors: dict[str, str] = {}
    try:
        registrations = await page.calls.get("registration", f"/api/staff/events/{event_id}/registrations", params=query)
    except ServiceRefused as refused:
        if refused.status != 422:
            raise
        errors, registrations = page.field_errors(refused), []
    waiting = await page.calls.get("registration", f"/api/staff/events/{event_id}/registrations",
                                   params={"status": "waitlisted", "sort": "status"})
    titles = {s["id"]: s["title"] for s in event["sessions"]}
    return page.render("app/participants/list.html", status_code=422 if errors else 200, event=event,
                       registrations=registrations, titles=titles, query=query, errors=errors,
                       session_options=[(s["id"], s["title"]) for s in event["sessions"]],
                       status_options=[(status, page.t[f"registration_status.{status}"]) for status in STATUSES],
                       sort_options=[(sort, page.t[f"sort.{sort}"]) for sort in SORTS],
                       waiting={s["id"]: [r for r in waiting if r["session_id"] == s["id"]] for s in event["sessions"]},
                       csv_url=page.url(f"/events/{event_id}/participants.csv", **query),
                       xlsx_url=page.url(f"/events/{event_id}/participants.xlsx", **query))


@router.get("/events/{event_id}/participants.{file_format}")
async def export(event_id: str, file_format: str, request: Request, page: PageDep) -> Response:
    """The service's export of exactly this filter, passed on as it comes."""
    if file_format not in ("csv", "xlsx"):
        raise ServiceRefused(404, "no such format", "registration")
    answer = await page.calls.send("GET", "registration", f"/api/staff/events/{event_id}/registrations.{file_format}",
                                   params=_query(request))
    if answer.status_code >= 400:
        raise ServiceRefused(answer.status_code, answer.text[:500], "registration")
    return Response(answer.content, media_type=answer.headers["content-type"],
                    headers={"Content-Disposition": answer.headers.get("content-disposition", "attachment")})


async def _person(page: StaffPage, registration_id: str) -> dict[str, Any]:
    registration = await page.calls.get("registration", f"/api/staff/registrations/{registration_id}")
    event = await page.calls.get("catalog", f"/api/staff/events/{registration['event_id']}")
    try:
        deliveries = await page.calls.get("notification", "/api/deliveries",
                                          params={"registration_id": registration_id})
    except ServiceRefused:
        deliveries = None  # the notification service is away or refuses: said on the page
    return {"registration": registration, "event": event, "titles": {s["id"]: s["title"] for s in event["sessions"]},
            # The person's own emails, not the contact persons' notices that listed them.
            "deliveries": [d for d in deliveries if not d["kind"].startswith("contact_")]
            if deliveries is not None else None,
            "manages": manages_event(page, event)}


async def managed_person(page: StaffPage, registration_id: str) -> dict[str, Any]:
    """`_person` for an action's page (cancel, move, erase): the refusal page for those who may only read it (a
    session's contact person), as the registration service would answer the action itself."""
    person = await _person(page, registration_id)
    if not person["manages"]:
        raise ServiceRefused(403, "only those who manage the event act on its registrations", "registration")
    return person


@router.get("/registrations/{registration_id}", response_class=HTMLResponse)
async def person(registration_id: str, page: PageDep) -> HTMLResponse:
    return page.render("app/participants/person.html", **await _person(page, registration_id))


@router.get("/registrations/{registration_id}/cancel", response_class=HTMLResponse)
async def cancel_form(registration_id: str, page: PageDep) -> HTMLResponse:
    return page.render("app/participants/cancel.html", errors={}, reason="",
                       **await managed_person(page, registration_id))


@router.post("/registrations/{registration_id}/cancel", response_class=HTMLResponse)
async def cancel(registration_id: str, page: FormDep, reason: str = Form("")) -> Response:
    try:
        await page.calls.post("registration", f"/api/staff/registrations/{registration_id}/cancel",
                              json={"reason": reason.strip() or None})
    except ServiceRefused as refused:
        if refused.status != 422:
            raise
        return page.render("app/participants/cancel.html", status_code=422, errors=page.field_errors(refused),
                           reason=reason, **await _person(page, registration_id))
    return page.redirect(f"/registrations/{registration_id}", notice="registration_cancelled")


def _free_sessions(registration: dict, event: dict) -> list[dict]:
    """The event's other sessions with a free seat now (the seat ledger decides when the move is asked)."""
    return [s for s in event["sessions"]
            if s["id"] != registration["session_id"] and s["capacity"] - s["seats_allocated"] > 0]


async def _move_page(page: StaffPage, registration_id: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    person = await managed_person(page, registration_id)
    sessions = _free_sessions(person["registration"], person["event"])
    options = [(s["id"], page.t["move_option"].format(title=s["title"], free=s["capacity"] - s["seats_allocated"]))
               for s in sessions]
    return page.render("app/participants/move.html", status_code=status_code, options=options,
                       **({"errors": {}, "refusal": None} | context), **person)


@router.get("/registrations/{registration_id}/move", response_class=HTMLResponse)
async def move_form(registration_id: str, page: PageDep) -> HTMLResponse:
    return await _move_page(page, registration_id)


@router.post("/registrations/{registration_id}/move", response_class=HTMLResponse)
async def move(registration_id: str, page: FormDep, session_id: str = Form("")) -> Response:
    answer = await page.calls.send("POST", "registration", f"/api/staff/registrations/{registration_id}/move",
                                   json={"session_id": session_id} if session_id else {})
    if answer.status_code in (200, 202):
        notice = "registration_moved" if answer.status_code == 200 else "registration_moving"
        return page.redirect(f"/registrations/{registration_id}", notice=notice)
    refused = ServiceRefused(answer.status_code, answer.json().get("detail"), "registration")
    if refused.status == 422:
        return await _move_page(page, registration_id, 422, errors=page.field_errors(refused))
    if refused.status == 409:  # full meanwhile, or not confirmed: said on the form, nothing changed
        return await _move_page(page, registration_id, 409, refusal=page.t["move_refused"])
    raise refused
