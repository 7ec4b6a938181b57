"""The emulation and commendation council's view across the blocs its body organizes: one
page per organizing body and year (the blocs, their year's status, leading units and
proposals with the council's decisions, holds, quotas across blocs, eligibility over years,
the tie-break marks), its xlsx export, and the council's decide / hold / lift forms. The
top app but one: it imports blocs, pledges and reports; notifications listens to it."""
