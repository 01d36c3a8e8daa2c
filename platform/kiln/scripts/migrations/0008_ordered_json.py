"""A script version's schema keeps its properties in the order written, on PostgreSQL too
(`json`, not `jsonb`: kiln.fields.OrderedJSONField). Versions stored in `jsonb` lost that order
(sorted shortest key first), so there their properties are put back in the order the code
declares them, unless the schema names its own (`order`, a user's reordering)."""

import json
from typing import Any

from django.db import migrations

import kiln.fields


def declared_order(saved: Any, inferred: Any) -> Any:
    if not isinstance(saved, dict) or not isinstance(inferred, dict):
        return saved
    props, code = saved.get("properties"), inferred.get("properties")
    if not isinstance(props, dict) or not isinstance(code, dict):
        return saved
    names = list(props) if saved.get("order") else [n for n in code if n in props]
    names += [n for n in props if n not in names]
    return {**saved, "properties": {n: declared_order(props[n], code.get(n)) for n in names}}


def restore_declared_order(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite kept it
    from scripts_runtime import registry

    ScriptVersion = apps.get_model("scripts", "ScriptVersion")
    for version in ScriptVersion.objects.only("pk", "language", "content", "schema").iterator():
        try:
            inferred = registry.get(version.language).parse_signature(version.content)
        except Exception:  # noqa: BLE001  # a language or code that no longer parses: left as it is
            continue
        schema = declared_order(version.schema, inferred)
        if json.dumps(schema) != json.dumps(version.schema):  # (key order counts here)
            ScriptVersion.objects.filter(pk=version.pk).update(schema=schema)


class Migration(migrations.Migration):
    dependencies = [
        ("scripts", "0007_script_description"),
    ]

    operations = [
        migrations.AlterField(
            model_name="scriptversion",
            name="schema",
            field=kiln.fields.OrderedJSONField(),
        ),
        migrations.RunPython(restore_declared_order, migrations.RunPython.noop),
    ]
