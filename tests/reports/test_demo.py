"""The demo documents (reports/demo.py): Hải Phòng's 2020 year-end review is issued by
`load_demo` (numbered, dated 29/12/2020 as the real one was), ready to download, built from
the demo data, and not issued or built again on a second run; so is its 2020 commendation
dossier."""

import subprocess
from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from blocs import demo as blocs_demo
from reports import dossier
from reports.models import Report, ReportDraft

pytestmark = pytest.mark.django_db


def test_the_hai_phong_2020_review_is_ready_after_load_demo(client):
    call_command("load_demo", force=True, stdout=StringIO())
    report = Report.objects.get(
        draft__bloc__name=blocs_demo.HP_BLOC, draft__year=2020, draft__kind="year_end"
    )
    assert report.status == Report.Status.READY and report.issued
    assert report.page_count >= 3
    draft = report.draft
    abbreviation = draft.issuer.abbreviation
    assert (draft.status, draft.issue_date) == ("issued", date(2020, 12, 29))
    assert (draft.symbol, draft.number_year) == (f"01/BC-{abbreviation}", 2020)
    text = subprocess.run(
        ["pdftotext", "-layout", report.pdf.path, "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "BÁO CÁO" in text
    assert "Hải Phòng, ngày 29 tháng 12 năm 2020" in text
    assert f"Số: 01/BC-{abbreviation}" in text and "DỰ THẢO" not in text
    assert "Vũ Thị Bích Liên" in text
    # The leading unit chosen by the ballot of 29/12/2020 is named from the data.
    assert "Hội Liên hiệp Phụ nữ thành phố Hải Phòng" in text

    # The demo member downloads it.
    client.login(username="hoivien", password="hoivien12345")
    response = client.get(reverse("reports:document_download", args=[draft.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"

    # The 2020 commendation dossier is built and issued from the demo's proposals: the
    # minutes of the review, the memo and the list from the chair's registry after the
    # review report, and each proposed unit's report from its own.
    found = dossier.dossier_for(draft.bloc, 2020)
    # three units; the leading one is also proposed for the Government flag (the council demo)
    assert found.complete and found.proposed == 4
    symbols = {p.kind: p.symbol for p in found.parts if p.subject is None}
    assert symbols == {
        "minutes": f"02/BB-{abbreviation}",
        "proposal_memo": f"04/TTr-{abbreviation}",
        "proposal_list": f"05/DS-{abbreviation}",
    }
    units = {p.subject.name: p.draft for p in found.parts if p.subject is not None}
    assert len(units) == 3 and all(d.issuer == d.subject for d in units.values())
    assert all(d.issue_date == date(2020, 12, 30) for d in units.values())

    # A second run leaves the drafts and their reports alone.
    drafts, reports = ReportDraft.objects.count(), Report.objects.count()
    assert drafts == 1 + len(found.parts)
    call_command("load_demo", force=True, stdout=StringIO())
    assert ReportDraft.objects.count() == drafts
    assert Report.objects.count() == reports
