"""Accounts, for admins: the list (roles in words, with the catalog's names), the invitation (the account is
created and emailed a one-time link to set its password), one account (its roles changed one at a time,
deactivated or active again, its second factor reset, the invitation sent again, its audit entries).

The staff service owns the accounts: the changes go through `service_layer.admin`, `password_links` and
`second_factor`, as the admin API's do, audited with the admin as the actor (see `admin_only`)."""

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from treffpunkt_shared.contracts.staff import Membership, Role
from treffpunkt_shared.db import DatabasePool
from treffpunkt_shared.errors import Conflict, require_found

from ...adapters import accounts, audit, totp_factors
from ...adapters.mail import MailNotSent
from ...domain.commands import CreateAccount, UpdateAccount
from ...domain.model import Account
from ...service_layer import admin, password_links, second_factor
from ...settings import StaffSettings
from ..app_page import StaffPage
from ..dependencies import Settings
from .admin_only import AdminFormDep, AdminPageDep, actor, catalog_names, invalid, refusals_as_pages
from .audit_pages import staff_names

router = APIRouter(include_in_schema=False)

AUDIT_SHOWN = 50  # an account's newest entries; enough to see what happened lately


@router.get("/accounts", response_class=HTMLResponse)
async def account_list(page: AdminPageDep, pool: DatabasePool) -> HTMLResponse:
    names = await catalog_names(page)
    rows = [{"account": account, "roles": names.roles(page, account.memberships)}
            for account in await accounts.list_all(pool)]
    return page.render("app/accounts/list.html", rows=rows)


# The invitation.

@router.get("/accounts/invite", response_class=HTMLResponse)
async def invite_form(page: AdminPageDep, settings: Settings) -> HTMLResponse:
    return await _invite_form(page, settings, {})


@router.post("/accounts/invite", response_class=HTMLResponse)
async def invite(page: AdminFormDep, pool: DatabasePool, settings: Settings, email: Annotated[str, Form()] = "",
                 display_name: Annotated[str, Form()] = "", language: Annotated[str, Form()] = "de",
                 role: Annotated[str, Form()] = "", organisation_id: Annotated[str, Form()] = "",
                 contact_person_id: Annotated[str, Form()] = "") -> Response:
    form = {"email": email, "display_name": display_name, "language": language, "role": role,
            "organisation_id": organisation_id, "contact_person_id": contact_person_id}
    membership, errors = _membership(page, role, organisation_id, contact_person_id, role_required=False)
    try:
        command = CreateAccount.model_validate({"email": email.strip(), "display_name": display_name,
                                                "language": language, "memberships": [membership] if membership else []})
    except ValidationError as error:
        errors = invalid(page, error) | errors
    if errors:
        return await _invite_form(page, settings, form, errors, status_code=422)
    try:
        account = await admin.create_account(pool, command, actor=actor(page), now=page.now)
    except Conflict:
        return await _invite_form(page, settings, form, {"email": page.t["error.email.taken"]}, status_code=409)
    return await _send_invitation(page, pool, settings, account.id)


async def _invite_form(page: StaffPage, settings: StaffSettings, form: dict[str, str], errors: dict[str, str] | None = None,
                       status_code: int = 200) -> HTMLResponse:
    return page.render("app/accounts/invite.html", status_code, form=form, errors=errors or {},
                       names=await catalog_names(page), roles=_role_options(page), hours=settings.invitation_valid_hours)


async def _send_invitation(page: StaffPage, pool: asyncpg.Pool, settings: StaffSettings, account_id: UUID) -> RedirectResponse:
    """The account's page, saying whether the SMTP server took the invitation (if not, it can be sent again
    from there)."""
    try:
        await password_links.invite(pool, settings, account_id, actor(page), now=page.now)
    except MailNotSent:
        return page.redirect(f"/accounts/{account_id}", notice="invitation_not_sent")
    return page.redirect(f"/accounts/{account_id}", notice="invitation_sent")


def _role_options(page: StaffPage) -> list[tuple[str, str]]:
    return [(role.value, page.t[f"membership_role.{role.value}"]) for role in Role]


def _membership(page: StaffPage, role: str, organisation_id: str, contact_person_id: str, *,
                role_required: bool) -> tuple[Membership | None, dict[str, str]]:
    """The membership the form's role and scope selects make, or the fields' errors. A role's other scope
    select is ignored (the form has both)."""
    t = page.t
    if not role:
        return None, {"role": t["error.role.missing"]} if role_required else {}
    if role == Role.organiser and not organisation_id:
        return None, {"organisation_id": t["error.organisation_id.missing"]}
    if role == Role.contact and not contact_person_id:
        return None, {"contact_person_id": t["error.contact_person_id.missing"]}
    try:
        return Membership.model_validate({
            "role": role, "organisation_id": organisation_id if role == Role.organiser else None,
            "contact_person_id": contact_person_id if role == Role.contact else None}), {}
    except ValidationError as error:
        return None, invalid(page, error)


# One account.

@router.get("/accounts/{account_id}", response_class=HTMLResponse)
async def account_page(account_id: UUID, page: AdminPageDep, pool: DatabasePool) -> HTMLResponse:
    return await _account_page(page, pool, account_id)


