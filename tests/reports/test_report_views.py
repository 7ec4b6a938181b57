"""The document pages: list, draft editor and live preview, build, progress, download, retry.

Tasks run inline (forced, even when CI sets a broker) and the PDF writer is a fake, so a
build finishes inside the request; the real renderer runs in test_worker.py and e2e.
"""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document

from blocs.models import Meeting, current_year
from portal.celery import app as celery_app
from reports import rendering, services
from reports.models import Report, ReportDraft
from tests.blocs.test_views import _assert_constant
from tests.factories import PledgeFactory

from .helpers import PDF_BYTES, make_draft, make_report

YEAR = current_year()


@pytest.fixture(autouse=True)
def english(settings):
    # The assertions read the pages' English msgids; the Vietnamese is tests/test_translations.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _eager_fake_pdf_private_media(settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(
        rendering, "html_to_pdf", lambda html: rendering.RenderedPdf(pdf=PDF_BYTES, page_count=2)
    )
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def draft(world):
    return make_draft(world.bloc, YEAR, situation="Khối có 4 đơn vị thành viên.")


def edit_data(draft: ReportDraft, **changes) -> dict:
    data = {
        "issuer": draft.issuer_id,
        "parent_body": draft.parent_body,
        "issuer_title": draft.issuer_title,
        "style": draft.style_id,
        "place": draft.place,
        "issue_date": "",
        "signer_name": "Vũ Thị Bích Liên",
        "signer_position": draft.signer_position,
        "sign_mode": draft.sign_mode,
        "recipients": draft.recipients,
    }
    data.update({name: getattr(draft, name) for name in draft.document_kind.section_fields})
    data.update(changes)
    return data


