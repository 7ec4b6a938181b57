"""The SVG charts are pure functions of what the ranking made: valid XML, the names and
years in it, the same picture for the same data."""

import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.utils import translation

from pledges import charts
from pledges.charts import chart_group_points, chart_rank_history


@pytest.fixture(autouse=True)
def _no_cached_charts():
    # Each test draws (the cache is tested on its own below).
    cache.clear()
    yield
    cache.clear()


def org(name, short=""):
    return SimpleNamespace(name=name, short_name=short)


def results():
    groups = [
        SimpleNamespace(pk=1, code="A", text="Tiêu chí chung"),
        SimpleNamespace(pk=2, code="B", text="Tiêu chí chuyên môn"),
    ]
    members = [
        SimpleNamespace(
            organization=org("Hội Liên hiệp Phụ nữ thành phố", "Hội LHPN"),
            group_points={1: Decimal("38.5"), 2: Decimal("55")},
            total=Decimal("93.5"),
        ),
        SimpleNamespace(
            organization=org("Thành đoàn Hải Phòng", "Thành đoàn"),
            group_points={1: Decimal("30"), 2: Decimal("50")},
            total=Decimal("80"),
        ),
    ]
    return SimpleNamespace(groups=groups, members=members)


def test_group_chart_is_svg_with_names_groups_and_totals():
    svg = chart_group_points(results())
    root = ET.fromstring(svg)  # noqa: S314 -- our own SVG
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    for text in ("Hội LHPN", "Thành đoàn", "A. Tiêu chí chung", "B. Tiêu chí chuyên môn", "93,5"):
        assert text in svg  # text stays text (svg.fonttype none): Vietnamese letters intact


def test_group_chart_is_stable_and_takes_a_plain_name():
    data = SimpleNamespace(
        groups=[SimpleNamespace(pk=1, code="A", text="Chung")],
        members=[SimpleNamespace(organization="Hội Nông dân", group_points={1: 20}, total=20)],
    )
    first = chart_group_points(data)
    assert "Hội Nông dân" in first
    cache.clear()
    assert chart_group_points(data) == first  # drawn again, the same SVG


def test_group_chart_without_scores_says_so():
    empty = SimpleNamespace(groups=[], members=[])
    svg = chart_group_points(empty, empty_text="Chưa có điểm")
    ET.fromstring(svg)  # noqa: S314 -- our own SVG
    assert "Chưa có điểm" in svg


def test_rank_history_has_the_years_the_ranks_and_the_name():
    svg = chart_rank_history({2023: 3, 2024: 1, 2025: 2}, "Liên đoàn Lao động thành phố")
    ET.fromstring(svg)  # noqa: S314 -- our own SVG
    for text in ("2023", "2024", "2025", "Liên đoàn Lao động thành phố"):
        assert text in svg


def test_rank_history_with_an_organization_object_and_no_ranks():
    svg = chart_rank_history({}, org("Hội Cựu chiến binh"), empty_text="Chưa xếp hạng")
    assert "Chưa xếp hạng" in svg
    svg = chart_rank_history({2025: 1, 2024: None}, org("Hội Cựu chiến binh"))
    assert "Hội Cựu chiến binh" in svg and "2025" in svg


def test_a_chart_is_drawn_once_per_inputs_and_anew_when_a_score_changes(monkeypatch):
    drawn = []
    real_svg = charts._svg

    def counting_svg(figure):
        drawn.append(figure)
        return real_svg(figure)

    monkeypatch.setattr(charts, "_svg", counting_svg)
    data = results()
    first = chart_group_points(data)
    assert chart_group_points(results()) == first  # equal inputs, other objects
    assert len(drawn) == 1
    data.members[1].group_points[2] = Decimal("51")
    data.members[1].total = Decimal("81")
    changed = chart_group_points(data)
    assert len(drawn) == 2 and changed != first and "81" in changed
    history = {2023: 2, 2024: 1}
    chart_rank_history(history, org("Thành đoàn Hải Phòng"))
    chart_rank_history(dict(history), org("Thành đoàn Hải Phòng"))
    assert len(drawn) == 3
    chart_rank_history({2023: 2, 2024: 2}, org("Thành đoàn Hải Phòng"))
    assert len(drawn) == 4


