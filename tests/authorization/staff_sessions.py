"""Signed-in sessions of the staff service for the matrix, made as staff get them: the first admin by
`create-admin` (its password printed once), every other account through the admin API with an invitation
(the email in the module's mailbox, its link setting the password), then the password sign-in form. A session
is its cookie and its CSRF token, sent back in `X-CSRF-Token` (the staff service takes no bearer tokens)."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from staff.entrypoints.dependencies import CSRF_HEADER, SESSION_COOKIE
from staff.service_layer.accounts import create_admin
from treffpunkt_devstack.mailbox import Mailbox
from treffpunkt_shared.clock import SystemClock
from treffpunkt_shared.contracts.staff import Membership
from treffpunkt_shared.db import connect

from ..services import RunningService
from ..staff.conftest import hidden_field, link_in, sign_in
from ..staff.test_invitations import set_password
from ..staff.test_totp import enrol

PASSWORD = "matrix-passwort-lang-genug"


@dataclass(frozen=True)
class StaffSession:
    cookie: str
    csrf_token: str

    def headers(self, *, csrf: bool = True) -> dict[str, str]:
        """The cookie (as a header: the shared client keeps no cookie jar of a principal) and the CSRF token."""
        return {"Cookie": f"{SESSION_COOKIE}={self.cookie}"} | ({CSRF_HEADER: self.csrf_token} if csrf else {})


async def signed_in(staff: RunningService, email: str, password: str) -> StaffSession:
    """A new session through the sign-in form, with the CSRF token its landing page carries."""
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10) as client:
        answer = await sign_in(client, email, password)
        assert answer.status_code == 303, f"signing {email} in: {answer.status_code} {answer.text[:300]}"
        home = await client.get("/")
        assert home.status_code == 200, home.text
        return StaffSession(client.cookies[SESSION_COOKIE], hidden_field(home.text, "csrf_token"))


async def first_admin(staff: RunningService) -> StaffSession:
    """The admin `create-admin` makes (what the command runs), signed in."""
    email = f"matrix-builder-{uuid.uuid4().hex[:8]}@matrix.example.org"
    conn = await connect(staff.dsn)
    try:
        password = await create_admin(conn, email, "Matrix Builder", now=datetime.now(UTC))
    finally:
        await conn.close()
    return await signed_in(staff, email, password)


async def invited_account(staff: RunningService, admin: StaffSession, mailbox: Mailbox, name: str,
                          memberships: list[Membership]) -> tuple[str, str]:
    """An account created by `admin` with an invitation, its password set through the emailed link: its id and
    email address."""
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@matrix.example.org"
    created = await staff.client.post("/api/staff/accounts", headers=admin.headers(), json={
        "email": email, "display_name": f"Matrix {name}", "language": "de", "invite": True,
        "memberships": [membership.model_dump(mode="json") for membership in memberships]})
    assert created.status_code == 201, f"creating account {name}: {created.status_code} {created.text}"
    [invitation] = await mailbox.wait_for(1, predicate=lambda message: email in message.rcpt_tos)
    async with httpx.AsyncClient(timeout=10) as client:
        answer = await set_password(client, link_in(invitation.text or "", "/invitation"), PASSWORD)
        assert answer.status_code in (200, 303), f"setting {name}'s password: {answer.status_code} {answer.text[:300]}"
    return created.json()["id"], email


async def account_with_totp(staff: RunningService, admin: StaffSession, mailbox: Mailbox) -> str:
    """A new account that has set up its second factor (as someone with an authenticator app does): its id."""
    account_id, email = await invited_account(staff, admin, mailbox, "totp", [])
    session = await signed_in(staff, email, PASSWORD)
    async with httpx.AsyncClient(base_url=staff.base_url, timeout=10,
                                 cookies={SESSION_COOKIE: session.cookie}) as client:
        await enrol(client, session.csrf_token, SystemClock())
    return account_id


async def post(staff: RunningService, admin: StaffSession, path: str, body: dict[str, Any] | None = None,
               expect: int = 201) -> dict[str, Any]:
    response = await staff.client.post(path, json=body, headers=admin.headers())
    assert response.status_code == expect, f"building the world: POST {path}: {response.status_code} {response.text}"
    return response.json()
