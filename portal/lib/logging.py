"""Log records an operator can read: one line for what is expected, one line per request for
a database outage, a traceback only for what is a bug.

Django's request logger attaches the exception to every 4xx and 5xx it logs, so an expected
403 (a member opening the secretariat's page) or 404 (an outsider) printed a traceback, and
a two-minute database outage printed 1,356 of them. `ExpectedErrorsOnOneLine` (on the
`django.request` logger, settings.LOGGING) keeps those records but drops their traceback,
naming the exception on the line instead. On the console handler too, for the records of
`django.security.*` (a refused Host header: a 400 with a traceback otherwise).
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, InterfaceError, OperationalError

# A database that cannot be reached or answered: the same for every request while it lasts.
OUTAGE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


def _outage(exc: BaseException | None) -> BaseException | None:
    """The database outage error behind exc (Django wraps the driver's), if there is one."""
    while exc is not None:
        if isinstance(exc, OUTAGE_ERRORS) or (
            isinstance(exc, DatabaseError) and "connection" in str(exc).lower()
        ):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


class ExpectedErrorsOnOneLine(logging.Filter):
    # Django's loggers of requests; on a handler, the records of any other logger pass as
    # they are (a task's own error keeps its traceback).
    LOGGERS = ("django.request", "django.security")

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.exc_info or not record.name.startswith(self.LOGGERS):
            return True
        exc = record.exc_info[1]
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            # 403, 404, 405, 400 ...: the access policy or the user at work, not a bug.
            record.exc_info = None
            record.exc_text = None
            return True
        outage = _outage(exc)
        if outage is not None:
            first_line = (str(outage).strip().splitlines() or [""])[0]
            record.msg = f"{record.getMessage()} (database unavailable: "
            record.msg += f"{type(outage).__name__}: {first_line})"
            record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True
