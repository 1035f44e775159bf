"""The catalog's organisations, contact persons and programmes (measures): lists, and forms to add and change
them, all through the catalog's staff API with the account's token. The catalog decides who may do what (its
403 becomes the shell's page); the pages only leave out the links a role cannot use: adding organisations and
programmes and changing programmes is for admins, an organisation and its contact persons are also its
organisers'."""

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response

from treffpunkt_shared.contracts.catalog import OrganisationKind
from treffpunkt_shared.contracts.staff import Role

from ..app_page import FormDep, PageDep, StaffPage
from .catalog_forms import CatalogForm, FormField, choices, shown

router = APIRouter(include_in_schema=False)


def organised(page: StaffPage) -> set[str]:
    """The organisations the account organises (ids as text)."""
    return {str(m.organisation_id) for m in page.who.account.memberships if m.role is Role.organiser}


def may_manage(page: StaffPage, organisation_ids: Any) -> bool:
    """Whether the catalog lets the account change what these organisations own (admin, or organiser of one)."""
    return page.who.account.is_admin or bool(organised(page) & {str(i) for i in organisation_ids})


def manages_event(page: StaffPage, event: dict[str, Any]) -> bool:
    """Whether to offer the changing actions of `event` and its registrations (the services still decide)."""
    return may_manage(page, [o["id"] for o in event["organisers"]])


def _list(page: StaffPage, heading: str, caption: str, columns: list[str], rows: list[dict[str, Any]],
          new_url: str | None, new_text: str) -> HTMLResponse:
    return page.render("app/catalog/list.html", heading=page.t[heading], caption=page.t[caption],
                       columns=[page.t[c] for c in columns], rows=rows, new_url=new_url, new_text=page.t[new_text],
                       any_editable=any(row["edit"] for row in rows))


# Organisations

ORGANISATION_FIELDS = [
    FormField("name", required=True, autocomplete="organization"),
    FormField("kind", "select", required=True),
    FormField("website", "url"),
    FormField("controller", "textarea"),
    FormField("privacy_notice_url", "url"),
    FormField("privacy_notice_version"),
    # The catalog keeps only the text's SHA-256: an edit shows it empty and leaves it as it is unless retyped.
    FormField("privacy_notice_text", "textarea", omit_empty=True),
]


def _organisation_options(page: StaffPage) -> dict[str, Any]:
    return {"kind": [(kind.value, page.t[f"organisation_kind.{kind.value}"]) for kind in OrganisationKind]}


def _organisation_form(action: str, title: str) -> CatalogForm:
    return CatalogForm(ORGANISATION_FIELDS, title, "catalog_save", action, "/organisations", intro="organisation_intro")


NEW_ORGANISATION = _organisation_form("/organisations/new", "organisation_new")


@router.get("/organisations", response_class=HTMLResponse)
async def organisations(page: PageDep) -> HTMLResponse:
    rows = [{"cells": [o["name"], page.t[f"organisation_kind.{o['kind']}"], o["website"] or "",
                       page.t["catalog_yes"] if o["privacy_notice_url"] else page.t["catalog_no"]],
             "edit": f"/organisations/{o['id']}/edit" if may_manage(page, [o["id"]]) else None}
            for o in await page.calls.get("catalog", "/api/staff/organisations")]
    return _list(page, "organisations_title", "organisations_caption",
                 ["catalog.name", "catalog.kind", "catalog.website", "organisations_notice"], rows,
                 "/organisations/new" if page.who.account.is_admin else None, "organisation_new")


@router.get("/organisations/new", response_class=HTMLResponse)
async def new_organisation(page: PageDep) -> HTMLResponse:
    return NEW_ORGANISATION.render(page, shown(ORGANISATION_FIELDS, {}), _organisation_options(page))


@router.post("/organisations/new", response_class=HTMLResponse)
async def create_organisation(page: FormDep) -> Response:
    return await NEW_ORGANISATION.submit(page, "POST", "/api/staff/organisations", "/organisations",
                                         "organisation_created", _organisation_options(page))


@router.get("/organisations/{organisation_id}/edit", response_class=HTMLResponse)
async def edit_organisation(organisation_id: UUID, page: PageDep) -> HTMLResponse:
    organisation = await page.calls.get("catalog", f"/api/staff/organisations/{organisation_id}")
    form = _organisation_form(f"/organisations/{organisation_id}/edit", "organisation_edit")
    return form.render(page, shown(ORGANISATION_FIELDS, organisation), _organisation_options(page))


@router.post("/organisations/{organisation_id}/edit", response_class=HTMLResponse)
async def change_organisation(organisation_id: UUID, page: FormDep) -> Response:
    form = _organisation_form(f"/organisations/{organisation_id}/edit", "organisation_edit")
    return await form.submit(page, "PATCH", f"/api/staff/organisations/{organisation_id}", "/organisations",
                             "organisation_changed", _organisation_options(page))


# Contact persons

CONTACT_PERSON_FIELDS = [
    FormField("organisation_id", "select", required=True),
    FormField("name", required=True, autocomplete="name"),
    FormField("role"),
    FormField("email", "email", required=True, autocomplete="email"),
    FormField("phone", "tel", autocomplete="tel"),
]


async def _contact_person_options(page: StaffPage) -> dict[str, Any]:
    """The organisations the account may add people to (all, for an admin)."""
    organisations = await page.calls.get("catalog", "/api/staff/organisations")
    return {"organisation_id": choices([o for o in organisations if may_manage(page, [o["id"]])])}


def _contact_person_form(action: str, title: str) -> CatalogForm:
    return CatalogForm(CONTACT_PERSON_FIELDS, title, "catalog_save", action, "/contact-persons", intro="contact_person_intro")


