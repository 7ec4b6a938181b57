"""A pledge for this year on the shared `world` bloc, with contents and a small criteria tree:

A  Tiêu chí chung          40   (A1 15, A2 25; A2 needs evidence)
B  Tiêu chí chuyên môn     60   (B1 60, bonus up to 5)
"""

from decimal import Decimal

import pytest

from blocs.models import current_year
from pledges.models import Pledge
from tests.factories import CriterionFactory, PledgeFactory, PledgeItemFactory


@pytest.fixture
def pledge(world) -> Pledge:
    pledge = PledgeFactory(
        bloc=world.bloc,
        year=current_year(),
        classification_bands=[
            {"name": "Hoàn thành xuất sắc nhiệm vụ", "min": 90},
            {"name": "Hoàn thành tốt nhiệm vụ", "min": 70},
            {"name": "Hoàn thành nhiệm vụ", "min": 50},
        ],
        tie_break_order=["bonus", "penalty"],
        bonus_cap=Decimal("5"),
    )
    for i in range(3):
        PledgeItemFactory(pledge=pledge, order=i)
    a = CriterionFactory(pledge=pledge, code="A", text="Tiêu chí chung", max_points=40, order=1)
    CriterionFactory(pledge=pledge, parent=a, code="A1", max_points=15, order=1)
    CriterionFactory(
        pledge=pledge, parent=a, code="A2", max_points=25, order=2, evidence_required=True
    )
    b = CriterionFactory(
        pledge=pledge, code="B", text="Tiêu chí chuyên môn", max_points=60, order=2
    )
    CriterionFactory(pledge=pledge, parent=b, code="B1", max_points=60, order=1, bonus_cap=5)
    return pledge
