"""Statements written once per process, for the hottest paths.

Django compiles a query every time it runs one: `Job.objects.filter(pk=…, status=…).update(…)`
costs about 0.7 ms of Python on the machine of docs/performance.md, the statement itself about
0.05 ms; a joined `select_related` read or a `create()` costs as much. `get()`, `update()` and
`insert()` write their statement once per shape (model, fields filtered, set or joined) and then
only convert the values, with the fields' own conversions, as the ORM does; `select()` runs
a hand-written read written once. Used where every job or every request pays: a job's claim,
finish and log chunks; token auth, membership and the member's groups; a run request's
version lookup, job and audit event (docs/performance.md).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.db import connection, models, transaction

M = TypeVar("M", bound=models.Model)

_SQL: dict[tuple[Any, ...], str] = {}
_INSERTS: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}
_READS: dict[tuple[Any, ...], tuple[str, list[Any]]] = {}
_SELECTS: dict[tuple[str, str], str] = {}


class UnlessNull:
    """A value for `update()` that replaces only a column's non-null value: the column stays
    null where it is null (`SET c = CASE WHEN c IS NULL THEN c ELSE %s END`), in the same
    statement as the other values."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


def update(model: type[models.Model], where: dict[str, Any], values: dict[str, Any]) -> int:
    """`model.objects.filter(**where).update(**values)`, for filters that are equalities on
    concrete fields (never None: no IS NULL here) and values that are plain Python values, not
    expressions, or `UnlessNull(value)`. Returns the number of rows changed."""
    meta = model._meta
    shape = tuple((name, type(v) is UnlessNull) for name, v in values.items())
    key = (model, tuple(where), shape, connection.vendor)
    sql = _SQL.get(key)
    if sql is None:
        q = connection.ops.quote_name
        sets = ", ".join(_set(q(_field(meta, n).column), unless_null) for n, unless_null in shape)
        conds = " AND ".join(f"{q(_field(meta, n).column)} = %s" for n in where)
        sql = _SQL[key] = f"UPDATE {q(meta.db_table)} SET {sets} WHERE {conds}"
    params = [
        _field(meta, n).get_db_prep_save(v.value if type(v) is UnlessNull else v, connection)
        for n, v in values.items()
    ]
    params += _conditions(meta, where)
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        return int(cursor.rowcount)


def _set(column: str, unless_null: bool) -> str:
    if not unless_null:
        return f"{column} = %s"
    # UnlessNull. THEN the column itself (not NULL): the CASE has the column's type on PostgreSQL.
    return f"{column} = CASE WHEN {column} IS NULL THEN {column} ELSE %s END"


