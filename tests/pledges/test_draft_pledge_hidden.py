"""A draft pledge stays with its year's secretariat until it is opened for signing (issue 12):
members neither open it nor see it listed."""

import pytest
from django.urls import reverse

from pledges import services
from pledges.models import Pledge


@pytest.mark.parametrize(
    ("role", "sees"), [("member", False), ("secretariat", True), ("admin", True)]
)
def test_a_draft_pledge_is_listed_for_the_secretariat_only(pledge, client_for, role, sees):
    client = client_for(role)
    detail = reverse("pledges:pledge_detail", args=[pledge.pk])
    for url in (
        reverse("pledges:pledge_list", args=[pledge.bloc_id]),
        reverse("blocs:bloc_detail", args=[pledge.bloc_id]),
    ):
        page = client.get(url).content.decode()
        assert (detail in page) is sees, (role, url)
    assert client.get(detail).status_code == (200 if sees else 404)


def test_members_see_the_pledge_once_it_is_opened_for_signing(pledge, client_for):
    services.pledge_set_status(pledge=pledge, status=Pledge.Status.OPEN)
    client = client_for("member")
    detail = reverse("pledges:pledge_detail", args=[pledge.pk])
    assert (
        detail in client.get(reverse("pledges:pledge_list", args=[pledge.bloc_id])).content.decode()
    )
    assert client.get(detail).status_code == 200
