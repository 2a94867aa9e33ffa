"""DEMO / DEVELOPMENT ONLY: print a demo user's current TOTP code, so the tour can be walked without a phone."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "DEMO/DEV ONLY: print the current TOTP code of USERNAME's confirmed authenticator. Refused unless DEBUG."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("demo_totp is for the demo and development only; it refuses to run with DEBUG off.")
        devices = TOTPDevice.objects.filter(user__username=options["username"])
        device = devices.filter(confirmed=True).first()
        if device is None:
            # During setup the page shows a pending device; its code is what confirms it.
            device = devices.filter(confirmed=False).first()
            if device is None:
                raise CommandError(f"{options['username']} has no authenticator yet: sign in once to reach setup.")
            self.stderr.write("(code for the authenticator being set up, not yet confirmed)")
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        self.stdout.write(f"{totp.token():0{device.digits}d}")