def insert(instance: M) -> M:
    """`instance.save()` of a new row (`Model.objects.create`): every concrete field, with its
    `pre_save` (auto_now_add) and conversions; an auto-numbered key is read back. No model
    `save()` override and no signals run: use it for models that have neither."""
    model = type(instance)
    meta = model._meta
    pk = meta.pk
    auto = isinstance(pk, models.AutoField) and getattr(instance, pk.attname) is None  # type: ignore[union-attr]
    key = (model, auto, connection.vendor)
    plan = _INSERTS.get(key)
    if plan is None:
        q = connection.ops.quote_name
        fields = [f for f in meta.concrete_fields if not (auto and f is pk)]
        returning = ""
        if auto and connection.features.can_return_columns_from_insert:
            returning = f" RETURNING {q(str(pk.column))}"  # type: ignore[union-attr]
        sql = (
            f"INSERT INTO {q(meta.db_table)} ({', '.join(q(str(f.column)) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))}){returning}"
        )
        plan = _INSERTS[key] = (sql, fields)
    sql, fields = plan
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with transaction.mark_for_rollback_on_error(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        if auto:
            if connection.features.can_return_columns_from_insert:
                value = cursor.fetchone()[0]
            else:
                value = connection.ops.last_insert_id(cursor, meta.db_table, pk.column)  # type: ignore[union-attr, arg-type]
            setattr(instance, pk.attname, value)  # type: ignore[union-attr]
    instance._state.adding = False
    instance._state.db = connection.alias
    return instance


def get(
    model: type[M], where: dict[str, Any], related: tuple[str, ...] = (), *, for_update: bool = False
) -> M | None:
    """`model.objects.select_related(*related).filter(**where).first()` without its ordering
    (for a unique row: by its key), every concrete field loaded and converted as the ORM would.
    The same filters as `update()`. `related`: foreign keys loaded in the same statement, by
    inner joins (a row whose key is null is not found); `a__b` follows `b` from `a`, which must
    be listed before it. `for_update`: `.select_for_update(of=("self",))`, the row of `model`
    locked (not the joined ones) until the transaction ends, where the database has row locks
    (PostgreSQL; SQLite's writes take the whole database's lock instead)."""
    meta = model._meta
    locking = for_update and connection.features.has_select_for_update
    if locking and connection.get_autocommit():
        raise transaction.TransactionManagementError(
            "select_for_update cannot be used outside of a transaction."
        )
    key = (model, tuple(where), related, locking, connection.vendor)
    plan = _READS.get(key)
    if plan is None:
        plan = _read_plan(model, tuple(where), related)
        if locking:
            of = " OF t" if connection.features.has_select_for_update_of else ""
            plan = (f"{plan[0]} FOR UPDATE{of}", plan[1])
        _READS[key] = plan
    sql, parts = plan
    with connection.cursor() as cursor:
        cursor.execute(sql, _conditions(meta, where))
        row = cursor.fetchone()
    if row is None:
        return None
    found: list[Any] = []
    start = 0
    for part_model, width in parts:
        found.append(from_row(part_model, row[start : start + width]))
        start += width
    by_path = {"": found[0]}
    for path, loaded in zip(related, found[1:], strict=True):
        parent, _, name = path.rpartition("__")
        setattr(by_path[parent], name, loaded)
        by_path[path] = loaded
    return found[0]  # type: ignore[no-any-return]


def select(
    name: str, build: Callable[[Callable[[str], str]], str], params: list[Any]
) -> list[tuple[Any, ...]]:
    """A hand-written read of a shape `get()` does not cover (a many-to-many join): `build`
    writes its SQL once per process and database, given the database's `quote_name`; the rows
    come back as the driver returns them, unconverted (text and numbers only). `name` tells
    the statements apart."""
    key = (name, connection.vendor)
    sql = _SELECTS.get(key)
    if sql is None:
        sql = _SELECTS[key] = build(connection.ops.quote_name)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def columns(model: type[models.Model]) -> str:
    """Every concrete column of `model`, quoted, in the order `from_row()` reads them: for a
    statement's RETURNING or SELECT list."""
    return _row_plan(model)[0]


def from_row(model: type[M], row: Any) -> M:
    """An instance of `model` from a row of `columns(model)`, converted as the ORM would."""
    _, names, converters = _row_plan(model)
    values = []
    for (field, convert), value in zip(converters, row, strict=True):
        for converter in convert:
            value = converter(value, field.cached_col, connection)
        values.append(value)
    return model.from_db(connection.alias, names, values)  # type: ignore[return-value]


_ROWS: dict[tuple[Any, ...], tuple[str, list[str], list[Any]]] = {}


def _row_plan(model: Any) -> tuple[str, list[str], list[Any]]:
    key = (model, connection.vendor)
    plan = _ROWS.get(key)
    if plan is None:
        q = connection.ops.quote_name
        fields = list(model._meta.concrete_fields)
        plan = _ROWS[key] = (
            ", ".join(q(str(f.column)) for f in fields),
            [f.attname for f in fields],
            [
                (f, [*connection.ops.get_db_converters(f.cached_col), *f.get_db_converters(connection)])
                for f in fields
            ],
        )
    return plan


def _read_plan(model: Any, where: tuple[str, ...], related: tuple[str, ...]) -> tuple[str, list[Any]]:
    q = connection.ops.quote_name
    meta = model._meta
    parts, columns, joins = [], [], []
    models_at, aliases = {"": model}, {"": "t"}
    chain: list[tuple[str, Any, Any, str]] = [("t", model, None, "")]
    for i, path in enumerate(related):
        parent, _, name = path.rpartition("__")
        if parent not in models_at:
            raise ValueError(f"fastsql: list {parent!r} before {path!r} in related")
        fk = models_at[parent]._meta.get_field(name)
        models_at[path], aliases[path] = fk.related_model, f"r{i}"
        chain.append((f"r{i}", fk.related_model, fk, aliases[parent]))
    for alias, part_model, fk, parent_alias in chain:
        fields = list(part_model._meta.concrete_fields)
        columns += [f"{alias}.{q(str(f.column))}" for f in fields]  # in from_row()'s order
        parts.append((part_model, len(fields)))
        if fk is not None:
            joins.append(
                f"INNER JOIN {q(part_model._meta.db_table)} {alias} "
                f"ON {alias}.{q(fk.target_field.column)} = {parent_alias}.{q(fk.column)}"
            )
    conds = " AND ".join(f"t.{q(_field(meta, n).column)} = %s" for n in where)
    sql = f"SELECT {', '.join(columns)} FROM {q(meta.db_table)} t {' '.join(joins)} WHERE {conds}"
    return sql, parts


def _conditions(meta: Any, where: dict[str, Any]) -> list[Any]:
    params = []
    for name, value in where.items():
        if value is None or isinstance(value, models.expressions.Combinable):
            raise ValueError(f"fastsql: {name} must be a value to compare with")
        params.append(_field(meta, name).get_db_prep_value(value, connection, prepared=False))
    return params


def _field(meta: Any, name: str) -> Any:
    return meta.pk if name == "pk" else meta.get_field(name)
