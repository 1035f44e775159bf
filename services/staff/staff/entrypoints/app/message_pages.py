"""Messages to participants: the messages sent for an event and a form to write one (audience, the whole event
or one session, subject, text), a preview (how many it goes to, how it reads) with "Send" and "Change", then
back to the list with a status message. The registration service chooses the recipients and decides who may
(admins and the event's organisers); the notification service sends the emails, never this app."""

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from ...adapters.service_calls import ServiceRefused
from ..app_page import FormDep, PageDep, StaffPage

router = APIRouter(include_in_schema=False)

AUDIENCES = ("confirmed", "waitlisted", "all")
_FIELDS = ("audience", "session_id", "subject", "body")


def _path(event_id: str, step: str = "") -> str:
    return f"/events/{event_id}/messages" + (f"/{step}" if step else "")


async def _draft(page: StaffPage) -> dict[str, str]:
    """The form's fields as sent (the text as typed; the registration service checks it)."""
    form = await page.request.form()
    return {name: str(form.get(name) or "") for name in _FIELDS}


def _as_json(draft: dict[str, str]) -> dict[str, Any]:
    return {"session_id": draft["session_id"] or None, "audience": draft["audience"], "subject": draft["subject"],
            "body": draft["body"]}


async def _compose(page: StaffPage, event_id: str, draft: dict[str, str] | None = None,
                   errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    """The list of messages sent and the form (empty, or `draft` again with its `errors`)."""
    event = await page.calls.get("catalog", f"/api/staff/events/{event_id}")
    sent = await page.calls.get("registration", f"/api/staff/events/{event_id}/messages")
    sessions = {s["id"]: s["title"] for s in event["sessions"]}
    return page.render("app/messages/compose.html", status_code, event=event, sent=sent, sessions=sessions,
                       draft=draft or {"audience": "confirmed", "session_id": "", "subject": "", "body": ""},
                       errors=errors or {},
                       audiences=[(a, page.t[f"messages.audience.{a}"]) for a in AUDIENCES])


@router.get("/events/{event_id}/messages", response_class=HTMLResponse)
async def messages(event_id: str, page: PageDep) -> HTMLResponse:
    return await _compose(page, event_id)


@router.post("/events/{event_id}/messages/compose", response_class=HTMLResponse)
async def change(event_id: str, page: FormDep) -> HTMLResponse:
    """"Change" on the preview: the form again with what was written."""
    return await _compose(page, event_id, await _draft(page))


@router.post("/events/{event_id}/messages/preview", response_class=HTMLResponse)
async def preview(event_id: str, page: FormDep) -> HTMLResponse:
    draft = await _draft(page)
    try:
        previewed = await page.calls.post("registration", f"/api/staff/events/{event_id}/messages/preview",
                                          _as_json(draft))
    except ServiceRefused as refused:
        if refused.status != 422:
            raise
        return await _compose(page, event_id, draft, page.field_errors(refused), 422)
    event = await page.calls.get("catalog", f"/api/staff/events/{event_id}")
    session = next((s["title"] for s in event["sessions"] if s["id"] == draft["session_id"]), None)
    return page.render("app/messages/preview.html", event=event, draft=draft, preview=previewed, session=session)


@router.post("/events/{event_id}/messages/send")
async def send(event_id: str, page: FormDep) -> Response:
    draft = await _draft(page)
    try:
        await page.calls.post("registration", f"/api/staff/events/{event_id}/messages", _as_json(draft))
    except ServiceRefused as refused:
        if refused.status != 422:
            raise
        return await _compose(page, event_id, draft, page.field_errors(refused), 422)
    return page.redirect(_path(event_id), notice="message_sent")
