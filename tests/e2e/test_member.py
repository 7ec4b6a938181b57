"""A member official logs in, finds their bloc on the dashboard, and reads it."""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from blocs import demo
from blocs.models import Bloc, ChairTerm, current_year

pytestmark = pytest.mark.e2e


def log_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(base + reverse("login"))
    form = page.locator("form:has(input[name=password])")
    form.locator("input[name=username]").fill(username)
    form.locator("input[name=password]").fill(password)
    form.locator("[type=submit]").click()


def test_member_reads_their_bloc(live, page: Page, shot):
    call_command("load_demo", force=True, stdout=StringIO())
    bloc = Bloc.objects.get(name=demo.HP_BLOC)
    year = current_year()
    term = ChairTerm.objects.select_related("chair").get(bloc=bloc, year=year)

    page.goto(live + reverse("login"))
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("button", name="Đăng nhập")).to_be_visible()
    shot("member_01_login")

    log_in(page, live, demo.MEMBER.username, demo.MEMBER.password)
    expect(page).to_have_url(live + reverse("home"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Văn Nam")
    card_link = page.get_by_role("link", name=demo.HP_BLOC, exact=True)
    expect(card_link).to_be_visible()
    # The other blocs are not the member's: the Hà Nội cluster is not shown.
    expect(page.get_by_text(demo.HN_CLUSTER)).to_have_count(0)
    shot("member_02_dashboard")

    card_link.click()
    expect(page).to_have_url(live + reverse("blocs:bloc_detail", args=[bloc.pk]))
    expect(page.get_by_role("heading", level=1)).to_have_text(demo.HP_BLOC)

    # Members: all six organizations of the Hải Phòng bloc, by their full names.
    for name in (demo.HP_MTTQ, demo.HP_LDLD, demo.HP_HLHPN, demo.HP_TD, demo.HP_HND):
        expect(page.get_by_role("link", name=name, exact=True).first).to_be_visible()

    # Chair history: a row per year, from the article's 2020 and 2021 to this year.
    history = page.locator("table").filter(has=page.get_by_role("rowheader", name="2020"))
    expect(history).to_be_visible()
    row_2021 = history.get_by_role("row").filter(has=page.get_by_role("rowheader", name="2021"))
    expect(row_2021).to_contain_text("Thành đoàn Hải Phòng")
    expect(row_2021).to_contain_text("29/12/2020")
    row_2020 = history.get_by_role("row").filter(has=page.get_by_role("rowheader", name="2020"))
    expect(row_2020).to_contain_text(re.compile(r"Hội LHPN thành phố|" + demo.HP_HLHPN))
    this_row = history.get_by_role("row").filter(has=page.get_by_role("rowheader", name=str(year)))
    expect(this_row).to_contain_text(term.chair.display_name)
    shot("member_03_bloc_detail")