NEW_CONTACT_PERSON = _contact_person_form("/contact-persons/new", "contact_person_new")


@router.get("/contact-persons", response_class=HTMLResponse)
async def contact_persons(page: PageDep) -> HTMLResponse:
    rows = [{"cells": [p["name"], p["organisation_name"], p["role"] or "", p["email"], p["phone"] or ""],
             "edit": f"/contact-persons/{p['id']}/edit" if may_manage(page, [p["organisation_id"]]) else None}
            for p in await page.calls.get("catalog", "/api/staff/contact-persons")]
    may_add = page.who.account.is_admin or bool(organised(page))
    return _list(page, "contact_persons_title", "contact_persons_caption",
                 ["catalog.name", "catalog.organisation_id", "catalog.role", "catalog.email", "catalog.phone"], rows,
                 "/contact-persons/new" if may_add else None, "contact_person_new")


@router.get("/contact-persons/new", response_class=HTMLResponse)
async def new_contact_person(page: PageDep) -> HTMLResponse:
    options = await _contact_person_options(page)
    values = shown(CONTACT_PERSON_FIELDS, {})
    if len(options["organisation_id"]) == 1:
        values["organisation_id"] = options["organisation_id"][0][0]
    return NEW_CONTACT_PERSON.render(page, values, options)


@router.post("/contact-persons/new", response_class=HTMLResponse)
async def create_contact_person(page: FormDep) -> Response:
    return await NEW_CONTACT_PERSON.submit(page, "POST", "/api/staff/contact-persons", "/contact-persons",
                                           "contact_person_created", await _contact_person_options(page))


@router.get("/contact-persons/{contact_person_id}/edit", response_class=HTMLResponse)
async def edit_contact_person(contact_person_id: UUID, page: PageDep) -> HTMLResponse:
    person = await page.calls.get("catalog", f"/api/staff/contact-persons/{contact_person_id}")
    form = _contact_person_form(f"/contact-persons/{contact_person_id}/edit", "contact_person_edit")
    return form.render(page, shown(CONTACT_PERSON_FIELDS, person), await _contact_person_options(page))


@router.post("/contact-persons/{contact_person_id}/edit", response_class=HTMLResponse)
async def change_contact_person(contact_person_id: UUID, page: FormDep) -> Response:
    form = _contact_person_form(f"/contact-persons/{contact_person_id}/edit", "contact_person_edit")
    return await form.submit(page, "PATCH", f"/api/staff/contact-persons/{contact_person_id}", "/contact-persons",
                             "contact_person_changed", await _contact_person_options(page))


# Programmes and measures

PROGRAMME_FIELDS = [
    FormField("title", required=True),
    FormField("kind"),
    FormField("description", "textarea", empty=""),
    FormField("responsible_offices", "lines"),
    FormField("linked_programme_ids", "checkboxes"),
]


async def _programme_options(page: StaffPage, except_id: UUID | None = None) -> dict[str, Any]:
    """The other programmes, to link."""
    programmes = await page.calls.get("catalog", "/api/staff/programmes")
    return {"linked_programme_ids": choices([p for p in programmes if p["id"] != str(except_id)], "title")}


def _programme_form(action: str, title: str) -> CatalogForm:
    return CatalogForm(PROGRAMME_FIELDS, title, "catalog_save", action, "/programmes", intro="programme_intro")


NEW_PROGRAMME = _programme_form("/programmes/new", "programme_new")


@router.get("/programmes", response_class=HTMLResponse)
async def programmes(page: PageDep) -> HTMLResponse:
    listed = await page.calls.get("catalog", "/api/staff/programmes")
    titles = {p["id"]: p["title"] for p in listed}
    admin = page.who.account.is_admin
    rows = [{"cells": [p["title"], p["kind"] or "", ", ".join(p["responsible_offices"]),
                       ", ".join(titles.get(i, i) for i in p["linked_programme_ids"])],
             "edit": f"/programmes/{p['id']}/edit" if admin else None} for p in listed]
    return _list(page, "programmes_title", "programmes_caption",
                 ["catalog.title", "catalog.kind", "catalog.responsible_offices", "catalog.linked_programme_ids"], rows,
                 "/programmes/new" if admin else None, "programme_new")


@router.get("/programmes/new", response_class=HTMLResponse)
async def new_programme(page: PageDep) -> HTMLResponse:
    return NEW_PROGRAMME.render(page, shown(PROGRAMME_FIELDS, {}), await _programme_options(page))


@router.post("/programmes/new", response_class=HTMLResponse)
async def create_programme(page: FormDep) -> Response:
    return await NEW_PROGRAMME.submit(page, "POST", "/api/staff/programmes", "/programmes", "programme_created",
                                      await _programme_options(page))


@router.get("/programmes/{programme_id}/edit", response_class=HTMLResponse)
async def edit_programme(programme_id: UUID, page: PageDep) -> HTMLResponse:
    programme = await page.calls.get("catalog", f"/api/staff/programmes/{programme_id}")
    form = _programme_form(f"/programmes/{programme_id}/edit", "programme_edit")
    return form.render(page, shown(PROGRAMME_FIELDS, programme), await _programme_options(page, programme_id))


@router.post("/programmes/{programme_id}/edit", response_class=HTMLResponse)
async def change_programme(programme_id: UUID, page: FormDep) -> Response:
    form = _programme_form(f"/programmes/{programme_id}/edit", "programme_edit")
    return await form.submit(page, "PATCH", f"/api/staff/programmes/{programme_id}", "/programmes",
                             "programme_changed", await _programme_options(page, programme_id))
