"""Every Community Supports limit becomes a dated per-plan setting, and the catalog's room-and-board flag goes.

Rows that already exist get the values the limits engine applied to them until now (its built-in room-and-board
set, 365-day window, one approval with a change, 24-hour sobering stays), so no plan's limits change here.
Going back, the catalog flag is set again on every service some plan counts as room and board.
"""

from django.db import migrations, models

# The limits engine's built-in values before this migration; existing rows keep them.
ENGINE_ROOM_BOARD_SERVICES = ["recuperative_care", "stphh", "transitional_rent"]


def _flag_room_and_board_services(apps, schema_editor):
    CsLimitSettings = apps.get_model("community_supports", "CsLimitSettings")
    CsService = apps.get_model("community_supports", "CsService")
    codes = {code for row in CsLimitSettings.objects.all() for code in row.room_board_services}
    CsService.objects.filter(code__in=codes).update(room_and_board=True)


def _optional(text):
    return models.PositiveSmallIntegerField(blank=True, null=True, help_text=text)


class Migration(migrations.Migration):
    dependencies = [
        ("community_supports", "0003_status_updates"),
    ]

    operations = [
        migrations.AddField(
            model_name="cslimitsettings",
            name="room_board_services",
            field=models.JSONField(
                default=ENGINE_ROOM_BOARD_SERVICES,
                help_text='Service codes that together count toward the room-and-board cap, e.g. ["recuperative_care"].',
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="cslimitsettings",
            name="room_board_window_days",
            field=models.PositiveSmallIntegerField(
                default=365, help_text="Width of the rolling room-and-board window in days (365 for 12 months)."
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="cslimitsettings",
            name="deposit_approvals_with_change",
            field=models.PositiveSmallIntegerField(
                default=1,
                help_text="Further Housing Deposits approvals allowed only with a documented change in circumstances.",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="cslimitsettings",
            name="sobering_max_hours",
            field=models.PositiveSmallIntegerField(
                blank=True,
                null=True,
                default=24,
                help_text="A Sobering Center stay lasts under this many hours; empty: not enforced.",
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="cslimitsettings",
            name="room_board_max_days",
            field=_optional("Room-and-board days allowed in any rolling window; empty: not enforced."),
        ),
        migrations.AlterField(
            model_name="cslimitsettings",
            name="recuperative_care_max_days",
            field=_optional("Continuous days per stay; empty: not enforced."),
        ),
        migrations.AlterField(
            model_name="cslimitsettings",
            name="stphh_max_days",
            field=_optional("Days per stay; empty: not enforced."),
        ),
        migrations.AlterField(
            model_name="cslimitsettings",
            name="transitional_rent_max_days",
            field=_optional("Days per episode; empty: not enforced."),
        ),
        migrations.AlterField(
            model_name="cslimitsettings",
            name="mtm_max_meals_per_day",
            field=_optional("Medically Tailored Meals a day; empty: not enforced."),
        ),
        migrations.AlterField(
            model_name="cslimitsettings",
            name="mtm_weeks",
            field=_optional("Weeks in one course of meals; empty: not enforced."),
        ),
        migrations.AlterField(
            model_name="cslimitsettings",
            name="mtm_extended_weeks",
            field=_optional("Weeks in one course when an extension is approved; empty: not enforced."),
        ),
        migrations.AlterField(
            model_name="cslimitsettings",
            name="respite_hours_per_year",
            field=_optional("Respite hours per calendar year; empty: not enforced."),
        ),
        migrations.AlterField(
            model_name="cslimitsettings",
            name="deposit_approvals",
            field=models.PositiveSmallIntegerField(help_text="Housing Deposits approvals in a lifetime."),
        ),
        # Forward there is nothing to copy: the engine never read the flag. Backward, this runs after the flag
        # column is back (operations are undone in reverse order).
        migrations.RunPython(migrations.RunPython.noop, _flag_room_and_board_services),
        migrations.RemoveField(
            model_name="csservice",
            name="room_and_board",
        ),
    ]
