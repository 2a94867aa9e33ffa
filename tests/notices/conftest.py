"""Fixtures for the notifications' tests: a real SMTP server on this machine (aiosmtpd) that Django's SMTP backend
sends to, and the queued tasks run with the worker's own code in this process."""

from __future__ import annotations

import email
import email.policy
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django_tasks_db.models import DBTaskResult

from calaim.jobs.worker import CalaimWorker

BASE_URL = "https://calaim.plan.example"


@dataclass
class Mailbox:
    """What the local SMTP server received: each message as sent, with the envelope's recipients."""

    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)
    port: int = 0

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # aiosmtpd's hook
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for recipients, message in self.received if address in recipients]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def text_of(message: EmailMessage) -> str:
    """The subject and every text part of a message, decoded."""
    parts = [str(message["Subject"])]
    for part in message.walk():
        if part.get_content_type() in ("text/plain", "text/html"):
            parts.append(part.get_content())
    return "\n".join(parts)


@pytest.fixture
def smtp(settings: Any) -> Iterator[Mailbox]:
    """A real SMTP server on 127.0.0.1 at a free port, and Django's SMTP backend pointed at it."""
    mailbox = Mailbox(port=free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", mailbox.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    settings.DEFAULT_FROM_EMAIL = "calaim <no-reply@plan.example>"
    settings.CALAIM_BASE_URL = BASE_URL
    try:
        yield mailbox
    finally:
        controller.stop()


def run_queued(capture: Any) -> int:
    """Run every queued task with the worker's own code (claim, run, record), as `manage.py calaim_worker` does,
    then the tasks they queued on commit, until none is left; how many ran."""
    worker = CalaimWorker(
        queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
        max_tasks=None, worker_id="test-worker", excluded_queue_names=[],
    )  # fmt: skip
    total = 0
    while True:
        with capture(execute=True):
            ran = 0
            while worker.step():
                ran += 1
        if not ran:
            break
        total += ran
    failed = DBTaskResult.objects.exclude(status="SUCCESSFUL")
    assert not failed.exists(), [(row.task_path, row.traceback) for row in failed]
    return total
