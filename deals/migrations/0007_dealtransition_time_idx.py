from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("deals", "0006_lead_import"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="dealtransition",
            index=models.Index(
                fields=("tenant", "created_at"),
                include=("deal", "actor", "kind", "to_value"),
                name="dealtransition_time_idx",
            ),
        ),
    ]
