# The Community Supports status history now lives in referrals.LoopEvent (referrals 0003 moved it).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("community_supports", "0005_closed_loop"),
        ("referrals", "0003_closed_loop_history"),
    ]

    operations = [migrations.DeleteModel(name="CsStatusUpdate")]
