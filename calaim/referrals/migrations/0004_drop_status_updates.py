# The ECM status history now lives in LoopEvent (referrals 0003 moved it).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("referrals", "0003_closed_loop_history")]

    operations = [migrations.DeleteModel(name="ReferralStatusUpdate")]
