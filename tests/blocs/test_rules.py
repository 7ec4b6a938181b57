"""Who sees and who runs a bloc; rotating the chair moves the secretariat."""

import pytest

from blocs import services
from blocs.models import Bloc, ChairTerm, Organization, current_year
from blocs.rules import is_secretariat
from tests.factories import SecretaryAssignmentFactory

ROLE_CAN = {
    # role: (read_bloc, manage_bloc)
    "outsider": (False, False),
    "member": (True, False),
    "secretariat": (True, True),
    "admin": (True, True),
}


@pytest.mark.parametrize("role", ROLE_CAN)
def test_permissions_per_role(world, role):
    user = world.users[role]
    can_read, can_manage = ROLE_CAN[role]
    assert user.has_perm("blocs.read_bloc", world.bloc) is can_read
    assert user.has_perm("blocs.manage_bloc", world.bloc) is can_manage


def test_visible_to(world):
    assert list(Bloc.objects.visible_to(world.users["member"])) == [world.bloc]
    assert list(Bloc.objects.visible_to(world.users["outsider"])) == [world.other_bloc]
    assert Bloc.objects.visible_to(world.users["admin"]).count() == 2


def test_a_future_member_does_not_see_the_bloc_yet(world):
    from blocs.models import Membership

    Membership.objects.filter(organization=world.orgs[2]).update(first_year=current_year() + 1)
    assert not Bloc.objects.visible_to(world.users["member"]).exists()


def test_assigned_secretary_is_secretariat_without_chairing(world):
    member = world.users["member"]
    SecretaryAssignmentFactory(bloc=world.bloc, user=member)
    assert is_secretariat(member, world.bloc)
    assert world.users["outsider"].has_perm("blocs.manage_bloc", world.bloc) is False


def test_secretariat_follows_the_chair(world):
    """The chair organization's officials run the bloc only in their year."""
    year = current_year()
    secretariat, member = world.users["secretariat"], world.users["member"]
    ChairTerm.objects.filter(bloc=world.bloc, year=year).delete()
    services.chair_term_create(
        bloc=world.bloc, year=year, chair=world.orgs[2], deputy=world.orgs[3]
    )
    assert is_secretariat(member, world.bloc)
    assert not is_secretariat(secretariat, world.bloc)
    assert is_secretariat(secretariat, world.bloc, year=year - 1) is False


def test_visible_organizations(world):
    visible = Organization.objects.visible_to(world.users["member"])
    assert set(visible) == set(world.orgs)
    assert world.outsider_org not in visible
