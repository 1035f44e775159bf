"""The commands admins send to the staff service; they are also the bodies of its admin API's requests.

`Update*` commands carry the fields to change: a field left out stays as it is."""

from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from treffpunkt_shared.contracts.registration import VISIBLE_LINE
from treffpunkt_shared.contracts.staff import Membership

DisplayName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=VISIBLE_LINE),
                        Field(description="The name shown to others and in audit views.", examples=["Erika Beispiel"])]
LanguageField = Annotated[Literal["de", "en"], Field(description="The language of the account's pages and emails.")]
Memberships = Annotated[list[Membership], Field(max_length=100, description="Roles with their scopes.")]


class CreateAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: EmailStr = Field(description="Sign-in address; one account per address, whatever its case.",
                            examples=["erika.beispiel@stadt.example.de"])
    display_name: DisplayName
    language: LanguageField = "de"
    memberships: Memberships = Field(default_factory=list)
    invite: bool = Field(False, description="true: email the new account an invitation with a one-time link to "
                         "set its password (as `POST /api/staff/accounts/{id}/invite` does).")


class UpdateAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")

    display_name: DisplayName | None = None
    language: LanguageField | None = None
    active: bool | None = Field(None, description="false: deactivated (its sessions end, it cannot sign in); "
                                "true: active again.")
    memberships: Memberships | None = Field(None, description="Replace all of the account's memberships.")


class CreateMachineToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=VISIBLE_LINE)] = Field(
        description="What the token is for; it names the actor in audit entries.", examples=["website-import"])
    organisation_id: UUID | None = Field(
        description="Its scope: one organisation (the token acts as its organiser), or null for all.")
    can_write: bool = Field(description="false: it may only read.")
