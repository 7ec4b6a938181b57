"""The secretariat writes the year-end report, previews it, builds the PDF and a member reads it.

thuky (load_demo's secretary of the Hải Phòng bloc) opens the bloc's documents, starts the
year-end report, types the narrative and watches the live preview follow, saves and builds
(the real WeasyPrint renderer), and downloads the PDF. Progress without a reload: a build
waiting in the queue shows a spinner that turns into the download link when a worker
finishes it. The draft is then issued through its confirmation page (number and date fixed,
read-only). hoivien (an ordinary member) then downloads the issued document.

Tasks run inline here (forced even when CI sets a broker), so the build is deterministic.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from blocs import demo
from blocs.models import Bloc, current_year
from portal.celery import app as celery_app
from reports import services
from reports.models import Report, ReportDraft
from reports.tasks import build_report

from .test_member import log_in

pytestmark = pytest.mark.e2e


def vi(text: str) -> str:
    with translation.override("vi"):
        return translation.gettext(text)


@pytest.fixture(autouse=True)
def _inline_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def test_secretariat_builds_the_year_end_report_and_a_member_downloads_it(
    live, page: Page, shot, tmp_path
):
    call_command("load_demo", force=True, stdout=StringIO())
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    year = current_year()

    # --- The secretariat opens the documents of the bloc and starts the year-end report --
    log_in(page, live, demo.SECRETARY.username, demo.SECRETARY.password)
    page.goto(live + reverse("blocs:bloc_detail", args=[bloc.pk]))
    page.get_by_role("link", name=vi("Reports")).click()
    expect(page).to_have_url(live + reverse("reports:report_list", args=[bloc.pk]))
    form = page.locator("#open-draft")
    form.locator("select[name=kind]").select_option(ReportDraft.Kind.YEAR_END)
    shot("reports_01_list")
    form.get_by_role("button", name=vi("Open")).click()
    draft = ReportDraft.objects.get(bloc=bloc, year=year, kind="year_end")
    expect(page).to_have_url(live + reverse("reports:draft_edit", args=[draft.pk]))

    # --- The narrative, with the live preview following the typing ----------------------
    preview = page.frame_locator("#preview iframe")
    expect(preview.locator("body")).to_contain_text("BÁO CÁO")
    situation = "Năm qua, các đơn vị thành viên của Khối đoàn kết, chủ động <b>vượt khó</b>."
    page.locator("textarea[name=situation]").fill("")
    page.locator("textarea[name=situation]").press_sequentially(situation[:20])
    page.locator("textarea[name=situation]").fill(situation)
    page.locator("textarea[name=situation]").press("End")
    expect(preview.locator("body")).to_contain_text("chủ động <b>vượt khó</b>", timeout=10_000)
    expect(preview.locator("b")).to_have_count(0)  # user text is escaped, never markup
    page.locator("textarea[name=results]").fill(
        "Hoàn thành 100% các chỉ tiêu giao ước thi đua; tổ chức 12 hoạt động chung."
    )
    page.locator("input[name=signer_name]").fill("Vũ Thị Bích Liên")
    page.locator("textarea[name=results]").press("End")
    expect(preview.locator("body")).to_contain_text("tổ chức 12 hoạt động chung")
    page.wait_for_load_state("networkidle")
    expect(preview.locator("body")).to_contain_text("Vũ Thị Bích Liên")
    shot("reports_02_editor_preview")

    # --- Save and build: the real renderer writes the PDF --------------------------------
    page.get_by_role("button", name=vi("Save and build the PDF")).click()
    expect(page.get_by_text(vi("The PDF has been built."))).to_be_visible(timeout=60_000)
    status = page.locator("#report-status")
    expect(status).to_have_attribute("data-status", "ready", timeout=60_000)
    draft.refresh_from_db()
    assert draft.symbol == ""  # a draft build consumes no number
    shot("reports_03_ready")
    with page.expect_download() as download_info:
        page.locator("#download-pdf").click()
    download = download_info.value
    path = tmp_path / "download.pdf"
    download.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert download.suggested_filename.endswith(".pdf")
    report = draft.reports.get()
    assert report.status == Report.Status.READY and report.page_count >= 1

    # --- Progress without a reload: a queued build turns into a link when it is done ----
    services.draft_update(draft=draft, lessons="Phải chuẩn bị hồ sơ sớm hơn.")
    queued = Report.objects.create(draft=draft, status=Report.Status.QUEUED)
    page.goto(live + reverse("reports:draft_edit", args=[draft.pk]))
    expect(status).to_have_attribute("data-status", "queued")
    shot("reports_04_queued")
    build_report.apply(args=[queued.pk])  # a worker finishes it meanwhile
    expect(status).to_have_attribute("data-status", "ready", timeout=10_000)
    expect(page.locator("#download-pdf")).to_have_attribute(
        "href", reverse("reports:report_download", args=[queued.pk])
    )

    # --- Issue: a confirmation page, then the number and date are fixed -----------------
    page.locator("#issue-button").click()
    expect(page).to_have_url(live + reverse("reports:document_issue", args=[draft.pk]))
    expect(page.locator("#number-plan")).to_have_attribute("data-mode", "portal")
    shot("reports_06_issue_confirm")
    page.locator("#confirm").click()
    expect(page.locator("[data-document-status=issued]")).to_be_visible(timeout=60_000)
    draft.refresh_from_db()
    assert draft.status == "issued" and draft.symbol.startswith("01/BC-")
    expect(page.locator("#draft-symbol")).to_have_text(draft.symbol)
    expect(page.locator("#build-button")).to_have_count(0)  # read-only from now on
    expect(page.frame_locator("#preview iframe").locator("body")).to_contain_text(draft.symbol)
    shot("reports_07_issued")

    # --- A member downloads the ready report --------------------------------------------
    page.context.clear_cookies()
    log_in(page, live, demo.MEMBER.username, demo.MEMBER.password)
    page.goto(live + reverse("reports:report_list", args=[bloc.pk]))
    expect(page.locator("#open-draft")).to_have_count(0)
    shot("reports_05_member_list")
    # Once issued, members see (and download) the issued document, not its draft builds.
    expect(
        page.locator(f"a[href='{reverse('reports:report_download', args=[queued.pk])}']")
    ).to_have_count(0)
    with page.expect_download() as download_info:
        page.locator(f"a[href='{reverse('reports:document_download', args=[draft.pk])}']").click()
    assert download_info.value.suggested_filename.startswith(draft.symbol.replace("/", "-"))
    member_copy = tmp_path / "member.pdf"
    download_info.value.save_as(member_copy)
    assert member_copy.read_bytes().startswith(b"%PDF-")
    # The editor is the secretariat's.
    response = page.goto(live + reverse("reports:draft_edit", args=[draft.pk]))
    assert response.status == 403
