"""`manage.py letters_preview --kind KIND --plan CODE --language es --out FILE.pdf`: a letter template rendered with
made-up sample data (no member's), as plan staff and translators review it. The version is the one in force today
unless --template-version names another; KIND is a notice kind (or a template key). Exit status: 0 written; 2
usage."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from calaim.core.clock import plan_today
from calaim.core.errors import DomainError
from calaim.notices.letters import letter_preview
from calaim.notices.letters.selection import letter_template_for
from calaim.notices.reference import letters_config
from calaim.plans.models import Plan


class Command(BaseCommand):
    help = "Render a letter template with sample data (no member data) to a PDF file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", required=True, help="A member notice kind, e.g. notice_of_action.")
        parser.add_argument("--plan", required=True, help="The plan's code, e.g. HPSJ (its own template if any).")
        parser.add_argument("--language", default="en", help="en, es, zh, vi or tl (default en).")
        parser.add_argument(
            "--template-version", dest="template_version", help="The template version (default: today's)."
        )
        parser.add_argument("--out", required=True, type=Path, help="Where to write the PDF.")

    def handle(self, *args: Any, **options: Any) -> None:
        plan = Plan.objects.filter(code=options["plan"]).first()
        if plan is None:
            raise CommandError(f"No plan {options['plan']!r}.", returncode=2)
        kind = options["kind"]
        config = letters_config()
        try:
            template = config.templates.get(kind) or letter_template_for(kind, {})
            version = options["template_version"] or template.version_on(plan_today()).version
            language = options["language"]
            letter = letter_preview(key=template.key, version=version, language=language, plan=plan)
        except DomainError as error:
            raise CommandError(error.message, returncode=2) from error
        options["out"].write_bytes(letter.rendered.pdf)
        self.stdout.write(
            f"{options['out']}: {template.key} v{version} ({language}, {plan.code}), "
            f"{letter.rendered.page_count} pages, sha256 {letter.rendered.sha256[:16]}"
        )
