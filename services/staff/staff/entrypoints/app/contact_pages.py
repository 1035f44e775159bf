"""The contact persons' pages: `/my-sessions`, the sessions naming the account's contact person(s), each with
its seats and a link to its participants; `/preference`, how they hear about registrations (immediately,
a daily digest, or not at all). The catalog decides which events they see and the notification service whose
preference they may read and set, from the account's own tokens."""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from treffpunkt_shared.contracts.staff import Role

from ...adapters.service_calls import ServiceRefused
from ..app_page import FormDep, PageDep, StaffPage

router = APIRouter(include_in_schema=False)

MODES = ("immediate", "daily", "off")
LANGUAGES = ("de", "en")


def _contact_persons(page: StaffPage) -> list[str]:
    return [str(m.contact_person_id) for m in page.who.account.memberships if m.role is Role.contact]


@router.get("/my-sessions", response_class=HTMLResponse)
async def my_sessions(page: PageDep) -> HTMLResponse:
    mine = set(_contact_persons(page))
    events = await page.calls.get("catalog", "/api/staff/events") if mine else []
    listed = []
    for event in events:
        sessions = [s for s in event["sessions"] if any(c["id"] in mine for c in s["contact_persons"])]
        if sessions:
            listed.append({"event": event, "sessions": sessions})
    return page.render("app/contact/my_sessions.html", listed=listed)


@router.get("/preference", response_class=HTMLResponse)
async def preference_page(page: PageDep, contact_person_id: UUID | None = None) -> HTMLResponse:
    return await _preference_page(page, contact_person_id)


async def _preference_page(page: StaffPage, contact_person_id: UUID | None, *, form: dict[str, str] | None = None,
                           errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    mine = _contact_persons(page)
    chosen = str(contact_person_id) if contact_person_id and str(contact_person_id) in mine else next(iter(mine), None)
    context: dict[str, Any] = {"chosen": chosen, "others": [], "stored": None, "name": None}
    if chosen is not None:
        names = {person: await _name(page, person) for person in mine}
        context |= {"name": names[chosen], "others": [(p, n) for p, n in names.items() if p != chosen]}
        try:
            context["stored"] = await page.calls.get("notification", f"/api/contact-persons/{chosen}/preference")
        except ServiceRefused as refused:
            if refused.status != 404:  # 404: no session known to notification names the person yet
                raise
    stored = context["stored"] or {}
    return page.render("app/contact/preference.html", status_code, **context, errors=errors or {},
                       form=form or {"mode": stored.get("mode", ""), "language": stored.get("language", page.lang)},
                       modes=[(mode, page.t[f"preference_mode.{mode}"]) for mode in MODES],
                       languages=[(lang, page.t[f"preference_language.{lang}"]) for lang in LANGUAGES])


async def _name(page: StaffPage, contact_person_id: str) -> str:
    """The contact person's name in the catalog, or the id where it cannot be read."""
    try:
        return (await page.calls.get("catalog", f"/api/staff/contact-persons/{contact_person_id}"))["name"]
    except ServiceRefused:
        return contact_person_id


@router.post("/preference", response_class=HTMLResponse)
async def save_preference(page: FormDep, contact_person_id: Annotated[UUID, Form()], mode: Annotated[str, Form()] = "",
                          language: Annotated[str, Form()] = "de") -> Response:
    try:
        await page.calls.put("notification", f"/api/contact-persons/{contact_person_id}/preference",
                             json={"mode": mode, "language": language})
    except ServiceRefused as refused:
        if refused.status != 422:
            raise
        return await _preference_page(page, contact_person_id, form={"mode": mode, "language": language},
                                      errors=page.field_errors(refused), status_code=422)
    return page.redirect("/preference", notice="preference_saved", contact_person_id=contact_person_id
                         if len(_contact_persons(page)) > 1 else None)
