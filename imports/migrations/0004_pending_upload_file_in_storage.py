"""Pending uploads keep their bytes in STORAGES["default"] instead of a database column.
Uploads waiting for confirmation when this runs are moved to storage, not lost."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, models


def move_content_to_storage(apps, schema_editor):
    PendingUpload = apps.get_model("imports", "PendingUpload")
    for upload in PendingUpload.objects.all().iterator():
        upload.file = default_storage.save(
            f"imports/pending/{upload.id.hex}", ContentFile(bytes(upload.content))
        )
        upload.save(update_fields=["file"])


def move_content_to_database(apps, schema_editor):
    PendingUpload = apps.get_model("imports", "PendingUpload")
    for upload in PendingUpload.objects.exclude(file="").iterator():
        with default_storage.open(upload.file.name, "rb") as handle:
            upload.content = handle.read()
        upload.save(update_fields=["content"])


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0003_pendingupload_sheet"),
    ]

    operations = [
        migrations.AddField(
            model_name="pendingupload",
            name="file",
            field=models.FileField(default="", upload_to="imports/pending/"),
            preserve_default=False,
        ),
        migrations.RunPython(move_content_to_storage, move_content_to_database),
        migrations.RemoveField(
            model_name="pendingupload",
            name="content",
        ),
    ]
