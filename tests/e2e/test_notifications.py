"""The secretariat sends a sheet back; the member sees the bell count go up, opens the notice
and lands on the sheet; the next morning's digest e-mail (time moved) holds it once."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from playwright.sync_api import Page, expect

from blocs.models import current_year
from notifications import tasks
from notifications.kinds import Kind, Mode
from notifications.models import Preference
from pledges.models import ScoreSheet
from portal.celery import app as celery_app
from tests.factories import (
    PASSWORD,
    BlocFactory,
    ChairTermFactory,
    CriterionFactory,
    MembershipFactory,
    OfficialFactory,
    OrganizationFactory,
    PledgeFactory,
)
from tests.notifications.conftest import smtp  # noqa: F401 (the SMTP server fixture)

pytestmark = pytest.mark.e2e

REASON = "Bổ sung minh chứng cho tiêu chí A1 (ảnh hội nghị)"


@pytest.fixture(autouse=True)
def _tasks_inline():
    # The digest is sent by the test itself, inline, even when a broker is set (CI).
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + reverse("login"))
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("[type=submit]").click()


def test_a_sheet_sent_back_reaches_the_member(live, page: Page, browser, smtp, shot):  # noqa: F811
    year = current_year()
    bloc = BlocFactory(name="Khối thi đua các tổ chức chính trị - xã hội")
    chair = OrganizationFactory(name="Hội Liên hiệp Phụ nữ thành phố")
    member_org = OrganizationFactory(name="Liên đoàn Lao động thành phố")
    for org in (chair, member_org):
        MembershipFactory(bloc=bloc, organization=org, first_year=year - 1)
    ChairTermFactory(bloc=bloc, year=year, chair=chair)
    OfficialFactory(organization=chair, user__username="thuky")  # the secretariat
    member = OfficialFactory(organization=member_org, user__username="canbo").user
    # This member chose the daily digest for sheets sent back (the default is at once).
    Preference.objects.create(user=member, kind=Kind.SHEET_RETURNED, mode=Mode.DIGEST)
    pledge = PledgeFactory(bloc=bloc, year=year, status="scoring")
    group = CriterionFactory(pledge=pledge, code="A", max_points=10)
    CriterionFactory(pledge=pledge, parent=group, code="A1", max_points=10)
    ScoreSheet.objects.create(
        pledge=pledge, organization=member_org, round="self", status="submitted"
    )

    log_in(page, live, "canbo")
    expect(page.locator("#bell")).to_be_visible()
    expect(page.locator("#bell-count")).to_have_count(0)

    # --- The secretariat, in its own browser, sends the sheet back ------------------------
    other = browser.new_context(locale="vi-VN")
    desk = other.new_page()
    log_in(desk, live, "thuky")
    desk.goto(live + reverse("pledges:self_score_return", args=[pledge.pk, member_org.pk]))
    desk.locator("textarea[name=reason]").fill(REASON)
    desk.get_by_role("button", name="Trả lại").click()
    expect(desk.locator(".alert-success").first).to_be_visible()
    other.close()

    # --- The member sees the bell, opens the notice, lands on the sheet ---------------------
    page.reload()
    expect(page.locator("#bell-count")).to_contain_text("1")
    shot("notifications_01_bell")
    page.locator("#bell").click()
    expect(page).to_have_url(live + reverse("notifications:list"))
    notice = page.locator("#notices a").first
    expect(notice).to_contain_text("trả lại bảng tự chấm điểm của Liên đoàn Lao động thành phố")
    expect(notice).to_contain_text(REASON)
    shot("notifications_02_list")
    notice.click()
    expect(page).to_have_url(re.compile(re.escape(reverse("pledges:self_score", args=[pledge.pk]))))
    expect(page.get_by_text(REASON).first).to_be_visible()
    expect(page.locator("#bell-count")).to_have_count(0)  # read now

    # --- The next morning, the digest holds it once ---------------------------------------
    tomorrow = datetime.datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")) + datetime.timedelta(days=1)
    with time_machine.travel(tomorrow.replace(hour=7, minute=15), tick=False):
        tasks.send_digests.apply()
        tasks.send_digests.apply()  # a second beat: nothing more
    [message] = smtp.to(member.email)
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert text.count(REASON) == 1
    assert "1 thông báo" in message["Subject"]
