"""Machine tokens, for admins: the list (never the tokens themselves), creation (a name, the scope: all or
one organisation, whether it may change data), whose answer shows the token once, and revocation after a
confirmation step. Through `service_layer.admin`, as the admin API's routes, audited with the admin as the
actor; the other services learn of each token's state from `staff.token.v1`."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from treffpunkt_shared.contracts.staff import MachineTokenSaved
from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.errors import NotFound

from ...adapters import machine_tokens
from ...domain.commands import CreateMachineToken
from ...service_layer import admin
from ..app_page import StaffPage
from .admin_only import AdminFormDep, AdminPageDep, actor, catalog_names, invalid, refusals_as_pages

router = APIRouter(include_in_schema=False)


@router.get("/machine-tokens", response_class=HTMLResponse)
async def token_list(page: AdminPageDep, pool: DatabasePool) -> HTMLResponse:
    return await _list(page, pool)


async def _list(page: StaffPage, pool: DatabasePool, form: dict[str, str] | None = None,
                errors: dict[str, str] | None = None, status_code: int = 200) -> HTMLResponse:
    names = await catalog_names(page)
    return page.render("app/accounts/tokens.html", status_code, tokens=await machine_tokens.list_all(pool),
                       names=names, form=form or {}, errors=errors or {})


@router.post("/machine-tokens", response_class=HTMLResponse)
async def create(page: AdminFormDep, pool: DatabasePool, name: Annotated[str, Form()] = "",
                 organisation_id: Annotated[str, Form()] = "", can_write: Annotated[bool, Form()] = False) -> Response:
    try:
        command = CreateMachineToken.model_validate({"name": name, "organisation_id": organisation_id or None,
                                                     "can_write": can_write})
    except ValidationError as error:
        form = {"name": name, "organisation_id": organisation_id, "can_write": "true" if can_write else ""}
        return await _list(page, pool, form, invalid(page, error), status_code=422)
    token, saved = await admin.create_machine_token(pool, command, actor=actor(page), now=page.now)
    names = await catalog_names(page)
    # The token is in this answer only: not in a URL (no redirect), not kept by the browser's cache.
    response = page.render("app/accounts/token_created.html", 201, token=token, saved=saved, names=names)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _token(pool: DatabasePool, token_id: UUID) -> MachineTokenSaved:
    with refusals_as_pages():
        for saved in await machine_tokens.list_all(pool):
            if saved.token_id == token_id:
                return saved
        raise NotFound("machine token", token_id)


@router.get("/machine-tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke_confirm(token_id: UUID, page: AdminPageDep, pool: DatabasePool) -> HTMLResponse:
    return page.render("app/accounts/token_revoke.html", saved=await _token(pool, token_id))


@router.post("/machine-tokens/{token_id}/revoke", response_class=HTMLResponse)
async def revoke(token_id: UUID, page: AdminFormDep, pool: DatabasePool) -> Response:
    if (await _token(pool, token_id)).revoked_at is not None:  # sent again: it is revoked, nothing more to audit
        return page.redirect("/machine-tokens")
    with refusals_as_pages():
        await admin.revoke_machine_token(pool, token_id, actor=actor(page), now=page.now)
    return page.redirect("/machine-tokens", notice="token_revoked")
