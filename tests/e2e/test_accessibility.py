"""Accessibility and fit of the key pages in the browser.

axe-core (vendored under tests/e2e/vendor/, see its README) runs on the key pages of the demo
as the member official and the secretariat see them: no serious or critical violation. The
self-scoring and verification grids are also opened at 1366 px (a laptop) and 390 px (a
phone), with screenshots, and measured: what must stay reachable is on screen.
"""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from blocs import demo
from blocs.models import Bloc, Meeting, Official, current_year
from pledges import services
from pledges.models import Pledge, Score, ScoreSheet

from .test_member import log_in

pytestmark = pytest.mark.e2e

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
SERIOUS = {"serious", "critical"}
# A one-page PDF: the evidence some demo criteria require before a sheet can be submitted.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n%%EOF\n"


def axe_violations(page: Page) -> list[dict]:
    """The serious and critical violations axe-core finds on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => JSON.stringify(await axe.run(document))")
    found = json.loads(result)["violations"]
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in found
        if v["impact"] in SERIOUS
    ]


@pytest.fixture
def year(live):
    """The demo with this year's pledge in scoring and the member's self sheet submitted
    (so the verification grid has an editable row)."""
    call_command("load_demo", force=True, stdout=StringIO())
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    pledge = Pledge.objects.get(bloc=bloc, year=current_year())
    for status in (Pledge.Status.SIGNED, Pledge.Status.SCORING):
        if pledge.status != status:
            pledge = services.pledge_set_status(pledge=pledge, status=status)
    member = Official.objects.get(user__username=demo.MEMBER.username).organization
    sheet = services.sheet_for(pledge=pledge, organization=member, round=ScoreSheet.Round.SELF)
    leaves = list(pledge.criteria.filter(children__isnull=True).order_by("pk"))
    rows = [{"criterion": c, "points": c.max_points * 8 / 10, "version": 0} for c in leaves]
    services.sheet_save_grid(sheet=sheet, rows=rows)
    for leaf in leaves:
        if leaf.evidence_required:
            score = Score.objects.get(sheet=sheet, criterion=leaf)
            services.evidence_add(score=score, uploaded=SimpleUploadedFile("bb.pdf", PDF))
    services.sheet_submit(sheet=sheet)
    return bloc, pledge, member


def test_the_key_pages_have_no_serious_accessibility_violations(live, year, browser):
    bloc, pledge, _member = year
    meeting = Meeting.objects.filter(bloc=bloc).order_by("-starts_at").first()
    secretariat_pages = {
        "dashboard": reverse("home"),
        "bloc": reverse("blocs:bloc_detail", args=[bloc.pk]),
        "meeting": reverse("blocs:meeting_detail", args=[meeting.pk]),
        "meeting record": reverse("blocs:meeting_record", args=[meeting.pk]),
        "pledge": reverse("pledges:pledge_detail", args=[pledge.pk]),
        "verification grid": reverse("pledges:verify", args=[pledge.pk]),
        "results": reverse("pledges:results", args=[pledge.pk]),
        "report list": reverse("reports:report_list", args=[bloc.pk]),
    }
    member_pages = {
        "member dashboard": reverse("home"),
        "self-score grid": reverse("pledges:self_score", args=[pledge.pk]),
    }
    found = {}
    for account, pages in ((demo.SECRETARY, secretariat_pages), (demo.MEMBER, member_pages)):
        # The portal's CSP (script-src 'self') refuses the injected script; tests/e2e/test_csp.py
        # checks the policy, so this context may bypass it.
        context = browser.new_context(locale="vi-VN", bypass_csp=True)
        page = context.new_page()
        log_in(page, live, account.username, account.password)
        for name, path in pages.items():
            page.goto(live + path)
            found[name] = axe_violations(page)
        context.close()
    bad = {name: v for name, v in found.items() if v}
    assert not bad, json.dumps(bad, ensure_ascii=False, indent=1)


def test_the_verification_grid_fits_a_laptop(live, year, page: Page, shot):
    _bloc, pledge, member = year
    page.set_viewport_size({"width": 1366, "height": 768})
    log_in(page, live, demo.SECRETARY.username, demo.SECRETARY.password)
    page.goto(live + reverse("pledges:verify", args=[pledge.pk]))
    row = page.locator(f"#m{member.pk}")
    save = row.get_by_role("button", name="Lưu")
    reason = row.locator("input[name=reason]")
    # The reason and Save are on screen beside the member's name, before any scrolling.
    for box in (save.bounding_box(), reason.bounding_box()):
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 1366, box
    expect(row.locator("th.sticky-col")).to_be_in_viewport()
    wrap = page.locator("#verify-wrap")
    overflows = wrap.evaluate("box => box.scrollWidth > box.clientWidth")
    hint = page.locator("[data-portal-scroll-hint=verify-wrap]")
    (expect(hint).to_be_visible if overflows else expect(hint).to_be_hidden)()
    shot("grids_01_verify_1366")
    # Scrolled to the last criteria: the member column and Save are still there.
    wrap.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    expect(row.locator("th.sticky-col")).to_be_in_viewport()
    expect(save).to_be_in_viewport()

    # A refused save (a change without its reason) marks the cell and lands on it.
    first = row.locator("input.verify-input").first
    first.fill("0")
    wrap.evaluate("box => { box.scrollLeft = 0; }")
    save.click()
    focused = page.locator("[data-portal-focus]").first
    expect(focused).to_be_focused()
    expect(focused).to_be_in_viewport()
    expect(page.locator(".alert-danger")).to_have_count(1)  # one message at the top
    shot("grids_02_verify_refused_1366")


def test_the_self_scoring_grid_on_a_phone_and_a_laptop(live, year, page: Page, shot):
    _bloc, pledge, member = year
    log_in(page, live, demo.MEMBER.username, demo.MEMBER.password)
    # The member's sheet back to a draft, so the grid shows its inputs.
    ScoreSheet.objects.filter(pledge=pledge, organization=member, round="self").update(
        status=ScoreSheet.Status.DRAFT, submitted_at=None
    )
    url = live + reverse("pledges:self_score", args=[pledge.pk])
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(url)
    expect(page.locator("#score-form input.score-input").first).to_be_visible()
    shot("grids_03_self_score_1366")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(url)
    # Below 576 px each criterion is a card: nothing wider than the phone, the criterion's
    # text in (nearly) the full width, each value labelled.
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width
    text = page.locator("#score-form td.crit-text").first
    box = text.bounding_box()
    assert box is not None and box["width"] >= 300, box
    first_input = page.locator("#score-form input.score-input").first
    first_input.scroll_into_view_if_needed()
    expect(first_input).to_be_in_viewport()
    shot("grids_04_self_score_390")

    # The results table on the phone: the member column stays, the figures scroll.
    page.goto(live + reverse("pledges:results", args=[pledge.pk]))
    expect(page.locator("#results-table")).to_be_visible()
    shot("grids_05_results_390")
