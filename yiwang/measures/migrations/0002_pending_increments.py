# Increments are appended here by events and folded into MonthlyFact by measures_fold.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('measures', '0001_monthly_facts'),
        ('org', '0001_regions_departments_halls_users'),
    ]

    operations = [
        migrations.CreateModel(
            name='PendingFact',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('metric', models.CharField(max_length=64, verbose_name='指标')),
                ('month', models.DateField(help_text='当月1日', verbose_name='月份')),
                ('region_code', models.CharField(max_length=12, verbose_name='区划代码')),
                ('county_code', models.CharField(blank=True, default='', max_length=6, verbose_name='县级代码')),
                ('town_code', models.CharField(blank=True, default='', max_length=9, verbose_name='乡镇代码')),
                ('key', models.CharField(blank=True, default='', help_text='事项编码、类别、渠道等', max_length=64, verbose_name='分类键')),
                ('count', models.BigIntegerField(default=0, verbose_name='计数')),
                ('v1', models.BigIntegerField(default=0)),
                ('v2', models.BigIntegerField(default=0)),
                ('v3', models.BigIntegerField(default=0)),
                ('v4', models.BigIntegerField(default=0)),
                ('v5', models.BigIntegerField(default=0)),
                ('v6', models.BigIntegerField(default=0)),
                ('department', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.department', verbose_name='部门')),
                ('region', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='org.region', verbose_name='所属区划')),
            ],
            options={
                'verbose_name': '待汇总统计增量',
                'verbose_name_plural': '待汇总统计增量',
                'indexes': [models.Index(fields=['metric', 'month'], name='measures_pending_metric_month')],
            },
        ),
    ]
