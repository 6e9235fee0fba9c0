"""A line's held state is its holds' (holds.selectors.held_line_ids): the `on_hold` flag, which
every pull wrote on every packed line it held, goes. Nothing to carry over: a held line has a
hold in state `held`, which is what the flag repeated."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0003_customer_integrity_fields'),
    ]

    operations = [
        migrations.RemoveField(
            model_name='orderline',
            name='on_hold',
        ),
    ]
