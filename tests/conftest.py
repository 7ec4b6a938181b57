"""Shared fixtures: a bloc with four members and one user per role.

Roles (the access matrix uses these names):
- anonymous: not logged in;
- outsider: official of an organization that belongs to another bloc;
- member: official of a member organization that does not chair this year;
- secretariat: official of this year's chair organization;
- admin: staff superuser;
- staff: staff flag only, no organization and no assignment: the Django admin opens for it
  (with whatever model permissions it is given), the portal gives it no right (an outsider);
- council: official of the body that organizes the bloc (its emulation and commendation
  council): reads the bloc, writes none of it, decides on its proposals.
"""

from dataclasses import dataclass

import pytest

from blocs.models import Bloc, current_year

from .factories import (
    BlocFactory,
    ChairTermFactory,
    MembershipFactory,
    OfficialFactory,
    OrganizationFactory,
    UserFactory,
)

ROLES = ("anonymous", "outsider", "member", "secretariat", "admin", "staff", "council")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    # Uploads and generated PDFs of a test never land in the developer's var/media.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 costs ~0.3 s per user; the tests check access, not hashing strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@dataclass
class World:
    bloc: Bloc
    other_bloc: Bloc
    orgs: list
    outsider_org: object
    users: dict


@pytest.fixture
def world(db) -> World:
    year = current_year()
    body = OrganizationFactory(
        name="Ủy ban nhân dân thành phố Hải Phòng", short_name="UBND thành phố"
    )
    bloc = BlocFactory(
        name="Khối thi đua Mặt trận Tổ quốc và các tổ chức chính trị - xã hội",
        organizing_body=body,
    )
    names = [
        ("Hội Liên hiệp Phụ nữ thành phố", "Hội LHPN"),
        ("Thành đoàn Hải Phòng", "Thành đoàn"),
        ("Liên đoàn Lao động thành phố", "LĐLĐ"),
        ("Ủy ban MTTQ Việt Nam thành phố", "UBMTTQ"),
    ]
    orgs = [OrganizationFactory(name=n, short_name=s) for n, s in names]
    orgs[0].head_name = "Vũ Thị Bích Liên"  # the chair's head signs its documents
    orgs[0].save(update_fields=["head_name"])
    for i, org in enumerate(orgs, start=1):
        MembershipFactory(bloc=bloc, organization=org, first_year=year - 3, rotation_order=i)
    ChairTermFactory(bloc=bloc, year=year, chair=orgs[0], deputy=orgs[1])

    other_bloc = BlocFactory(name="Cụm thi đua số 5")
    outsider_org = OrganizationFactory(name="Ủy ban MTTQ thị xã Sơn Tây", short_name="Sơn Tây")
    MembershipFactory(bloc=other_bloc, organization=outsider_org, first_year=year - 3)

    users = {
        "anonymous": None,
        "outsider": OfficialFactory(organization=outsider_org, user__username="outsider").user,
        "member": OfficialFactory(organization=orgs[2], user__username="member").user,
        "secretariat": OfficialFactory(organization=orgs[0], user__username="secretariat").user,
        "admin": UserFactory(username="admin", is_staff=True, is_superuser=True),
        "staff": UserFactory(username="staff", is_staff=True),
        "council": OfficialFactory(organization=body, user__username="council").user,
    }
    return World(bloc, other_bloc, orgs, outsider_org, users)


@pytest.fixture
def client_for(client, world):
    """client_for("member") returns a test client logged in as that role."""

    def make(role: str):
        user = world.users[role]
        if user is not None:
            client.force_login(user)
        return client

    return make
