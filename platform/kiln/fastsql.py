"""Statements written once per process, for a job's hot path.

Django compiles a query every time it runs one: `Job.objects.filter(pk=…, status=…).update(…)`
costs about 0.7 ms of Python on the machine of docs/performance.md, the statement itself about
0.05 ms; reading a job by `Job.objects.raw()` about 0.6 ms more than the statement. A warm
job's claim reads and updates its row, and its finish updates it, in the worker's pool process.
`update()` and `get()` write their statement once per shape (model, filtered fields, set
fields) and then only convert the values, with the fields' own conversions, as the ORM does.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.db import connection, models, transaction

M = TypeVar("M", bound=models.Model)

_SQL: dict[tuple[Any, ...], str] = {}
_READS: dict[tuple[Any, ...], tuple[str, list[str], list[Any]]] = {}


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
    params += _conditions(meta, where)
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def get(model: type[M], where: dict[str, Any]) -> M | None:
    """`model.objects.filter(**where).first()` without its ordering (for a unique row: by its
    key), every concrete field loaded and converted as the ORM would. The same filters as
    `update()`."""
    meta = model._meta
    key = (model, tuple(where), connection.vendor)
    plan = _READS.get(key)
    if plan is None:
        q = connection.ops.quote_name
        fields = list(meta.concrete_fields)
        columns = ", ".join(q(str(f.column)) for f in fields)
        conds = " AND ".join(f"{q(_field(meta, n).column)} = %s" for n in where)
        converters = [
            (f, [*connection.ops.get_db_converters(f.cached_col), *f.get_db_converters(connection)])
            for f in fields
        ]
        sql = f"SELECT {columns} FROM {q(meta.db_table)} WHERE {conds}"
        plan = _READS[key] = (sql, [f.attname for f in fields], converters)
    sql, names, converters = plan
    with connection.cursor() as cursor:
        cursor.execute(sql, _conditions(meta, where))
        row = cursor.fetchone()
    if row is None:
        return None
    values = []
    for (field, convert), value in zip(converters, row, strict=True):
        for converter in convert:
            value = converter(value, field.cached_col, connection)
        values.append(value)
    return model.from_db(connection.alias, names, values)


def _conditions(meta: Any, where: dict[str, Any]) -> list[Any]:
    params = []
    for name, value in where.items():
        if value is None or isinstance(value, models.expressions.Combinable):
            raise ValueError(f"fastsql: {name} must be a value to compare with")
        params.append(_field(meta, name).get_db_prep_value(value, connection, prepared=False))
    return params


def _field(meta: Any, name: str) -> Any:
    return meta.pk if name == "pk" else meta.get_field(name)
