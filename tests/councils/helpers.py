"""Blocs organized by one body, each with a year's pledge, a leading unit elected by ballot
and proposals: the council's world."""

from __future__ import annotations

from dataclasses import dataclass, field

from blocs.models import Bloc, Organization
from pledges.models import Ballot, BallotCandidate, EmulationTitle, Pledge, Proposal
from tests.factories import (
    BlocFactory,
    ChairTermFactory,
    EmulationTitleFactory,
    MembershipFactory,
    OfficialFactory,
    OrganizationFactory,
    PledgeFactory,
)

YEAR = 2020


@dataclass
class Council:
    body: Organization
    flag: EmulationTitle
    blocs: list[Bloc] = field(default_factory=list)
    pledges: list[Pledge] = field(default_factory=list)
    leaders: list[Organization] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)

    def official(self, username: str = "hoidong"):
        return OfficialFactory(organization=self.body, user__username=username).user


def flag_title() -> EmulationTitle:
    return EmulationTitle.objects.get_or_create(
        code="co-thi-dua-chinh-phu-test",
        defaults={"name": "Cờ thi đua của Chính phủ", "kind": "title", "level": "state"},
    )[0]


def add_bloc(council: Council, n: int, *, year: int = YEAR, members: int = 3) -> Proposal:
    """A bloc of `members` organizations whose first leads it by ballot and is proposed
    for the flag."""
    tag = f"{council.body.pk}-{n}"
    bloc = BlocFactory(name=f"Cụm thi đua số {tag}", organizing_body=council.body)
    orgs = [
        OrganizationFactory(name=f"Ủy ban MTTQ huyện {tag}-{i}", short_name=f"MTTQ {n}-{i}")
        for i in range(members)
    ]
    for org in orgs:
        MembershipFactory(bloc=bloc, organization=org, first_year=year - 5)
    ChairTermFactory(bloc=bloc, year=year, chair=orgs[0], deputy=orgs[1])
    pledge = PledgeFactory(bloc=bloc, year=year, status="closed")
    ballot = Ballot.objects.create(
        pledge=pledge,
        purpose=Ballot.Purpose.LEADING,
        title="Bầu đơn vị dẫn đầu",
        members_total=members,
        present=members,
        issued=members,
        returned=members,
        valid=members,
        invalid=0,
    )
    BallotCandidate.objects.create(ballot=ballot, organization=orgs[0], votes=members)
    proposal = Proposal.objects.create(pledge=pledge, organization=orgs[0], title=council.flag)
    council.blocs.append(bloc)
    council.pledges.append(pledge)
    council.leaders.append(orgs[0])
    council.proposals.append(proposal)
    return proposal


def make_council(
    blocs: int = 2, *, year: int = YEAR, name: str = "Ủy ban nhân dân tỉnh Thử nghiệm"
) -> Council:
    body = OrganizationFactory(name=name, short_name="UBND tỉnh")
    council = Council(body=body, flag=flag_title())
    for n in range(1, blocs + 1):
        add_bloc(council, n, year=year)
    return council


__all__ = ["YEAR", "Council", "EmulationTitleFactory", "add_bloc", "flag_title", "make_council"]
