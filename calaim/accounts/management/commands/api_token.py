"""`manage.py api_token USERNAME`: issue an API token for a user and print it (shown once, stored hashed)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calaim.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue a bearer token for USERNAME and print only the token."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="cli", help="What the token is for, shown in the admin.")

    def handle(self, *args: Any, **options: Any) -> None:
        user = User.objects.filter(username=options["username"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user named {options['username']!r}.")
        _, raw = ApiToken.issue(user=user, name=options["name"])
        self.stdout.write(raw)
