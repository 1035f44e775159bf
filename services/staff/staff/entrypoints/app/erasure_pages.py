"""Erasing a person's data on their request (DSGVO Art. 17): one registration (`/registrations/{id}/erase`), or
every registration of an email address across events (`/erasures`). Each is a confirmation step that says
what will happen, then the registration service's staff API does it (it decides who may erase what: admins
every registration, organisers their organisations' events'; it cancels an active registration first, and
erases in every service). The result is a page of its own: the POST is idempotent, so sending it again
changes nothing. The address is never put in a URL (it would land in logs and the browser's history)."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse
from pydantic import EmailStr, TypeAdapter, ValidationError

from ...adapters.service_calls import ServiceRefused
from ..app_page import FormDep, PageDep, StaffPage
from .participant_pages import managed_person

router = APIRouter(include_in_schema=False)

_ADDRESS = TypeAdapter(EmailStr)
# What erasing does to each registration, said on both confirmation steps (texts of the area "erasure").
CONSEQUENCES = ("erase_consequence_cancel", "erase_consequence_seat", "erase_consequence_data",
                "erase_consequence_kept", "erase_consequence_final")


def _consequences(page: StaffPage) -> list[str]:
    return [page.t[key] for key in CONSEQUENCES]


@router.get("/registrations/{registration_id}/erase", response_class=HTMLResponse)
async def erase_registration_page(registration_id: UUID, page: PageDep) -> HTMLResponse:
    # The person and event named, so that the right one is erased; refused to those who may not erase it.
    return page.render("app/erasure/registration.html", registration_id=registration_id,
                       consequences=_consequences(page), **await managed_person(page, str(registration_id)))


@router.post("/registrations/{registration_id}/erase", response_class=HTMLResponse)
async def erase_registration(registration_id: UUID, page: FormDep) -> HTMLResponse:
    # 403 (not the account's to erase) and 404 become the app's refusal page.
    erased = await page.calls.post("registration", f"/api/staff/registrations/{registration_id}/erase")
    return page.render("app/erasure/registration_erased.html", registration=erased)


@router.get("/erasures", response_class=HTMLResponse)
async def erasures_page(page: PageDep) -> HTMLResponse:
    return _address_form(page)


@router.post("/erasures", response_class=HTMLResponse)
async def erasures(page: FormDep, email: Annotated[str, Form()] = "",
                   confirmed: Annotated[bool, Form()] = False) -> HTMLResponse:
    """Without `confirmed`: the address checked, then the confirmation step; with it: the erasure."""
    email = email.strip()
    try:
        _ADDRESS.validate_python(email)
    except ValidationError:
        return _address_form(page, email, {"email": _address_error(page)}, status_code=422)
    if not confirmed:
        return page.render("app/erasure/address_confirm.html", email=email, consequences=_consequences(page))
    try:
        answer = await page.calls.post("registration", "/api/staff/erasures", json={"email": email})
    except ServiceRefused as refused:
        if refused.status != 422:
            raise
        errors = page.field_errors(refused)
        return _address_form(page, email, errors | ({"email": _address_error(page)} if "email" in errors else {}),
                             status_code=422)
    return page.render("app/erasure/address_erased.html", erased=answer["erased"])


def _address_form(page: StaffPage, email: str = "", errors: dict[str, str] | None = None,
                  status_code: int = 200) -> HTMLResponse:
    return page.render("app/erasure/address.html", status_code, email=email, errors=errors or {})


def _address_error(page: StaffPage) -> str:
    # Checked here before the confirmation step, as the service checks it (422 naming `email`): the same words.
    return page.t["erasures_email_invalid"]
