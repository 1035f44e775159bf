"""The rules of who an identity provider's claims sign in (no I/O): a verified address, the groups' memberships."""

from uuid import UUID

import pytest

from staff.domain.model import Account
from staff.domain.oidc_identity import Refused, check_account, identity, mapped_memberships
from treffpunkt_shared.contracts.staff import Membership, Role

ORGANISATION = UUID("5e3f2a10-8c4d-4b6e-9f1a-2d3c4b5a6e71")
ADMIN = Membership(role=Role.admin)
ORGANISER = Membership(role=Role.organiser, organisation_id=ORGANISATION)
ACCOUNT = Account(UUID(int=1), "erika@stadt.example", "Erika", "de", True)


@pytest.mark.parametrize(("claims", "reason"), [
    ({"sub": "1", "email_verified": True}, "no email"),
    ({"sub": "1", "email": "erika@stadt.example"}, "email not verified"),
    ({"sub": "1", "email": "erika@stadt.example", "email_verified": "true"}, "email not verified"),
])
def test_only_a_verified_address_identifies_someone(claims: dict, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        identity(claims, None)


def test_the_identity_takes_the_name_and_the_groups_of_the_configured_claim() -> None:
    person = identity({"sub": "1", "email": "erika@stadt.example", "email_verified": True, "roles": "a"}, "roles")
    assert (person.name, person.groups) == ("erika", ("a",))  # no name: the address's local part; one group
    assert identity({"sub": "1", "email": "e@x.example", "email_verified": True, "groups": ["a", 3]}, None).groups == ()


def test_the_mapped_memberships_are_those_of_the_mapped_groups_each_once() -> None:
    mapping = {"admins": [ADMIN], "ihk": [ORGANISER], "ihk-leitung": [ORGANISER, ADMIN]}
    assert mapped_memberships(["ihk", "ihk-leitung", "unmapped"], mapping) == [ORGANISER, ADMIN]
    assert mapped_memberships(["unmapped"], mapping) == []


@pytest.mark.parametrize(("account", "mapped", "reason"), [
    (None, None, "no account"),
    (Account(UUID(int=1), "e@x.example", "E", "de", False), None, "account deactivated"),
    (Account(UUID(int=1), "e@x.example", "E", "de", False), [ADMIN], "account deactivated"),
    (ACCOUNT, [], "no mapped group"),
    (None, [], "no mapped group"),
])
def test_who_may_not_sign_in(account: Account | None, mapped: list[Membership] | None, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        check_account(account, mapped=mapped)


@pytest.mark.parametrize(("account", "mapped"), [(ACCOUNT, None), (ACCOUNT, [ADMIN]), (None, [ADMIN])])
def test_who_may_sign_in(account: Account | None, mapped: list[Membership] | None) -> None:
    check_account(account, mapped=mapped)
