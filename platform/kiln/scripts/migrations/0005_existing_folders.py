"""Folders for scripts saved under f/<name>/ before folders had grants.

Until then every member could read and write every path, so each such folder keeps that: its
first saver owns it and the group `all` may write it. Admins tighten the grants afterwards.
"""

from django.db import migrations


def create_folders(apps, schema_editor):
    Script = apps.get_model("scripts", "Script")
    Folder = apps.get_model("accounts", "Folder")
    FolderGrant = apps.get_model("accounts", "FolderGrant")
    for script in Script.objects.filter(path__startswith="f/").order_by("created_at"):
        name = script.path.split("/")[1]
        folder, created = Folder.objects.get_or_create(
            workspace_id=script.workspace_id, name=name, defaults={"created_by_id": script.created_by_id}
        )
        if created:
            FolderGrant.objects.create(folder=folder, user_id=script.created_by_id, level="owner")
            FolderGrant.objects.create(folder=folder, group="all", level="writer")


class Migration(migrations.Migration):
    dependencies = [
        ("scripts", "0004_webhook"),
        ("accounts", "0004_groups_folders"),
    ]

    operations = [migrations.RunPython(create_folders, migrations.RunPython.noop)]
