"""The staff flag alone gives no portal-side right (issue 14): a staff user with no role in a
bloc is an outsider there; a superuser keeps the admin role. The access matrix walks every
page for the "staff" role; these tests take the writes the issue found."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from blocs import rules as bloc_rules
from blocs.models import Bloc, Organization, current_year
from blocs.rules import Role
from pledges import services
from pledges.models import Adjustment
from pledges.rules import PledgeAccess

from .test_access_matrix import d2_pledge


def test_staff_without_a_role_is_an_outsider_and_a_superuser_an_admin(world):
    staff, admin = world.users["staff"], world.users["admin"]
    year = current_year()
    assert bloc_rules.access(staff, world.bloc, year).role is Role.OUTSIDER
    assert not bloc_rules.is_secretariat(staff, world.bloc, year)
    assert not bloc_rules.may_read(staff, world.bloc)
    assert list(Bloc.objects.visible_to(staff)) == []
    assert list(Organization.objects.visible_to(staff)) == []
    assert bloc_rules.access(admin, world.bloc, year).role is Role.ADMIN
    assert bloc_rules.is_secretariat(admin, world.bloc, year)


def test_staff_cannot_verify_scores_or_delete_an_adjustment_line(world):
    staff = world.users["staff"]
    pledge = d2_pledge(world)
    line = services.adjustment_add(
        pledge=pledge, organization=world.orgs[2], kind="bonus", points="1", reason="Sáng kiến"
    )
    assert not PledgeAccess(staff, pledge).secretariat
    with pytest.raises(PermissionDenied):
        services.adjustment_delete(adjustment=line, actor=staff)
    assert Adjustment.objects.filter(pk=line.pk).exists()
    # the superuser still may
    services.adjustment_delete(adjustment=line, actor=world.users["admin"])
    assert not Adjustment.objects.filter(pk=line.pk).exists()


def test_staff_gets_404_on_the_verification_page_a_superuser_200(world, client):
    pledge = d2_pledge(world)
    url = reverse("pledges:verify", args=[pledge.pk])
    client.force_login(world.users["staff"])
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code == 404
    client.force_login(world.users["admin"])
    assert client.get(url).status_code == 200


def test_a_staff_official_keeps_the_rights_of_its_organization(world):
    member = world.users["member"]
    member.is_staff = True
    member.save()
    year = current_year()
    assert bloc_rules.access(member, world.bloc, year).role is Role.MEMBER
    assert not bloc_rules.is_secretariat(member, world.bloc, year)