async def _account_page(page: StaffPage, pool: asyncpg.Pool, account_id: UUID, *, status_code: int = 200,
                        problem: str | None = None, add_form: dict[str, str] | None = None,
                        add_errors: dict[str, str] | None = None) -> HTMLResponse:
    with refusals_as_pages():
        account = require_found(await accounts.get(pool, account_id), "account", account_id)
    names = await catalog_names(page)
    entries, named = await audit.entries(pool, account_id=account_id, limit=AUDIT_SHOWN), await staff_names(pool)
    return page.render(
        "app/accounts/account.html", status_code, shown=account, problem=problem,
        memberships=list(zip(account.memberships, names.roles(page, account.memberships), strict=True)),
        has_factor=await totp_factors.get(pool, account_id) is not None,
        entries=[_entry(page, row, named) for row in entries],
        names=names, roles=_role_options(page), form=add_form or {}, errors=add_errors or {})


def _entry(page: StaffPage, row: asyncpg.Record, names: dict[str, str]) -> dict[str, Any]:
    t = page.t
    target = row["target_id"] or ""
    return {"at": row["occurred_at"], "action": t.get(f"staff_action.{row['action']}", row["action"]),
            "who": names.get(str(row["actor_account_id"]), "") or t.get(f"actor.{row['actor']}", row["actor"]),
            "about": t["target_unknown_address"] if target.startswith("email-sha256:") else names.get(target, target),
            "detail": row["detail"] or ""}


@router.post("/accounts/{account_id}/roles/add", response_class=HTMLResponse)
async def add_role(account_id: UUID, page: AdminFormDep, pool: DatabasePool, role: Annotated[str, Form()] = "",
                   organisation_id: Annotated[str, Form()] = "",
                   contact_person_id: Annotated[str, Form()] = "") -> Response:
    membership, errors = _membership(page, role, organisation_id, contact_person_id, role_required=True)
    if membership is None:
        form = {"role": role, "organisation_id": organisation_id, "contact_person_id": contact_person_id}
        return await _account_page(page, pool, account_id, status_code=422, add_form=form, add_errors=errors)
    return await _change(page, pool, account_id, "role_added",  # a role it has already stays once
                         lambda account: UpdateAccount(memberships=list(dict.fromkeys([*account.memberships, membership]))))


@router.post("/accounts/{account_id}/roles/remove", response_class=HTMLResponse)
async def remove_role(account_id: UUID, page: AdminFormDep, pool: DatabasePool, role: Annotated[str, Form()] = "",
                      organisation_id: Annotated[str, Form()] = "",
                      contact_person_id: Annotated[str, Form()] = "") -> Response:
    membership, _ = _membership(page, role, organisation_id, contact_person_id, role_required=True)
    if membership is None:  # not a role the form offered: nothing to remove
        return page.redirect(f"/accounts/{account_id}")
    return await _change(page, pool, account_id, "role_removed", lambda account: UpdateAccount(
        memberships=[m for m in account.memberships if m != membership]))


@router.post("/accounts/{account_id}/deactivate", response_class=HTMLResponse)
async def deactivate(account_id: UUID, page: AdminFormDep, pool: DatabasePool) -> Response:
    return await _change(page, pool, account_id, "deactivated", lambda _: UpdateAccount(active=False))


@router.post("/accounts/{account_id}/activate", response_class=HTMLResponse)
async def activate(account_id: UUID, page: AdminFormDep, pool: DatabasePool) -> Response:
    return await _change(page, pool, account_id, "activated", lambda _: UpdateAccount(active=True))


async def _change(page: StaffPage, pool: asyncpg.Pool, account_id: UUID, notice: str,
                  command: Callable[[Account], UpdateAccount]) -> Response:
    """The account changed as the admin API's PATCH changes it; a change that would leave no active admin is
    said on the account's page."""
    with refusals_as_pages():
        account = require_found(await accounts.get(pool, account_id), "account", account_id)
        try:
            await admin.update_account(pool, account_id, command(account), actor=actor(page), now=page.now)
        except Conflict:
            return await _account_page(page, pool, account_id, status_code=409,
                                       problem=page.t["account_no_admin_left"])
    return page.redirect(f"/accounts/{account_id}", notice=notice)


@router.post("/accounts/{account_id}/second-factor/reset", response_class=HTMLResponse)
async def reset_second_factor(account_id: UUID, page: AdminFormDep, pool: DatabasePool) -> Response:
    with refusals_as_pages():
        await second_factor.remove(pool, account_id, actor(page), now=page.now)
    return page.redirect(f"/accounts/{account_id}", notice="totp_removed")


@router.post("/accounts/{account_id}/invite", response_class=HTMLResponse)
async def invite_again(account_id: UUID, page: AdminFormDep, pool: DatabasePool, settings: Settings) -> Response:
    with refusals_as_pages():
        try:
            return await _send_invitation(page, pool, settings, account_id)
        except Conflict:  # deactivated: its link would not work
            return await _account_page(page, pool, account_id, status_code=409,
                                       problem=page.t["account_invite_inactive"])

