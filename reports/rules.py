"""Who may do what with documents. Views ask through these, never inline.

- members of a bloc (and admins) read its documents: the list, the progress of a build,
  the ready PDF and spreadsheet; outsiders do not learn they exist (404);
- the secretariat of the document's year (blocs.rules.is_secretariat) writes the draft,
  previews it, builds and retries.
"""

from __future__ import annotations

import rules

from blocs.models import Bloc
from blocs.rules import is_secretariat

from .models import ReportDraft


def can_read_bloc_documents(user, bloc: Bloc) -> bool:
    return Bloc.objects.visible_to(user).filter(pk=bloc.pk).exists()


@rules.predicate
def is_draft_writer(user, draft: ReportDraft | None) -> bool:
    return draft is not None and is_secretariat(user, draft.bloc, draft.year)


@rules.predicate
def is_draft_reader(user, draft: ReportDraft | None) -> bool:
    return draft is not None and can_read_bloc_documents(user, draft.bloc)


rules.add_perm("reports.read_draft", rules.is_staff | is_draft_reader)
rules.add_perm("reports.write_draft", rules.is_staff | is_draft_writer)
