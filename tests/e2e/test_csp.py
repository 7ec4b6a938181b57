"""In a real browser, no page of the portal or of its admin breaks the Content-Security-Policy
(issue 14): every refused inline script or style is reported as a `securitypolicyviolation`
event, which the page records; the tests assert none happened, and that the handlers moved
to static/js/portal.js still work."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from blocs import demo
from blocs.models import Bloc, Membership, Organization
from pledges.models import Pledge
from reports.models import ReportDraft

pytestmark = pytest.mark.e2e

# Runs before any script of the page: collects what the policy refused.
RECORDER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline") +
                              " " + (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


def _login(page: Page, live: str, account) -> None:
    page.goto(live + reverse("login"))
    page.locator("input[name=username]").fill(account.username)
    page.locator("input[name=password]").fill(account.password)
    page.locator("form[action$='/login/'] button.btn-primary").click()
    expect(page).to_have_url(live + reverse("home"))


def _visit(page: Page, url: str) -> list[str]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__cspViolations")


@pytest.fixture
def demo_page(live, page: Page):
    call_command("load_demo", force=True, stdout=StringIO())
    page.add_init_script(RECORDER)
    return page


def test_portal_pages_run_under_the_policy(live, demo_page: Page):
    page = demo_page
    _login(page, live, demo.SECRETARY)
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    pledge = Pledge.objects.filter(bloc=bloc).order_by("-year").first()
    draft = ReportDraft.objects.filter(bloc=bloc).first()
    urls = [
        reverse("home"),
        reverse("blocs:bloc_list"),
        reverse("blocs:bloc_detail", args=[bloc.pk]),
        reverse("pledges:pledge_detail", args=[pledge.pk]),
        reverse("pledges:results", args=[pledge.pk]),
        reverse("pledges:verify", args=[pledge.pk]),
        reverse("reports:draft_edit", args=[draft.pk]),
    ]
    for url in urls:
        assert _visit(page, live + url) == [], url
    # the editor's preview frame shows the document with its own styles
    frame = page.frame_locator("iframe.report-preview")
    expect(frame.locator("body")).to_be_visible()
    # the auto-submitting filter of the bloc list (formerly an inline onchange)
    page.goto(live + reverse("blocs:bloc_list"))
    page.locator("select#kind").select_option(Bloc.Kind.CUM)
    expect(page).to_have_url(live + reverse("blocs:bloc_list") + f"?kind={Bloc.Kind.CUM}")
    assert page.evaluate("window.__cspViolations") == []


def test_the_print_button_still_prints(live, demo_page: Page):
    page = demo_page
    _login(page, live, demo.SECRETARY)
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    page.goto(live + reverse("blocs:bloc_detail", args=[bloc.pk]))
    # (a function, not an expression: Playwright would call a function the expression yields)
    page.evaluate("() => { window.__printed = 0; window.print = () => window.__printed++; }")
    page.locator("[data-portal-print]").first.click()
    assert page.evaluate("window.__printed") == 1


def test_admin_pages_run_under_the_policy(live, demo_page: Page):
    page = demo_page
    page.goto(live + reverse("admin:login"))
    page.locator("input[name=username]").fill(demo.ADMIN.username)
    page.locator("input[name=password]").fill(demo.ADMIN.password)
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url(live + reverse("admin:index"))
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    membership = Membership.objects.filter(bloc=bloc).first()
    urls = [
        reverse("admin:index"),
        reverse("admin:blocs_bloc_changelist"),
        reverse("admin:blocs_bloc_change", args=[bloc.pk]),
        reverse("admin:blocs_bloc_history", args=[bloc.pk]),
        reverse("admin:blocs_membership_change", args=[membership.pk]),
        reverse("admin:blocs_membership_import"),
        reverse("admin:blocs_organization_export"),
        reverse("admin:blocs_organization_history", args=[Organization.objects.first().pk]),
        reverse("admin:auth_user_changelist"),
        reverse("admin:axes_accessattempt_changelist"),
    ]
    for url in urls:
        assert _visit(page, live + url) == [], url
    # the admin's own scripts still run: the "select all" box of a changelist ticks the rows
    page.goto(live + reverse("admin:blocs_bloc_changelist"))
    page.locator("#action-toggle").check()
    expect(page.locator("input.action-select").first).to_be_checked()