# The rank chart tells the truth (issue 12) --------------------------------------------------


def _ids(svg: str) -> set[str]:
    tree = ET.fromstring(svg)  # noqa: S314 -- our own SVG
    return {element.get("id") for element in tree.iter() if element.get("id")}


def _texts(svg: str) -> list[str]:
    tree = ET.fromstring(svg)  # noqa: S314 -- our own SVG
    return ["".join(element.itertext()).strip() for element in tree.iterfind(".//{*}text")]


def test_rank_points_fill_the_years_without_a_rank():
    from pledges.charts import rank_points
    from pledges.ranking import RankPoint

    assert rank_points({2021: 3, 2024: 1, 2023: None}) == [
        RankPoint(2021, 3),
        RankPoint(2022, None),
        RankPoint(2023, None),
        RankPoint(2024, 1),
    ]
    assert rank_points({2024: None}) == []


def test_the_rank_chart_breaks_the_line_marks_provisional_years_and_ties():
    from pledges.ranking import RankPoint

    series = [
        RankPoint(2021, 3),
        RankPoint(2022, 2, tied=True),
        RankPoint(2023, None),  # no data: no line from 2022 to 2024
        RankPoint(2024, 1),
        RankPoint(2025, 2, provisional=True),
    ]
    with translation.override("en"):
        svg = chart_rank_history(series, org("Liên đoàn Lao động thành phố"))
    ids = _ids(svg)
    segments = {i for i in ids if i.startswith("segment-")}
    assert segments == {"segment-2021-2022-solid", "segment-2024-2025-dashed"}
    markers = {i for i in ids if i.startswith("rank-")}
    assert markers == {
        "rank-2021-final",
        "rank-2022-final",
        "rank-2024-final",
        "rank-2025-provisional",
    }
    texts = _texts(svg)
    assert "=2" in texts and "3" in texts and "1" in texts
    assert "final" in texts and "provisional (scores not yet verified)" in texts
    assert "2023" in texts  # the year without data keeps its tick


def test_the_rank_chart_legend_is_vietnamese_and_only_what_is_drawn():
    from pledges.ranking import RankPoint

    with translation.override("vi"):
        svg = chart_rank_history([RankPoint(2025, 1, provisional=True)], "Thành đoàn")
    texts = _texts(svg)
    assert "tạm tính (điểm chưa thẩm định)" in texts
    assert "chính thức" not in texts  # no final year: no legend entry for it


def test_a_font_installed_after_matplotlib_listed_the_fonts_is_the_one_that_measures(monkeypatch):
    import copy
    import os
    import shutil
    import subprocess

    from matplotlib import font_manager

    fc_list = shutil.which("fc-list")
    listed = (
        fc_list
        and subprocess.run(  # noqa: S603 - a fixed program and pattern
            [fc_list, ":family=Liberation Serif", "file"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
    )
    if not listed:
        if os.environ.get("CI", "").lower() == "true":
            raise AssertionError("CI installs fonts-liberation2 (Liberation Serif)")
        pytest.skip("Liberation Serif (fonts-liberation2) is not installed")
    # The list as matplotlib wrote it before the documents' font was installed.
    stale = copy.copy(font_manager.fontManager)
    stale.ttflist = [f for f in stale.ttflist if not f.name.startswith("Liberation")]
    monkeypatch.setattr(font_manager, "fontManager", stale)
    charts._families.cache_clear()
    try:
        assert charts._families()[0] == "Liberation Serif"
        assert "Liberation Serif" in {font.name for font in stale.ttflist}
    finally:
        charts._families.cache_clear()
