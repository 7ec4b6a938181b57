"""The commendation dossier, from the bloc to the council, in the browser: the bloc's
secretariat issues the tờ trình from the dossier page; the proposed unit's official writes
and issues its own báo cáo thành tích; the council official then opens the council page and
sees the bloc's dossier complete. (The council's quota across two blocs and its return of a
proposal, seen by the bloc, are `test_council.py`.) The other parts of the dossier (the
list, the minutes, the other units' reports) are issued by the services beforehand."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from blocs.models import ChairTerm, current_year
from pledges.models import Pledge
from portal.celery import app as celery_app
from reports import dossier, services
from reports.management.commands.bench_reports import seed_year
from tests.factories import PASSWORD, OfficialFactory, OrganizationFactory
from tests.reports.helpers import make_issued

from .test_member import log_in

pytestmark = pytest.mark.e2e

MEMO, ACHIEVEMENT = "proposal_memo", "achievement"


@pytest.fixture(autouse=True)
def _inline_tasks(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def _issue_in_the_editor(page: Page, live: str, draft_pk: int) -> None:
    """From the draft's editor: the issue button, its confirmation page, then issued."""
    page.locator("#issue-button").click()
    expect(page).to_have_url(live + reverse("reports:document_issue", args=[draft_pk]))
    page.locator("#confirm").click()
    expect(page.locator("[data-document-status=issued]")).to_be_visible(timeout=60_000)


def test_the_bloc_issues_its_dossier_and_the_council_sees_it_complete(live, page: Page, shot):
    year = current_year()
    bloc = seed_year(4, year=year, tag="e2e-dossier").bloc
    bloc.organizing_body = OrganizationFactory(name="Ủy ban nhân dân thành phố Thử Nghiệm")
    bloc.save()
    Pledge.objects.filter(bloc=bloc, year=year).update(status=Pledge.Status.CLOSED)
    chair = ChairTerm.objects.get(bloc=bloc, year=year).chair
    secretary = OfficialFactory(organization=chair, user__username="thuky_hoso").user
    council = OfficialFactory(organization=bloc.organizing_body, user__username="hoidong_hs").user

    found = dossier.dossier_prepare(bloc=bloc, year=year, actor=secretary)
    units = [p for p in found.parts if p.kind == ACHIEVEMENT and p.subject != chair]
    assert units, "the seeded year proposes a unit other than the chair"
    own = units[0]
    unit_official = OfficialFactory(organization=own.subject, user__username="donvi_hs").user
    for part in found.parts:
        services.draft_update(draft=part.draft, signer_name="Vũ Thị Bích Liên", place="Hải Phòng")
        if part.kind != MEMO and part.draft != own.draft:
            make_issued(part.draft)
    memo = next(p.draft for p in found.parts if p.kind == MEMO)
    dossier_url = live + reverse("reports:dossier", args=[bloc.pk]) + f"?year={year}"

    # --- The secretariat issues the tờ trình from the dossier page ------------------------
    log_in(page, live, secretary.username, PASSWORD)
    page.goto(dossier_url)
    expect(page.get_by_text("Chưa đầy đủ", exact=True)).to_be_visible()
    page.locator(f'a[href="{memo.get_absolute_url()}"]').click()
    expect(page).to_have_url(live + memo.get_absolute_url())
    _issue_in_the_editor(page, live, memo.pk)
    memo.refresh_from_db()
    assert memo.is_issued and "/TTr-" in memo.symbol
    # the unit's own report is not the secretariat's to write
    page.goto(dossier_url)
    expect(page.locator(f'a[href="{own.draft.get_absolute_url()}"]')).to_have_count(0)

    # --- The proposed unit's official writes and issues its báo cáo thành tích ------------
    page.context.clear_cookies()
    log_in(page, live, unit_official.username, PASSWORD)
    page.goto(dossier_url)
    page.locator(f'a[href="{own.draft.get_absolute_url()}"]').click()
    achievements = "Đơn vị tổ chức 24 buổi sinh hoạt chuyên đề, vượt 20% chỉ tiêu đăng ký."
    page.locator("textarea[name=results]").fill(achievements)
    page.get_by_role("button", name="Lưu và tạo tệp PDF").click()
    expect(page.locator("#report-status")).to_have_attribute("data-status", "ready", timeout=60_000)
    shot("dossier_01_unit_report")
    _issue_in_the_editor(page, live, own.draft.pk)
    own.draft.refresh_from_db()
    assert own.draft.is_issued and achievements in own.draft.results
    page.goto(dossier_url)
    expect(page.get_by_text("Đầy đủ", exact=True)).to_be_visible()
    shot("dossier_02_complete")

    # --- The council sees the bloc's dossier complete --------------------------------------
    page.context.clear_cookies()
    log_in(page, live, council.username, PASSWORD)
    page.goto(live + reverse("councils:detail", args=[bloc.organizing_body_id, year]))
    row = page.locator(f"#bloc-{bloc.pk}")
    expect(row.locator("[data-dossier=complete]")).to_be_visible()
    expect(row.locator("[data-dossier=complete]")).to_contain_text("Đầy đủ")
    shot("dossier_03_council")
    row.get_by_role("link", name="Xem hồ sơ").click()
    expect(page).to_have_url(dossier_url)
