# English pages keep the Vietnamese day-first dates: the users are the same officials.
from portal.formats.vi.formats import *  # noqa: F403
