"""A stored, unique username per user: their space is `u/<username>/`.

It used to be derived from the email's local part on the fly, so ada@x.com and ada@y.com
shared `u/ada/`. Existing users keep the name they had (the first of them, by join date);
the next ones get a number (`ada2`, ...).
"""

from django.db import migrations, models


def unique_username(email, taken):
    # As kiln.accounts.models.unique_username was when this migration was written.
    local = email.split("@", 1)[0].lower()
    base = "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "_" for c in local)
    base = base.lstrip("-")[:60] or "user"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}{n}"
    return name


def fill(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    taken: set[str] = set()
    for user in User.objects.order_by("date_joined", "pk"):
        user.username = unique_username(user.email, taken)
        taken.add(user.username)
        user.save(update_fields=["username"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_groups_folders")]

    operations = [
        migrations.AddField(
            model_name="user", name="username", field=models.CharField(max_length=64, null=True)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user", name="username", field=models.CharField(max_length=64, unique=True)
        ),
    ]
