"""`manage.py letters_review --as USER`: list every letter template version and language with its review status;
with --template KEY --template-version V --language es --reviewer "NAME" [--note TEXT], record that a qualified
translator reviewed that translation (the same service as the letter templates page; plan compliance only). Exit
status: 0 listed or recorded; 1 refused; 2 usage."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calaim.accounts.models import User
from calaim.core.errors import DomainError
from calaim.notices.letters.reviews import template_translations, translation_review_record


class Command(BaseCommand):
    help = "List the letter translations and their review status, or record a translator's review."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as", dest="username", required=True, help="The plan compliance officer recording it.")
        parser.add_argument("--template", help="The template key, e.g. notice_of_action.")
        parser.add_argument("--template-version", dest="template_version", help="The template version, e.g. 2026.1.")
        parser.add_argument("--language", help="es, zh, vi or tl.")
        parser.add_argument("--reviewer", default="", help="The translator's name, as they sign.")
        parser.add_argument("--note", default="", help="Anything the review should record.")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["username"], is_active=True).select_related("organization").first()
        if actor is None:
            raise CommandError(f"No active user {options['username']!r}.", returncode=2)
        wanted = [options["template"], options["template_version"], options["language"]]
        if not any(wanted):
            for row in template_translations():
                self.stdout.write(f"{row.key:32} v{row.version:8} {row.language:3} {row.status}")
            return
        if not all(wanted):
            raise CommandError("Give --template, --template-version and --language together.", returncode=2)
        try:
            review = translation_review_record(
                actor=actor,
                template_key=options["template"],
                template_version=options["template_version"],
                language=options["language"],
                reviewer_name=options["reviewer"],
                note=options["note"],
            )
        except DomainError as error:
            raise CommandError(error.message, returncode=2 if error.status_code == 422 else 1) from error
        self.stdout.write(f"Recorded: {review}")