def test_the_list_shows_the_documents_and_their_pdfs(world, client_for, draft):
    ready = make_report(draft)
    make_report(draft, Report.Status.FAILED, error="hỏng")
    response = client_for("member").get(reverse("reports:report_list", args=[world.bloc.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    # a document still being written, and its builds, stay with the secretariat (issue 12)
    assert reverse("reports:report_download", args=[ready.pk]) not in content
    assert reverse("reports:draft_edit", args=[draft.pk]) not in content  # members only read
    assert 'id="open-draft"' not in content


def test_the_list_costs_the_same_whatever_the_number_of_documents(
    world, client_for, draft, django_assert_num_queries
):
    make_report(draft)
    client = client_for("secretariat")
    list_url = reverse("reports:report_list", args=[world.bloc.pk])

    def grow():
        for year in (YEAR - 2, YEAR - 1):
            for kind in ("year_end", "mid_year", "pledge"):
                earlier = make_draft(world.bloc, year, kind)
                make_report(earlier)
                make_report(earlier, status=Report.Status.FAILED, error="x")

    # session, user, the years the user reads (one union), bloc, secretariat check
    # (blocs.rules.secretariat_spans, one union), drafts, reports, years, meetings (form),
    # the navbar's official with its organization (blocs.models.official_of), the bell's
    # unread count
    count = _assert_constant(client, list_url, grow, django_assert_num_queries)
    assert count == 11


def test_the_secretariat_opens_a_draft(world, client_for):
    client = client_for("secretariat")
    url = reverse("reports:draft_open", args=[world.bloc.pk]) + f"?year={YEAR}"
    response = client.post(url, {"kind": "year_end"})
    draft = ReportDraft.objects.get(bloc=world.bloc, year=YEAR, kind="year_end")
    assert response.status_code == 302 and response.url == draft.get_absolute_url()
    assert draft.issuer == world.orgs[0]
    # Minutes without a meeting: a message, nothing created.
    response = client.post(url, {"kind": "minutes"}, follow=True)
    assert str(services.MINUTES_NEED_MEETING) in response.content.decode()
    assert ReportDraft.objects.count() == 1


def test_the_editor_saves_the_narrative(client_for, draft):
    url = reverse("reports:draft_edit", args=[draft.pk])
    response = client_for("secretariat").post(
        url, edit_data(draft, results="Hoàn thành 100% chỉ tiêu.", action="save")
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.results == "Hoàn thành 100% chỉ tiêu."
    assert draft.signer_name == "Vũ Thị Bích Liên"
    assert not draft.reports.exists()


def test_save_and_build_builds_a_draft_pdf_without_a_number(
    client_for, draft, django_capture_on_commit_callbacks
):
    url = reverse("reports:draft_edit", args=[draft.pk])
    client = client_for("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, edit_data(draft, action="build"))
    assert response.status_code == 302 and response.url == f"{url}#build"
    response = client.get(url)
    draft.refresh_from_db()
    report = draft.reports.get()
    assert report.status == Report.Status.READY
    assert (draft.symbol, draft.number, draft.status) == ("", None, "draft")
    content = response.content.decode()
    assert reverse("reports:report_download", args=[report.pk]) in content
    assert "the number and the date are given when it is issued" in content
    # Unchanged inputs: the same PDF, no new build.
    response = client.post(reverse("reports:report_build", args=[draft.pk]), follow=True)
    assert draft.reports.count() == 1
    assert "Nothing has changed since the last build" in response.content.decode()


def test_the_preview_shows_unsaved_text_escaped_in_a_sandbox(client_for, draft):
    url = reverse("reports:draft_preview", args=[draft.pk])
    text = "Kết quả <script>alert('x')</script> & tiến bộ"
    response = client_for("secretariat").post(url, {"results": text}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    content = response.content.decode()
    assert "<iframe" in content and "sandbox" in content
    assert "<script>alert" not in content
    # Escaped by the document template, then once more into the srcdoc attribute.
    assert "&amp;lt;script&amp;gt;" in content
    draft.refresh_from_db()
    assert draft.results == ""  # the preview never saves


def test_the_progress_partial_polls_until_the_build_is_done(world, client_for, draft):
    client = client_for("secretariat")
    queued = make_report(draft, Report.Status.QUEUED)
    response = client.get(reverse("reports:report_status", args=[queued.pk]))
    content = response.content.decode()
    assert 'hx-trigger="every 2s"' in content
    assert reverse("reports:report_status", args=[queued.pk]) in content
    ready = make_report(draft)
    content = client.get(reverse("reports:report_status", args=[ready.pk])).content.decode()
    assert "hx-trigger" not in content
    assert reverse("reports:report_download", args=[ready.pk]) in content


def test_a_failed_build_shows_its_reason_and_a_retry_for_the_secretariat_only(
    world, client_for, draft, client
):
    failed = make_report(draft, Report.Status.FAILED, error="Không dựng được bảng điểm.")
    url = reverse("reports:report_status", args=[failed.pk])
    retry = reverse("reports:report_retry", args=[failed.pk])
    # a draft's build: members do not learn of it (issue 12); the secretariat retries
    assert client_for("member").get(url).status_code == 404
    client.logout()
    content = client_for("secretariat").get(url).content.decode()
    assert "Không dựng được bảng điểm." in content
    assert retry in content and "hx-trigger" not in content


def test_retry_queues_the_failed_build_again(client_for, draft, django_capture_on_commit_callbacks):
    failed = make_report(draft, Report.Status.FAILED, attempts=3, error="hỏng")
    url = reverse("reports:report_retry", args=[failed.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for("secretariat").post(url)
    assert response.status_code == 302
    failed.refresh_from_db()
    # The inline task ran after the commit: ready, with a fresh count of attempts.
    assert failed.status == Report.Status.READY and failed.attempts == 1


def test_retry_is_refused_for_members_and_for_a_ready_build(client_for, draft, client):
    ready = make_report(draft)
    url = reverse("reports:report_retry", args=[ready.pk])
    assert client_for("member").post(url).status_code == 403
    client.logout()
    response = client_for("secretariat").post(url, follow=True)
    assert str(services.RETRY_NOT_ALLOWED) in response.content.decode()


def test_downloads_are_attachments_for_members_and_404_for_outsiders(world, client_for, draft):
    report = make_report(draft)
    url = reverse("reports:report_download", args=[report.pk])
    response = client_for("secretariat").get(url)  # a draft's build: the secretariat's
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PDF_BYTES
    xlsx = client_for("secretariat").get(reverse("reports:report_xlsx", args=[report.pk]))
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')


def test_outsiders_get_404_even_with_the_url(world, client_for, draft):
    report = make_report(draft)
    client = client_for("outsider")
    for name in ("report_download", "report_xlsx", "report_status"):
        assert client.get(reverse(f"reports:{name}", args=[report.pk])).status_code == 404
    assert client.post(reverse("reports:report_build", args=[draft.pk])).status_code == 404


def test_a_build_that_is_not_ready_has_nothing_to_download(client_for, draft):
    for status in (Report.Status.QUEUED, Report.Status.FAILED):
        report = make_report(draft, status)
        url = reverse("reports:report_download", args=[report.pk])
        assert client_for("member").get(url).status_code == 404


def test_an_earlier_pdf_stays_downloadable_after_a_failure(
    client_for, draft, monkeypatch, django_capture_on_commit_callbacks
):
    earlier = make_report(draft)

    def broken(html):
        raise ValueError("phông chữ thiếu")

    monkeypatch.setattr(rendering, "html_to_pdf", broken)
    services.draft_update(draft=draft, results="Sửa lại.")
    client = client_for("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports:report_build", args=[draft.pk]))
    response = client.get(reverse("reports:draft_edit", args=[draft.pk]))
    assert "phông chữ thiếu" in response.content.decode()
    assert draft.reports.filter(status=Report.Status.FAILED).count() == 1
    download = client.get(reverse("reports:report_download", args=[earlier.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


# Ways in from the pages the documents are about ----------------------------------------------


def _open_document_forms(content: str) -> list[str]:
    return re.findall(r'data-open-document="(\w+)"', content)


@pytest.mark.parametrize(
    ("status", "role", "shown"),
    [
        ("held", "secretariat", True),
        ("approved", "secretariat", True),
        ("planned", "secretariat", False),  # nothing to write minutes of yet
        ("held", "member", False),
    ],
)
def test_a_meeting_page_opens_its_minutes_for_the_secretariat(
    world, client_for, status, role, shown
):
    meeting = Meeting.objects.create(
        bloc=world.bloc,
        year=YEAR,
        kind=Meeting.Kind.MID_YEAR,
        title="Hội nghị sơ kết",
        starts_at=timezone.now(),
        place="Hải Phòng",
        status=status,
    )
    client = client_for(role)
    content = client.get(meeting.get_absolute_url()).content.decode()
    assert _open_document_forms(content) == (["minutes"] if shown else [])
    if not shown:
        return
    response = client.post(
        reverse("reports:draft_open", args=[world.bloc.pk]) + f"?year={YEAR}",
        {"kind": "minutes", "meeting": meeting.pk},
    )
    draft = ReportDraft.objects.get(kind="minutes", meeting=meeting)
    assert response.status_code == 302 and response.url == draft.get_absolute_url()


def test_a_pledge_page_opens_the_pledge_document_for_the_secretariat(world, client_for):
    pledge = PledgeFactory(bloc=world.bloc, year=YEAR, status="draft")
    page = pledge.get_absolute_url()
    assert _open_document_forms(client_for("secretariat").get(page).content.decode()) == []
    pledge.status = "open"
    pledge.save(update_fields=["status"])
    assert _open_document_forms(client_for("member").get(page).content.decode()) == []
    client = client_for("secretariat")
    assert _open_document_forms(client.get(page).content.decode()) == ["pledge"]
    url = reverse("reports:draft_open", args=[world.bloc.pk]) + f"?year={YEAR}"
    response = client.post(url, {"kind": "pledge"})
    draft = ReportDraft.objects.get(bloc=world.bloc, year=YEAR, kind="pledge")
    assert response.status_code == 302 and response.url == draft.get_absolute_url()


def test_building_without_a_signer_is_a_form_error_and_queues_nothing(
    client_for, draft, django_capture_on_commit_callbacks
):
    url = reverse("reports:draft_edit", args=[draft.pk])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client_for("secretariat").post(
            url, edit_data(draft, signer_name="", action="build")
        )
    assert response.status_code == 200
    assert response.context["form"].errors["signer_name"] == [str(services.NO_SIGNER)]
    assert callbacks == []
    draft.refresh_from_db()
    assert not draft.reports.exists() and draft.number is None


def test_the_docx_is_built_beside_the_pdf_and_downloaded_like_it(
    client_for, draft, django_capture_on_commit_callbacks
):
    url = reverse("reports:draft_edit", args=[draft.pk])
    client = client_for("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, edit_data(draft, action="build", situation="Có **120** cuộc."))
    report = draft.reports.get()
    assert report.status == Report.Status.READY and report.docx.name.endswith(".docx")
    content = client.get(url).content.decode()
    docx_url = reverse("reports:report_docx", args=[report.pk])
    assert docx_url in content  # beside the PDF's link
    assert client_for("member").get(docx_url).status_code == 404  # a draft's build
    response = client_for("secretariat").get(docx_url)
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert response["Content-Disposition"].endswith(f'{report.filename}.docx"')
    assert response["Cache-Control"] == "private, no-store"
    document = Document(io.BytesIO(b"".join(response.streaming_content)))
    paragraph = next(p for p in document.paragraphs if p.text == "Có 120 cuộc.")
    assert [r.text for r in paragraph.runs if r.bold] == ["120"]


def test_a_build_without_its_docx_offers_no_docx(client_for, draft):
    report = make_report(draft)
    report.docx.delete(save=True)  # a build from before the DOCX existed
    response = client_for("member").get(reverse("reports:report_list", args=[draft.bloc.pk]))
    assert reverse("reports:report_docx", args=[report.pk]) not in response.content.decode()
    assert (
        client_for("member").get(reverse("reports:report_docx", args=[report.pk])).status_code
        == 404
    )


def test_the_preview_renders_the_markup_and_never_raw_html(client_for, draft):
    url = reverse("reports:draft_preview", args=[draft.pk])
    text = 'Có **120** cuộc\n- một\n- hai\n<img src=file:///etc/passwd> <p style="x:url(y)">z</p>'
    response = client_for("secretariat").post(url, {"results": text}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    # The document goes into the sandboxed iframe's srcdoc: its tags come escaped once.
    assert "&lt;strong&gt;120&lt;/strong&gt;" in content
    assert "&lt;li&gt;một&lt;/li&gt;" in content
    assert "&lt;img" not in content and "&lt;p style" not in content  # no such tag
    assert "&amp;lt;img src=file:///etc/passwd&amp;gt;" in content  # the typed text, shown


def test_the_editor_shows_the_markup_help_beside_each_section(client_for, draft):
    response = client_for("secretariat").get(reverse("reports:draft_edit", args=[draft.pk]))
    content = response.content.decode()
    sections = draft.document_kind.sections
    assert content.count("**bold**, *italic*") == len(sections) > 0
