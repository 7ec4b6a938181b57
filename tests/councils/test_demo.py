"""The demo's council: the Hải Phòng bloc's organizing body, its official `hoidong`, the 20%
quota for the Government flag in 2020, a proposal on hold and the complete 2020 dossier, on the
council's page."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from blocs import demo as blocs_demo
from blocs.models import Bloc
from pledges.models import CouncilQuota, ProposalHold

pytestmark = pytest.mark.django_db


def test_the_hai_phong_council_sees_its_2020_quota_and_hold(client):
    call_command("load_demo", force=True, stdout=StringIO())
    call_command("load_demo", force=True, stdout=StringIO())  # idempotent
    bloc = Bloc.objects.get(name=blocs_demo.HP_BLOC)
    assert bloc.organizing_body.name == blocs_demo.HP_UBND
    quota = CouncilQuota.objects.get(organizing_body=bloc.organizing_body, year=2020)
    assert quota.title.code == "co-td-cp" and quota.max_percent == 20
    (hold,) = ProposalHold.objects.active()
    assert hold.proposal.organization.name == blocs_demo.HP_MTTQ
    assert client.login(username="hoidong", password="hoidong12345")
    with translation.override("vi"):
        response = client.get(
            reverse("councils:detail", args=[bloc.organizing_body_id, 2020]),
            HTTP_ACCEPT_LANGUAGE="vi",
        )
    assert response.status_code == 200
    page = response.context["page"]
    (row,) = page.blocs
    assert [org.name for org in row.leading] == [blocs_demo.HP_HLHPN]
    (use,) = page.quotas
    # 20% of the one collective leading the city's one bloc: no Government flag this year.
    assert (use.leading, use.limit, use.proposed) == (1, 0, 1)
    assert [r.proposal.organization.name for r in use.exceeding] == [blocs_demo.HP_HLHPN]
    assert "Tạm dừng xét" in response.content.decode()
    # The bloc's 2020 commendation dossier (reports.dossier), issued by the demo, is complete
    # on the council's page, with a link to it.
    assert row.dossier.complete and row.dossier.issued_count == len(row.dossier.parts) == 6
    html = response.content.decode()
    assert 'data-dossier="complete"' in html
    assert f"{reverse('reports:dossier', args=[bloc.pk])}?year=2020" in html
