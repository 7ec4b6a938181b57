"""The secretariat reminds several members at once (issue 12): only the members that have
not done the step, through the pledges' service, told by the notifications app (event
"pledges.reminder_sent") to each organization's officials."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import translation

from blocs.models import current_year
from notifications.models import Notification
from pledges import services
from pledges.models import Pledge
from tests.factories import OfficialFactory, PledgeFactory


@pytest.fixture
def open_pledge(world) -> Pledge:
    return PledgeFactory(bloc=world.bloc, year=current_year(), status=Pledge.Status.OPEN)


def _sign(pledge, org):
    services.pledge_sign(
        pledge=pledge, organization=org, signer_name="Nguyễn Văn A", signer_position="Chủ tịch"
    )


def test_only_members_that_have_not_signed_are_reminded(world, open_pledge):
    o = world.orgs
    _sign(open_pledge, o[0])
    other_official = OfficialFactory(organization=o[3]).user
    assert services.reminder_candidates(open_pledge, "sign") == [o[1], o[2], o[3]]
    count = services.reminders_send(
        pledge=open_pledge,
        step="sign",
        organization_ids=[o[0].pk, o[2].pk, o[3].pk],  # o[0] signed already: left out
        actor=world.users["secretariat"],
    )
    assert count == 2
    notices = Notification.objects.filter(kind="reminder")
    assert {n.recipient for n in notices} == {world.users["member"], other_official}
    notice = notices.get(recipient=world.users["member"])
    assert notice.url == reverse("pledges:pledge_sign", args=[open_pledge.pk])
    with translation.override("vi"):
        assert notice.text == (
            f"Bộ phận giúp việc {world.bloc.name} nhắc {o[2]} ký giao ước thi đua của "
            f"“{open_pledge.title}”."
        )


def test_refusals_change_nothing(world, open_pledge):
    o = world.orgs
    with pytest.raises(PermissionDenied):
        services.reminders_send(
            pledge=open_pledge, step="sign", organization_ids=[o[2].pk], actor=world.users["member"]
        )
    with pytest.raises(ValidationError):  # self-scoring while the pledge is open for signing
        services.reminders_send(pledge=open_pledge, step="self_score", organization_ids=[o[2].pk])
    with pytest.raises(ValidationError):  # nobody chosen
        services.reminders_send(pledge=open_pledge, step="sign", organization_ids=[])
    assert not Notification.objects.filter(kind="reminder").exists()


def test_the_page_lists_who_has_not_done_it_and_sends(world, open_pledge, client_for):
    o = world.orgs
    _sign(open_pledge, o[1])
    client = client_for("secretariat")
    url = reverse("pledges:reminders", args=[open_pledge.pk])
    assert url in client.get(open_pledge.get_absolute_url()).content.decode()
    page = client.get(url + "?step=sign").content.decode()
    assert f'value="{o[2].pk}"' in page and f'value="{o[1].pk}"' not in page
    response = client.post(url, {"step": "sign", "organization": [str(o[2].pk), "x"]}, follow=True)
    assert "Đã gửi lời nhắc tới 1 đơn vị." in response.content.decode()
    assert Notification.objects.filter(kind="reminder", recipient=world.users["member"]).exists()
    assert client_for("member").post(url, {"step": "sign"}).status_code == 403
