"""`manage.py api_token USERNAME [--name NAME] [--days N]`: issue an API token and print it (shown once, stored
hashed); it expires after N days, by default settings.API_TOKEN_DAYS."""

from __future__ import annotations

from argparse import ArgumentTypeError
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from calaim.accounts.models import User
from calaim.accounts.services import api_token_issue


def _days(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 3660:
        raise ArgumentTypeError(f"{value!r} is not a whole number of days from 1 to 3660")
    return int(value)


class Command(BaseCommand):
    help = "Issue a bearer token for USERNAME and print only the token (its expiry goes to stderr)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="What the token is for, shown in the admin.")
        parser.add_argument(
            "--days",
            type=_days,
            default=None,
            help="Days until the token expires (1 to 3660); by default settings.API_TOKEN_DAYS.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['username']!r}.")
        # Run by an operator at the console: no signed-in user, so the audit trail says "system".
        token, raw = api_token_issue(actor=None, user=user, name=options["name"], days=options["days"])
        self.stdout.write(raw)
        self.stderr.write(f"Expires {timezone.localtime(token.expires_at):%Y-%m-%d %H:%M %Z}.")
