"""The SVG charts are pure functions of what the ranking made: valid XML, the names and
years in it, the same picture for the same data."""

import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.cache import cache

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
