"""Members download the issued documents (the approved minutes, the signed pledge) from the
page they are about; every build made while writing stays with the secretariat (issue 12,
reports/rules.py)."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from blocs.models import Meeting, current_year
from pledges.models import Pledge
from reports import services
from tests.factories import PledgeFactory

from .helpers import make_draft, make_issued, make_report

YEAR = current_year()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _with_docx(report):
    report.docx.save("issued.docx", ContentFile(b"PK\x03\x04 a document"), save=True)
    return report


def _approved_meeting(world) -> Meeting:
    return Meeting.objects.create(
        bloc=world.bloc,
        year=YEAR,
        kind=Meeting.Kind.YEAR_END,
        title="Hội nghị tổng kết",
        starts_at=timezone.now(),
        place="Hải Phòng",
        status=Meeting.Status.APPROVED,
        approved_at=timezone.now(),
    )


def test_a_member_reads_the_issued_build_and_not_the_draft_builds(world, client_for):
    draft = make_draft(world.bloc, YEAR, signer_name="Vũ Thị Bích Liên")
    draft_build = make_report(draft)
    issued = _with_docx(make_issued(draft))
    member = client_for("member")
    for name in ("report_status", "report_download", "report_docx", "report_xlsx"):
        assert member.get(reverse(f"reports:{name}", args=[draft_build.pk])).status_code == 404
    assert member.get(reverse("reports:report_download", args=[issued.pk])).status_code == 200
    assert member.get(reverse("reports:report_docx", args=[issued.pk])).status_code == 200
    secretariat = client_for("secretariat")
    url = reverse("reports:report_download", args=[draft_build.pk])
    assert secretariat.get(url).status_code == 200


def test_the_list_shows_members_the_issued_documents_only(world, client_for):
    issued_draft = make_draft(world.bloc, YEAR, signer_name="Vũ Thị Bích Liên")
    issued = _with_docx(make_issued(issued_draft))
    meeting = _approved_meeting(world)
    writing = services.draft_get_or_create(
        bloc=world.bloc, year=YEAR, kind="minutes", meeting=meeting
    )
    in_progress = make_report(writing)
    url = reverse("reports:report_list", args=[world.bloc.pk])
    page = client_for("member").get(url).content.decode()
    assert reverse("reports:document_download", args=[issued_draft.pk]) in page
    assert reverse("reports:report_docx", args=[issued.pk]) in page
    assert f'id="draft-{writing.pk}"' not in page
    assert reverse("reports:report_download", args=[in_progress.pk]) not in page
    page = client_for("secretariat").get(url).content.decode()
    assert f'id="draft-{writing.pk}"' in page


def test_members_download_the_approved_minutes_from_the_meeting_page(world, client_for):
    meeting = _approved_meeting(world)
    minutes = services.draft_get_or_create(
        bloc=world.bloc, year=YEAR, kind="minutes", meeting=meeting
    )
    services.draft_update(draft=minutes, signer_name="Vũ Thị Bích Liên")
    make_report(minutes)  # a build while writing: not linked
    member = client_for("member")
    url = reverse("blocs:meeting_detail", args=[meeting.pk])
    assert 'data-issued-document="minutes"' not in member.get(url).content.decode()
    issued = _with_docx(make_issued(minutes))
    page = member.get(url).content.decode()
    assert reverse("reports:document_download", args=[minutes.pk]) in page
    assert reverse("reports:report_docx", args=[issued.pk]) in page
    response = member.get(reverse("reports:document_download", args=[minutes.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_members_download_the_signed_pledge_from_the_pledge_page(world, client_for):
    pledge = PledgeFactory(bloc=world.bloc, year=YEAR, status=Pledge.Status.SIGNED)
    draft = services.draft_get_or_create(bloc=world.bloc, year=YEAR, kind="pledge")
    services.draft_update(draft=draft, signer_name="Vũ Thị Bích Liên")
    url = reverse("pledges:pledge_detail", args=[pledge.pk])
    member = client_for("member")
    assert 'data-issued-document="pledge"' not in member.get(url).content.decode()
    make_issued(draft)
    page = member.get(url).content.decode()
    assert reverse("reports:document_download", args=[draft.pk]) in page
    assert 'data-issued-docx="pledge"' not in page  # this build has no Word file
