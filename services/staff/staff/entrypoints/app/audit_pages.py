"""The audit per event (`/events/{id}/audit`): who changed what and when, merged from the catalog's,
registration's and notification's `GET /api/staff/audit?event_id=` (each decides who may read it: admins and
the event's organisers), newest first. Actors by the account's name, which the staff service knows (accounts
are its data), else by the name the entry carries (a machine token's); actions in words, else their key."""

import asyncio
from datetime import datetime
from typing import Any
from uuid import UUID

import asyncpg
from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from treffpunkt_shared.db import DatabasePool

from ...adapters import accounts, machine_tokens
from ...adapters.service_calls import Service, ServiceRefused
from ..app_page import PageDep, StaffPage

router = APIRouter(include_in_schema=False)

SERVICES: tuple[Service, ...] = ("catalog", "registration", "notification")
TOKEN_ACTOR = "token:"


async def staff_names(pool: asyncpg.Pool) -> dict[str, str]:
    """The accounts' and machine tokens' names by id: whom audit entries name by id."""
    return ({str(a.id): a.display_name for a in await accounts.list_all(pool)}
            | {str(m.token_id): m.name for m in await machine_tokens.list_all(pool)})


async def _entries(page: StaffPage, service: Service, event_id: UUID) -> list[dict[str, Any]] | None:
    """The service's entries for the event; [] when it does not know the event (yet: a draft, say); None when
    it cannot be reached. A refusal (403) is the page's."""
    try:
        entries = await page.calls.get(service, "/api/staff/audit", params={"event_id": str(event_id)})
    except ServiceRefused as refused:
        if refused.status == 404:
            return []
        if refused.status >= 500:
            return None
        raise
    return [entry | {"service": service} for entry in entries]


@router.get("/events/{event_id}/audit", response_class=HTMLResponse)
async def event_audit(event_id: UUID, page: PageDep, pool: DatabasePool) -> HTMLResponse:
    event = await page.calls.get("catalog", f"/api/staff/events/{event_id}")  # 403 and 404 as the refusal page
    answers = await asyncio.gather(*(_entries(page, service, event_id) for service in SERVICES))
    names = await staff_names(pool)
    sessions = {s["id"]: s["title"] for s in event["sessions"]}
    entries = sorted((entry for answer in answers if answer for entry in answer),
                     key=lambda entry: datetime.fromisoformat(entry["occurred_at"]), reverse=True)
    missing = [page.t[f"service.{service}"] for service, answer in zip(SERVICES, answers, strict=True) if answer is None]
    return page.render("app/audit/event.html", event=event, missing=missing,
                       entries=[_shown(page, entry, names, event["id"], sessions) for entry in entries])


def _shown(page: StaffPage, entry: dict[str, Any], names: dict[str, str], event_id: str,
           sessions: dict[str, str]) -> dict[str, Any]:
    t = page.t
    actor, target = entry["actor"], entry["target_id"]
    if actor in names:
        who = names[actor]
    elif actor.startswith(TOKEN_ACTOR):
        who = t["event_audit_token"].format(name=entry["actor_name"])
    else:
        who = entry["actor_name"]
    link = None
    if target == event_id:
        about = t["audit_target_event"]
    elif target in sessions:
        about = t["audit_target_session"].format(title=sessions[target])
    elif entry["action"].startswith("registration."):
        about, link = t["audit_target_registration"], page.url(f"/registrations/{target}")
    else:
        about = target
    return {"at": entry["occurred_at"], "service": t[f"service.{entry['service']}"], "who": who, "about": about,
            "link": link, "action": t.get(f"action.{entry['action']}", entry["action"])}
