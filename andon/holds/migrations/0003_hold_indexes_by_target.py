"""A hold's targets are indexed only where set (a line hold writes no entry in the stock index,
and a stock hold none in the line index); the andon's own index is (andon, state). The new
indexes come first, so that no read is ever without one."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalog', '0001_initial'),
        ('holds', '0002_alter_hold_state_hold_holds_hold_andon_i_067789_idx'),
        ('orders', '0001_initial'),
        ('pulls', '0002_andon_problem'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='hold',
            index=models.Index(condition=models.Q(('stock_level__isnull', False)), fields=['stock_level'], name='hold_stock_level'),
        ),
        migrations.AddIndex(
            model_name='hold',
            index=models.Index(condition=models.Q(('order_line__isnull', False)), fields=['order_line'], name='hold_order_line'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='andon',
            field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='pulls.andon', verbose_name='andon'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='order_line',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='orders.orderline', verbose_name='order line'),
        ),
        migrations.AlterField(
            model_name='hold',
            name='stock_level',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='catalog.stocklevel', verbose_name='stock'),
        ),
    ]
