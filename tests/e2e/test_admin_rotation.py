"""An admin rotates a bloc's chair for next year through the admin action."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from blocs import demo, selectors, services
from blocs.models import Bloc, ChairTerm

pytestmark = pytest.mark.e2e


def test_admin_rotates_the_chair_for_next_year(live, page: Page, shot):
    call_command("load_demo", force=True, stdout=StringIO())
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    year = services.next_rotation_year()
    proposal = selectors.rotation_proposal(bloc=bloc, year=year)
    assert proposal.existing is None
    assert proposal.chair is not None and proposal.deputy is not None

    # Log in to the admin.
    page.goto(live + reverse("admin:login"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    page.locator("input[name=username]").fill(demo.ADMIN.username)
    page.locator("input[name=password]").fill(demo.ADMIN.password)
    page.locator("#login-form [type=submit]").click()
    expect(page).to_have_url(live + reverse("admin:index"))

    # The bloc changelist: tick the Hải Phòng bloc, choose the action, run it.
    page.goto(live + reverse("admin:blocs_bloc_changelist"))
    row = page.locator("#result_list tbody tr").filter(has_text=demo.HP_BLOC)
    expect(row).to_have_count(1)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("rotate_chair")
    shot("admin_01_changelist")
    page.locator("button[name=index]").click()

    # The confirmation page proposes last year's deputy as chair and the next as deputy.
    proposal_row = page.locator(f"#rotation-{bloc.pk}")
    expect(proposal_row).to_contain_text(demo.HP_BLOC)
    chair_select = proposal_row.locator(f"select[name='bloc-{bloc.pk}-chair']")
    deputy_select = proposal_row.locator(f"select[name='bloc-{bloc.pk}-deputy']")
    expect(chair_select).to_have_value(str(proposal.chair.pk))
    expect(deputy_select).to_have_value(str(proposal.deputy.pk))
    expect(chair_select.locator("option:checked")).to_have_text(proposal.chair.name)
    expect(deputy_select.locator("option:checked")).to_have_text(proposal.deputy.name)
    shot("admin_02_confirmation")
    page.locator("input[type=submit][name=apply]").click()

    # Back on the changelist with a success message; the term exists.
    expect(page).to_have_url(live + reverse("admin:blocs_bloc_changelist"))
    expect(page.locator(".messagelist .success")).to_contain_text(proposal.chair.name)
    shot("admin_03_done")
    term = ChairTerm.objects.get(bloc=bloc, year=year)
    assert (term.chair, term.deputy, term.method) == (
        proposal.chair,
        proposal.deputy,
        ChairTerm.Method.ROTATION,
    )

    # The bloc page shows next year's row in the chair history.
    page.goto(live + reverse("blocs:bloc_detail", args=[bloc.pk]))
    next_row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=str(year)))
    expect(next_row).to_contain_text(proposal.chair.display_name)
    expect(next_row).to_contain_text(proposal.deputy.display_name)
    shot("admin_04_bloc_detail")
