"""Django admin for pledges: emulation titles, the pledges with their contents, criteria,
quotas and signatures, and read-only pages for what the portal records (registrations,
score sheets and scores, evidence, bonuses and penalties, ballots, proposals).

Writes with rules go through pledges.services, as in blocs/admin.py: the forms run the
services' checks so a refusal is a form error and nothing is saved; save_model/save_formset
then call the services (which re-check under a lock and record the actor). A closed pledge
is read-only here for everyone; reopening takes a reason and is done in the portal.
"""

from . import records, year  # noqa: F401 -- each module registers its ModelAdmins
