"""UPDATE statements written once per process, for a job's hot path.

Django compiles a query every time it runs one: `Job.objects.filter(pk=…, status=…).update(…)`
costs about 0.7 ms of Python on the machine of docs/performance.md, the statement itself about
0.05 ms. A warm job's claim and finish each make one, in the worker's pool process.
`update()` writes the same statement once per shape (model, filtered fields, set fields) and
then only converts the values, with the fields' own conversions, as the ORM does.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction

_SQL: dict[tuple[Any, ...], str] = {}


def update(model: type[models.Model], where: dict[str, Any], values: dict[str, Any]) -> int:
    """`model.objects.filter(**where).update(**values)`, for filters that are equalities on
    concrete fields (never None: no IS NULL here) and values that are plain Python values, not
    expressions. Returns the number of rows changed."""
    meta = model._meta
    key = (model, tuple(where), tuple(values), connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        sets = ", ".join(f"{q(_field(meta, n).column)} = %s" for n in values)
        conds = " AND ".join(f"{q(_field(meta, n).column)} = %s" for n in where)
        sql = _SQL[key] = f"UPDATE {q(meta.db_table)} SET {sets} WHERE {conds}"
    params = [_field(meta, n).get_db_prep_save(v, connection) for n, v in values.items()]
    for name, value in where.items():
        if value is None or isinstance(value, models.expressions.Combinable):
            raise ValueError(f"fastsql.update: {name} must be a value to compare with")
        params.append(_field(meta, name).get_db_prep_value(value, connection, prepared=False))
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _field(meta: Any, name: str) -> Any:
    return meta.pk if name == "pk" else meta.get_field(name)
