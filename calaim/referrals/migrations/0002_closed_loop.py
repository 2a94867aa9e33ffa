# The closed loop: the DHCS status on each record; its history moves in referrals 0003.

import datetime
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('community_supports', '0005_closed_loop'),
        ('referrals', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='referral',
            name='loop_closure_reason',
            field=models.CharField(blank=True, max_length=60, verbose_name='DHCS loop closure reason'),
        ),
        migrations.AddField(
            model_name='referral',
            name='loop_status',
            field=models.CharField(blank=True, max_length=40, verbose_name='DHCS referral status'),
        ),
        migrations.CreateModel(
            name='LoopEvent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('program', models.CharField(choices=[('ecm', 'Enhanced Care Management'), ('cs', 'Community Supports')], max_length=10)),
                ('status', models.CharField(help_text="calaim's status after this step.", max_length=30)),
                ('status_label', models.CharField(help_text='The status as the referrer read it then.', max_length=100)),
                ('loop_status', models.CharField(max_length=40, verbose_name='DHCS referral status')),
                ('loop_closure_reason', models.CharField(blank=True, max_length=60, verbose_name='DHCS loop closure reason')),
                ('at', models.DateTimeField()),
                ('reason', models.TextField(blank=True)),
                ('source', models.CharField(choices=[('calaim', 'Recorded in calaim'), ('rtf', 'Reported by the provider in a Return Transmission File')], default='calaim', max_length=10)),
                ('actor_label', models.CharField(blank=True, max_length=200)),
                ('table_version', models.CharField(blank=True, max_length=40)),
                ('cs_request', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='loop_events', to='community_supports.csrequest')),
                ('referral', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='loop_events', to='referrals.referral')),
            ],
            options={
                'ordering': ['at', 'id'],
            },
        ),
        migrations.CreateModel(
            name='LoopTransition',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.CharField(default='2026.1', max_length=40)),
                ('effective_from', models.DateField(default=datetime.date(2022, 1, 1))),
                ('effective_to', models.DateField(blank=True, null=True)),
                ('program', models.CharField(help_text='ecm, cs or any.', max_length=10)),
                ('status', models.CharField(max_length=30)),
                ('cause', models.CharField(blank=True, help_text='Blank: any cause without a row of its own.', max_length=40)),
                ('loop_status', models.CharField(max_length=40, verbose_name='DHCS referral status')),
                ('loop_closure_reason', models.CharField(blank=True, max_length=60, verbose_name='DHCS loop closure reason')),
                ('notify_referrer', models.BooleanField(default=False)),
                ('member_notice', models.CharField(blank=True, help_text='The letter the member is sent, if any.', max_length=40)),
            ],
            options={
                'verbose_name': 'closed-loop transition',
                'ordering': ['program', 'status', 'cause'],
                'constraints': [models.UniqueConstraint(fields=('program', 'status', 'cause', 'effective_from'), name='loop_transition_uniq')],
            },
        ),
        migrations.CreateModel(
            name='LoopVocabulary',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.CharField(default='2026.1', max_length=40)),
                ('effective_from', models.DateField(default=datetime.date(2022, 1, 1))),
                ('effective_to', models.DateField(blank=True, null=True)),
                ('kind', models.CharField(choices=[('status', 'Referral Status'), ('closure_reason', 'Reason for Referral Loop Closure')], max_length=20)),
                ('code', models.CharField(help_text='The value exactly as the RTF carries it.', max_length=60)),
                ('description', models.TextField(blank=True)),
            ],
            options={
                'verbose_name': 'closed-loop value',
                'ordering': ['kind', 'code'],
                'constraints': [models.UniqueConstraint(fields=('kind', 'code', 'effective_from'), name='loop_vocabulary_uniq')],
            },
        ),
        migrations.AddIndex(
            model_name='loopevent',
            index=models.Index(fields=['referral', 'at'], name='referrals_l_referra_39a769_idx'),
        ),
        migrations.AddIndex(
            model_name='loopevent',
            index=models.Index(fields=['cs_request', 'at'], name='referrals_l_cs_requ_50e3e8_idx'),
        ),
        migrations.AddConstraint(
            model_name='loopevent',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('cs_request__isnull', True), ('referral__isnull', False)), models.Q(('cs_request__isnull', False), ('referral__isnull', True)), _connector='OR'), name='loop_event_one_subject'),
        ),
    ]
