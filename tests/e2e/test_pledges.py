"""A year of emulation in the browser: register, self-score with evidence, verify, vote,
close, read the ranking.

hoivien (an official of a member of the Hải Phòng bloc) registers a target on this year's
pledge (load_demo leaves it open), then, once the year is in scoring, fills the self-scoring
grid, uploads a real PNG as evidence where the criteria require it, and submits after the
confirmation page. thuky (the secretariat) verifies the sheet (one point less, with a
reason), records the secret ballot for the leading unit, and closes the year. The results
page then shows the ranking, the ballot outcome and the charts.
"""

import base64
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from blocs import demo
from blocs.models import Bloc, Official, current_year
from pledges import selectors, services
from pledges.models import Criterion, Evidence, Pledge, ScoreSheet

from .test_member import log_in

pytestmark = pytest.mark.e2e

# A real 8×8 PNG (red square): the upload check sniffs the bytes, not the name.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEklEQVR4nGP4z8CAFWEXHbQSACj/P8Fu7N9hAAAAAElFTkSuQmCC"
)


def vi(text: str) -> str:
    with translation.override("vi"):
        return translation.gettext(text)


def test_a_member_scores_and_the_secretariat_closes_the_year(live, page: Page, shot, tmp_path):
    call_command("load_demo", force=True, stdout=StringIO())
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    pledge = Pledge.objects.get(bloc=bloc, year=current_year())
    member_org = Official.objects.get(user__username=demo.MEMBER.username).organization
    evidence_file = tmp_path / "bien-ban-hoi-nghi.png"
    evidence_file.write_bytes(PNG)

    # --- The member registers a target -----------------------------------------------
    log_in(page, live, demo.MEMBER.username, demo.MEMBER.password)
    page.goto(live + reverse("pledges:registration", args=[pledge.pk]))
    page.locator("textarea[name=targets-0-text], input[name=targets-0-text]").first.fill(
        "Tổ chức 12 buổi sinh hoạt chuyên đề cho hội viên"
    )
    page.locator("#submit-registration").click()
    expect(page.locator("#registration-status")).to_be_visible()

    # The secretariat's signing and the move to scoring are D1's pages; here they are steps.
    for status in (Pledge.Status.SIGNED, Pledge.Status.SCORING):
        pledge = services.pledge_set_status(pledge=pledge, status=status)

    # --- Self-scoring with evidence -------------------------------------------------------
    page.goto(live + reverse("pledges:self_score", args=[pledge.pk]))
    expect(page.get_by_role("heading", level=1)).to_contain_text(member_org.name)
    leaves = list(pledge.criteria.filter(children__isnull=True).order_by("pk"))
    for leaf in leaves:
        # Most of each maximum, typed the Vietnamese way.
        points = (leaf.max_points * 9 / 10).quantize(leaf.max_points)
        page.locator(f"input[name=c{leaf.pk}-points]").fill(str(points).replace(".", ","))
    required = [leaf for leaf in leaves if leaf.evidence_required] or leaves[:1]
    for leaf in required:
        page.locator(f"input[name=c{leaf.pk}-file]").set_input_files(str(evidence_file))
    page.locator(f"textarea[name=c{leaves[0].pk}-explanation]").fill(
        "Đã tổ chức đầy đủ theo kế hoạch; biên bản kèm theo."
    )
    shot("pledges_01_self_score")
    page.locator("#submit-sheet").click()
    expect(page).to_have_url(re.compile(r"confirm=1"))
    shot("pledges_02_confirm_submit")
    page.locator("#confirm").click()
    expect(page.locator("#sheet-status")).to_have_class(re.compile("text-bg-success"))
    assert Evidence.objects.filter(score__sheet__organization=member_org).count() == len(required)
    expect(page.get_by_role("link", name=evidence_file.name).first).to_be_visible()
    shot("pledges_03_submitted")
    page.context.clear_cookies()

    # --- The secretariat verifies -----------------------------------------------------------
    log_in(page, live, demo.SECRETARY.username, demo.SECRETARY.password)
    page.goto(live + reverse("pledges:verify", args=[pledge.pk]))
    row = page.locator(f"tr#m{member_org.pk}")
    first = leaves[0]
    cell = row.locator(f"input[name=c{first.pk}-points]")
    verified = (first.max_points * 9 / 10).quantize(first.max_points) - 1
    cell.fill(str(verified).replace(".", ","))
    row.locator("input[name=reason]").fill("Minh chứng chưa đủ cho một buổi sinh hoạt")
    shot("pledges_04_verify")
    row.get_by_role("button").click()
    expect(page.locator(".alert-success, .alert-info").first).to_be_visible()
    sheet = ScoreSheet.objects.get(pledge=pledge, organization=member_org, round="verified")
    assert sheet.scores.get(criterion=first).points == verified

    # --- The secret ballot ------------------------------------------------------------------
    members = selectors.members_of(pledge)
    page.goto(live + reverse("pledges:ballots", args=[pledge.pk]))
    form = page.locator("#ballot-form")
    form.locator("input[name=title]").fill("Suy tôn đơn vị dẫn đầu Khối thi đua")
    n = len(members)
    for name, value in (("members_total", n), ("present", n), ("issued", n)):
        form.locator(f"input[name={name}]").fill(str(value))
    form.locator("input[name=returned]").fill(str(n))
    form.locator("input[name=valid]").fill(str(n))
    form.locator("input[name=invalid]").fill("0")
    index = [org.pk for org in members].index(member_org.pk)
    form.locator(f"input[name=candidates-{index}-votes]").fill(str(n))
    shot("pledges_05_ballot_form")
    form.locator("#record-ballot").click()
    expect(page.locator(".ballot").first).to_contain_text(member_org.name)
    expect(page.locator(".ballot").first).to_contain_text("100,00%")

    # --- Closing the year ---------------------------------------------------------------------
    page.goto(live + reverse("pledges:pledge_status", args=[pledge.pk]))
    page.locator("#confirm").click()
    expect(page).to_have_url(live + pledge.get_absolute_url())
    pledge.refresh_from_db()
    assert pledge.is_closed

    # --- The results ---------------------------------------------------------------------------
    page.goto(live + reverse("pledges:results", args=[pledge.pk]))
    table = page.locator("#results-table")
    first_row = table.locator("tbody tr").first
    expect(first_row).to_contain_text(member_org.name)
    expect(first_row.locator("td.rank")).to_have_text("1")
    chart = page.locator("#chart-groups")
    expect(chart).to_be_visible()
    page.wait_for_function("document.querySelector('#chart-groups').naturalWidth > 0")
    shot("pledges_06_results")

    # The member reads the same ranking and sees its rank chart.
    page.context.clear_cookies()
    log_in(page, live, demo.MEMBER.username, demo.MEMBER.password)
    page.goto(live + reverse("pledges:results", args=[pledge.pk]))
    page.wait_for_function("document.querySelector('#chart-rank').naturalWidth > 0")
    expect(page.locator("#results-table tbody tr").first).to_contain_text(member_org.name)
    shot("pledges_07_results_member")
    assert Criterion.objects.filter(pledge=pledge).exists()
