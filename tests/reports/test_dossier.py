"""The commendation dossier (reports/dossier.py and the kinds proposal_memo, achievement,
proposal_list): the documents an office signs (real WeasyPrint, read back with pdftotext),
their DOCX, the policy of a unit's own report, the zip named by numbers, and query counts.

Without poppler-utils the PDF checks are skipped with the reason printed, except under
CI=true, where a missing tool is a failure."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from openpyxl import load_workbook

from blocs.models import ChairTerm, Official, Organization
from reports import dossier, issuing, services
from reports.documents import gather_for_draft, render_html
from reports.docx_builder import html_to_docx
from reports.kinds import get_kind
from reports.management.commands.bench_reports import seed_year
from reports.models import ReportDraft
from reports.rendering import html_to_pdf

from .helpers import make_issued

pytestmark = pytest.mark.django_db
TOOLS = ("pdftotext",)
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]
if MISSING and os.environ.get("CI", "").lower() == "true":
    raise RuntimeError(f"CI needs poppler-utils: {MISSING} not found")
needs_poppler = pytest.mark.skipif(bool(MISSING), reason="poppler-utils not installed")
YEAR = 2020
NEW_KINDS = ("proposal_memo", "proposal_list", "achievement")


def _year(tag: str):
    """A seeded year (6 members, a review meeting, a ballot, proposals) and its bloc."""
    year_end = seed_year(6, tag=tag)
    return year_end.bloc


def _user(name: str, organization: Organization | None = None):
    user = get_user_model().objects.create_user(username=name, password="x")
    if organization is not None:
        Official.objects.create(user=user, organization=organization)
    return user


def _proposed(bloc) -> list[Organization]:
    return [p.subject for p in dossier.dossier_for(bloc, YEAR).parts if p.subject is not None]


def _sign_all(found: dossier.Dossier) -> None:
    for part in found.parts:
        if part.draft is not None and not part.draft.is_issued:
            services.draft_update(draft=part.draft, signer_name="Vũ Thị Bích Liên")


def _text(pdf: bytes, tmp_path, name: str) -> str:
    path = tmp_path / f"{name}.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return re.sub(r"\s+", " ", out)


def _pdf(draft: ReportDraft) -> bytes:
    return html_to_pdf(render_html(None, gather_for_draft(draft))).pdf


# The documents ------------------------------------------------------------------------------


@needs_poppler
def test_each_new_document_has_the_nd30_elements_and_takes_its_number_at_issue(tmp_path):
    bloc = _year("nd30")
    found = dossier.dossier_prepare(bloc=bloc, year=YEAR)
    _sign_all(found)
    drafts = {
        p.kind if p.subject is None else f"achievement-{p.subject.abbreviation}": p.draft
        for p in found.parts
        if p.kind in NEW_KINDS
    }
    assert len(drafts) == 2 + len(_proposed(bloc)) >= 3
    for name, draft in drafts.items():
        draft.refresh_from_db()
        type_code = draft.type_code
        before = _text(_pdf(draft), tmp_path, f"{name}-draft")
        assert "DỰ THẢO" in before and f"/{type_code}-" in before, name
        assert not re.search(rf"Số: \d+/{type_code}", before), name  # a draft has no number
        issuing.document_issue(draft=draft, issued_on=date(YEAR, 12, 30))
        draft.refresh_from_db()
        body = _text(_pdf(draft), tmp_path, name)
        assert "DỰ THẢO" not in body
        assert (
            "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in body and "Độc lập - Tự do - Hạnh phúc" in body
        )
        assert f"Số: {draft.symbol}" in body and re.match(rf"\d\d/{type_code}-", draft.symbol)
        assert "Hải Phòng, ngày 30 tháng 12 năm 2020" in body
        assert get_kind(draft.kind).doc_type in body
        assert draft.signer_name in body or (draft.subject and draft.subject.head_name in body)
        if draft.kind == "proposal_memo":
            council = f"Hội đồng Thi đua - Khen thưởng {bloc.organizing_body.name}"
            assert f"Kính gửi: {council}." in body
            assert "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15" in body
            assert "Nghị định số 152/2025/NĐ-CP" in body
            assert "Nơi nhận: - Như trên;" in body
            assert "TỜ TRÌNH Về việc đề nghị khen thưởng năm 2020" in body
        else:
            assert "Kính gửi" not in body


@needs_poppler
def test_the_memo_cites_the_issued_minutes_and_checks_the_quota(tmp_path):
    from pledges.models import CommendationQuota, Proposal

    bloc = _year("memo")
    found = dossier.dossier_prepare(bloc=bloc, year=YEAR)
    _sign_all(found)
    minutes = next(p.draft for p in found.parts if p.kind == "minutes")
    make_issued(minutes, issued_on=date(YEAR, 12, 29))
    merit = Proposal.objects.filter(pledge__bloc=bloc).exclude(ballot__isnull=False).first()
    assert merit is not None
    CommendationQuota.objects.create(pledge=merit.pledge, title=merit.title, max_count=0)
    memo = next(p.draft for p in found.parts if p.kind == "proposal_memo")
    body = _text(_pdf(memo), tmp_path, "memo")
    assert f"Căn cứ Biên bản họp bình xét số {minutes.symbol} ngày 29/12/2020" in body
    assert "Vượt chỉ tiêu: " in body  # the merit's quota is 0


@needs_poppler
def test_the_achievement_report_has_the_units_figures_and_signer(tmp_path):
    bloc = _year("ach")
    found = dossier.dossier_prepare(bloc=bloc, year=YEAR)
    part = next(p for p in found.parts if p.kind == "achievement")
    draft = part.draft
    assert draft.issuer == part.subject and draft.subject == part.subject
    assert draft.signer_name == part.subject.head_name and not draft.recipients
    services.draft_update(draft=draft, situation="MARK-DAC-DIEM", results="MARK-THANH-TICH")
    draft.refresh_from_db()
    body = _text(_pdf(draft), tmp_path, "achievement")
    for heading in (
        "I. SƠ LƯỢC ĐẶC ĐIỂM, TÌNH HÌNH",
        "II. THÀNH TÍCH ĐẠT ĐƯỢC",
        "III. CÁC HÌNH THỨC KHEN THƯỞNG ĐÃ ĐƯỢC GHI NHẬN",
        "XÁC NHẬN CỦA CẤP TRÌNH KHEN THƯỞNG",
    ):
        assert heading in body
    assert body.index("MARK-DAC-DIEM") < body.index("II. THÀNH TÍCH") < body.index("MARK-THANH")
    assert re.search(r"điểm, xếp thứ \d+(?: \(đồng hạng\))?/6 đơn vị", body)
    assert part.subject.name.upper() in body  # the unit issues it in its own name
    assert "Nơi nhận" not in body


def test_the_docx_of_each_new_kind_builds_from_the_same_html():
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    bloc = _year("docx")
    found = dossier.dossier_prepare(bloc=bloc, year=YEAR)
    for part in found.parts:
        if part.kind not in NEW_KINDS:
            continue
        html = render_html(None, gather_for_draft(part.draft))
        document = Document(io.BytesIO(html_to_docx(html, title=part.kind)))
        text = "\n".join(p.text for p in document.paragraphs)
        text += "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
        assert get_kind(part.kind).doc_type in text
        addressed = [p for p in document.paragraphs if p.text.startswith("Kính gửi")]
        if part.kind == "proposal_memo":
            # Centred as in the PDF, not left where a body paragraph would be.
            assert [p.alignment for p in addressed] == [WD_ALIGN_PARAGRAPH.CENTER]
        else:
            assert addressed == []


def test_the_list_spreadsheet_keeps_a_formula_like_name_as_text():
    bloc = _year("xlsx")
    unit = _proposed(bloc)[0]
    Organization.objects.filter(pk=unit.pk).update(name='=HYPERLINK("http://x","y")')
    draft = dossier.dossier_prepare(bloc=bloc, year=YEAR).parts[1].draft
    assert draft.kind == "proposal_list"
    data = gather_for_draft(draft)
    sheet = load_workbook(io.BytesIO(get_kind("proposal_list").spreadsheet(data))).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value and "HYPERLINK" in str(c.value)]
    assert cells and all(c.data_type == "s" for c in cells)
    assert [c.value for c in sheet[4]][:3] == ["STT", "Tên tập thể", "Hình thức đề nghị"]


# Drafts and the policy -----------------------------------------------------------------------


def test_an_achievement_report_is_about_a_proposed_unit_and_once_per_unit():
    bloc = _year("rules")
    unit = _proposed(bloc)[0]
    with pytest.raises(ValidationError) as no_unit:
        services.draft_get_or_create(bloc=bloc, year=YEAR, kind="achievement")
    assert "subject" in no_unit.value.error_dict
    outsider = Organization.objects.create(name="Đơn vị ngoài Khối (rules)", abbreviation="NK")
    with pytest.raises(ValidationError):
        services.draft_get_or_create(bloc=bloc, year=YEAR, kind="achievement", subject=outsider)
    with pytest.raises(ValidationError):
        services.draft_get_or_create(bloc=bloc, year=YEAR, kind="proposal_memo", subject=unit)
    first = services.draft_get_or_create(bloc=bloc, year=YEAR, kind="achievement", subject=unit)
    again = services.draft_get_or_create(bloc=bloc, year=YEAR, kind="achievement", subject=unit)
    assert first.pk == again.pk
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportDraft.objects.create(
            bloc=bloc, year=YEAR, kind="achievement", subject=unit, style=first.style
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportDraft.objects.create(bloc=bloc, year=YEAR, kind="achievement", style=first.style)


def test_the_units_official_writes_its_own_report_and_not_another_units(client):
    bloc = _year("policy")
    found = dossier.dossier_prepare(bloc=bloc, year=YEAR)
    reports = [p for p in found.parts if p.kind == "achievement"]
    assert len(reports) >= 2
    own, other = reports[0], reports[1]
    official = _user("unit-official", own.subject)
    client.force_login(official)
    edit = reverse("reports:draft_edit", args=[own.draft.pk])
    assert client.get(edit).status_code == 200
    response = client.post(edit, {**_form(own.draft), "situation": "Đặc điểm của đơn vị."})
    assert response.status_code == 302
    own.draft.refresh_from_db()
    assert own.draft.situation == "Đặc điểm của đơn vị."
    assert client.get(reverse("reports:draft_edit", args=[other.draft.pk])).status_code == 403
    # Its own report is numbered in its own registry: the issuer cannot be switched.
    elsewhere = bloc.memberships.exclude(organization=own.subject).first().organization
    with pytest.raises(ValidationError) as switched:
        services.draft_update(draft=own.draft, actor=official, issuer=elsewhere)
    assert "issuer" in switched.value.error_dict
    client.post(edit, {**_form(own.draft), "issuer": elsewhere.pk})
    own.draft.refresh_from_db()
    assert own.draft.issuer_id == own.subject.pk
    with pytest.raises(PermissionDenied):
        services.draft_update(draft=other.draft, actor=official, situation="x")
    with pytest.raises(PermissionDenied):
        issuing.document_issue(draft=other.draft, actor=official, issued_on=date(YEAR, 12, 30))
    # It issues its own, numbered in its own registry.
    issuing.document_issue(draft=own.draft, actor=official, issued_on=date(YEAR, 12, 30))
    own.draft.refresh_from_db()
    assert own.draft.symbol == f"01/BC-{own.subject.abbreviation}"
    # The bloc's secretariat starts the drafts but does not write a unit's own report.
    chair = ChairTerm.objects.get(bloc=bloc, year=YEAR).chair
    secretary = _user("secretary", chair)
    not_the_chairs = next(r for r in reports if r.subject.pk != chair.pk and r is not own)
    with pytest.raises(PermissionDenied):
        services.draft_update(draft=not_the_chairs.draft, actor=secretary, situation="x")
    dossier.dossier_prepare(bloc=bloc, year=YEAR, actor=secretary)  # allowed: starts drafts
    client.force_login(secretary)
    page = reverse("reports:draft_edit", args=[not_the_chairs.draft.pk])
    assert client.get(page).status_code == 403
    memo = next(p.draft for p in found.parts if p.kind == "proposal_memo")
    assert client.get(reverse("reports:draft_edit", args=[memo.pk])).status_code == 200


def _form(draft: ReportDraft) -> dict:
    from reports.forms import DraftForm

    form = DraftForm(instance=draft)
    out = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "pk"):
            value = value.pk
        out[name] = "" if value is None else value
    return out


# The dossier and its archive -----------------------------------------------------------------


def _issue_everything(bloc) -> dossier.Dossier:
    found = dossier.dossier_prepare(bloc=bloc, year=YEAR)
    _sign_all(found)
    for part in dossier.dossier_for(bloc, YEAR).parts:
        make_issued(part.draft, issued_on=date(YEAR, 12, 30))
    return dossier.dossier_for(bloc, YEAR)


def test_the_dossier_is_complete_once_every_part_is_issued():
    bloc = _year("complete")
    before = dossier.dossier_for(bloc, YEAR)
    assert before.proposed >= 2 and not before.complete
    assert [p.kind for p in before.parts][:3] == ["proposal_memo", "proposal_list", "minutes"]
    assert all(p.draft is None for p in before.parts)
    assert len(before.parts) == 3 + len({p.subject.pk for p in before.parts if p.subject})
    after = _issue_everything(bloc)
    assert after.complete and after.issued_count == len(after.parts)
    assert all(re.match(r"\d\d/", p.symbol) for p in after.parts)


def test_the_zip_holds_the_issued_files_named_by_their_numbers(client):
    bloc = _year("zip")
    found = _issue_everything(bloc)
    admin = get_user_model().objects.create_superuser("zip-admin", password="x")
    client.force_login(admin)
    response = client.get(reverse("reports:dossier_zip", args=[bloc.pk]) + f"?year={YEAR}")
    assert response.status_code == 200 and response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    names = archive.namelist()
    expected = [p.symbol.replace("/", "-") + ".pdf" for p in found.parts]
    assert [n for n in names if n.endswith(".pdf")] == expected
    assert all(archive.read(n).startswith(b"%PDF") for n in expected)


def test_the_dossier_page_shows_each_part_and_its_number(client):
    bloc = _year("page")
    found = _issue_everything(bloc)
    member = _user("page-member", bloc.memberships.last().organization)
    client.force_login(member)
    response = client.get(reverse("reports:dossier", args=[bloc.pk]) + f"?year={YEAR}")
    assert response.status_code == 200
    html = response.content.decode()
    for part in found.parts:
        assert part.symbol in html
    assert reverse("reports:dossier_zip", args=[bloc.pk]) in html


def test_dossiers_of_many_blocs_take_the_same_queries_as_one(django_assert_num_queries):
    one = [_year("q1")]
    many = [_year("q2"), _year("q3"), _year("q4")]
    for bloc in many:
        dossier.dossier_prepare(bloc=bloc, year=YEAR)
    with django_assert_num_queries(3):
        dossier.dossiers_for(one, YEAR)
    with django_assert_num_queries(3):
        found = dossier.dossiers_for(many, YEAR)
    assert all(len(d.parts) >= 5 for d in found.values())


def test_the_zip_and_the_page_take_a_fixed_number_of_queries(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pledges.models import Proposal

    admin = get_user_model().objects.create_superuser("q-admin", password="x")
    client.force_login(admin)
    counts = []
    for tag in ("fixed-a", "fixed-b"):
        bloc = _year(tag)
        if tag == "fixed-b":  # more issued parts: one more proposed unit
            pledge = Proposal.objects.filter(pledge__bloc=bloc).first().pledge
            taken = set(
                Proposal.objects.filter(pledge=pledge).values_list("organization", flat=True)
            )
            extra = bloc.memberships.exclude(organization__in=taken).first().organization
            Proposal.objects.create(
                pledge=pledge, organization=extra, title=Proposal.objects.first().title
            )
        _issue_everything(bloc)
        with CaptureQueriesContext(connection) as page:
            client.get(reverse("reports:dossier", args=[bloc.pk]) + f"?year={YEAR}")
        with CaptureQueriesContext(connection) as archive:
            response = client.get(reverse("reports:dossier_zip", args=[bloc.pk]) + f"?year={YEAR}")
            b"".join(response.streaming_content)
        counts.append((len(page), len(archive)))
    assert counts[0] == counts[1]


def test_a_units_report_is_not_opened_from_the_list_and_its_replacement_stays_the_units():
    from reports.forms import DraftOpenForm

    bloc = _year("replace")
    assert "achievement" not in dict(DraftOpenForm(bloc=bloc, year=YEAR).fields["kind"].choices)
    part = next(p for p in dossier.dossier_prepare(bloc=bloc, year=YEAR).parts if p.subject)
    official = _user("replace-official", part.subject)
    issuing.document_issue(draft=part.draft, actor=official, issued_on=date(YEAR, 12, 30))
    new = issuing.document_replace(draft=part.draft, actor=official)
    assert (new.subject, new.issuer, new.kind) == (part.subject, part.subject, "achievement")
    another = bloc.memberships.exclude(organization=part.subject).first().organization
    with pytest.raises(PermissionDenied):
        issuing.document_replace(draft=part.draft, actor=_user("another-unit", another))
