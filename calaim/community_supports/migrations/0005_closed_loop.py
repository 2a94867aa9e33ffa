# The closed loop: the DHCS status on each record; its history moves in referrals 0003.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('community_supports', '0004_cs_limits_per_plan'),
    ]

    operations = [
        migrations.AddField(
            model_name='csrequest',
            name='loop_closure_reason',
            field=models.CharField(blank=True, max_length=60, verbose_name='DHCS loop closure reason'),
        ),
        migrations.AddField(
            model_name='csrequest',
            name='loop_status',
            field=models.CharField(blank=True, max_length=40, verbose_name='DHCS referral status'),
        ),
    ]
