"""The council official opens the council page of its body, sees the quota across two
blocs, returns one proposal with a reason, and the bloc's secretariat sees the return on
its proposals page (and a notice). The dossier's part is added with the dossier."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from pledges.models import CouncilDecision, CouncilQuota
from tests.councils.helpers import YEAR, make_council
from tests.factories import PASSWORD, OfficialFactory

from .test_member import log_in

pytestmark = pytest.mark.e2e


def test_the_council_returns_a_proposal_and_the_bloc_sees_it(live, page: Page, shot):
    council = make_council(2)
    # 50% of the 2 collectives leading the two blocs: one Government flag between them.
    CouncilQuota.objects.create(
        organizing_body=council.body, year=YEAR, title=council.flag, max_percent=Decimal("50")
    )
    official = council.official()
    returned = council.proposals[1]
    secretary = OfficialFactory(organization=council.leaders[1], user__username="thuky2").user

    log_in(page, live, official.username, PASSWORD)
    page.goto(live + reverse("councils:list"))
    page.get_by_role("link", name=f"Năm {YEAR}").click()
    expect(page).to_have_url(live + reverse("councils:detail", args=[council.body.pk, YEAR]))
    quota = page.locator(".quota-card")
    expect(quota).to_contain_text("Cờ thi đua của Chính phủ")
    expect(quota).to_contain_text("2 đề nghị, 0 đã đồng ý; tối đa 1 (50% của 2 tập thể dẫn đầu).")
    expect(quota.locator(".quota-exceeding")).to_contain_text(council.leaders[1].name)
    for bloc in council.blocs:
        expect(page.locator(f"#bloc-{bloc.pk}")).to_contain_text(bloc.name)
    page.set_viewport_size({"width": 1366, "height": 900})
    shot("council_01_page_1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shot("council_02_page_390")
    page.set_viewport_size({"width": 1366, "height": 900})

    row = page.locator(f"#proposal-{returned.pk}")
    row.get_by_role("link", name="Trả lại").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ý kiến của Hội đồng")
    page.get_by_label("Lý do").fill("Chưa có báo cáo thành tích của đơn vị")
    page.get_by_label("Tôi xác nhận ý kiến này của Hội đồng").check()
    shot("council_03_return")
    page.get_by_role("button", name="Ghi ý kiến").click()
    expect(page.locator(".alert-success")).to_contain_text("Đã ghi ý kiến của Hội đồng.")
    row = page.locator(f"#proposal-{returned.pk}")
    expect(row.locator(".decision")).to_contain_text("Trả lại")
    expect(row.locator(".decision")).to_contain_text("Chưa có báo cáo thành tích của đơn vị")
    # the returned one takes no place: the other bloc's unit is within the allowance now
    expect(page.locator(".quota-card")).to_contain_text("1 đề nghị, 0 đã đồng ý; tối đa 1")
    decision = CouncilDecision.objects.get(proposal=returned)
    assert decision.status == "returned" and decision.decided_by == official

    page.context.clear_cookies()
    log_in(page, live, secretary.username, PASSWORD)
    expect(page.locator("#bell-count")).to_contain_text("1")
    page.goto(live + reverse("pledges:proposals", args=[returned.pledge_id]))
    seen = page.locator(f"#council-decision-{returned.pk}")
    expect(seen).to_contain_text("Trả lại")
    expect(seen).to_contain_text("Chưa có báo cáo thành tích của đơn vị")
    shot("council_04_bloc_sees_return")
