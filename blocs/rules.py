"""Who may do what with a bloc. Views ask through these, never inline.

- admins (staff) may do everything;
- members: officials of an organization that belongs to the bloc, and its
  assigned secretaries, may read it;
- the secretariat of a bloc in a year: the bloc's assigned secretaries and every
  official of that year's chair organization. Rotating the chair moves it.
"""

from __future__ import annotations

import rules

from .models import Bloc, ChairTerm, Official, current_year


def is_secretariat(user, bloc: Bloc, year: int | None = None) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    if bloc.secretaries.filter(pk=user.pk).exists():
        return True
    return ChairTerm.objects.filter(
        bloc=bloc,
        year=year or current_year(),
        chair_id__in=Official.objects.filter(user=user).values("organization_id"),
    ).exists()


@rules.predicate
def is_bloc_member(user, bloc: Bloc | None) -> bool:
    if bloc is None:
        return False
    return Bloc.objects.visible_to(user).filter(pk=bloc.pk).exists()


@rules.predicate
def is_bloc_secretariat(user, bloc: Bloc | None) -> bool:
    return bloc is not None and is_secretariat(user, bloc)


rules.add_perm("blocs.read_bloc", rules.is_staff | is_bloc_member)
rules.add_perm("blocs.manage_bloc", rules.is_staff | is_bloc_secretariat)
