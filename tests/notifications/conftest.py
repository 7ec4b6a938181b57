"""The notices' fixtures: a real SMTP server on loopback (aiosmtpd) that Django's SMTP backend
talks to, and a scoring year whose member has submitted its self-scoring."""

from __future__ import annotations

import email
import email.policy
import socket
from dataclasses import dataclass, field

import pytest
from aiosmtpd.controller import Controller

from blocs.models import current_year
from pledges.models import ScoreSheet
from portal.celery import app as celery_app
from tests.factories import CriterionFactory, PledgeFactory


@dataclass
class Inbox:
    """What the SMTP server received, parsed (email.message.EmailMessage)."""

    messages: list = field(default_factory=list)
    refuse: bool = False

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.refuse:
            return "451 4.3.0 Try again later"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        message.envelope_to = list(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in m.envelope_to]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(autouse=True)
def _tasks_inline(request):
    """Tasks run inline here even when a broker is set (CI sets one); test_worker.py is the
    one module that sends them through the broker to a real worker."""
    if request.node.module.__name__.endswith("test_worker"):
        yield
        return
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend, talking to a server this test started on 127.0.0.1."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    settings.PORTAL_URL = "http://testserver"
    yield inbox
    controller.stop()


@pytest.fixture
def smtp_down(settings):
    """An SMTP port where nothing listens."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()
    settings.EMAIL_TIMEOUT = 2
    return settings


@pytest.fixture
def scoring(world):
    """A pledge in scoring this year; the member (orgs[2]) has submitted its self sheet."""
    pledge = PledgeFactory(bloc=world.bloc, year=current_year(), status="scoring")
    group = CriterionFactory(pledge=pledge, code="A", max_points=10)
    CriterionFactory(pledge=pledge, parent=group, code="A1", max_points=10)
    sheet = ScoreSheet.objects.create(
        pledge=pledge, organization=world.orgs[2], round="self", status="submitted"
    )
    return pledge, sheet
