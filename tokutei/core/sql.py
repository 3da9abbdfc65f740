"""Fixed-shape reads for the hot path of every request, without the ORM's per-call SQL compilation.

Building and compiling a QuerySet costs several times the database's own work for a primary-key or index
lookup (docs/performance.md, "Lookup over HTTP"). The few reads that every request or every lookup makes — the session, the terminal, the
actor's role assignments, the file register, the person by blind index — use ``select_models`` instead: the statement text is built once from the model's metadata (so it follows the
model's columns), the values are bound parameters, and the rows become model instances through the
fields' own database converters, exactly as a QuerySet would return them. Queries still go through
Django's cursor (query logging, ``CaptureQueriesContext`` and execute wrappers see them).

Use it only for a small, stable WHERE clause next to the QuerySet it mirrors, with a test that both agree.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, Model

M = TypeVar("M", bound=Model)


def column_of(field: Field) -> str:
    # A concrete field is one with a column (Django sets ``concrete = column is not None``).
    assert field.column is not None
    return field.column


@functools.lru_cache(maxsize=64)
def _statement(model: type[Model], where: str, order_by: str, limit: int | None, alias: str, vendor: str):
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = model._meta.db_table
    fields = model._meta.concrete_fields
    columns = ", ".join(f"{quote(table)}.{quote(column_of(f))}" for f in fields)
    sql = f"SELECT {columns} FROM {quote(table)} WHERE {where}"  # noqa: S608 - constant text, bound values
    if order_by:
        sql += f" ORDER BY {order_by}"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    converters = []
    for index, field in enumerate(fields):
        col = field.get_col(table)
        found = connection.ops.get_db_converters(col) + field.get_db_converters(connection)
        if found:
            converters.append((index, col, tuple(found)))
    return sql, [f.attname for f in fields], tuple(converters)


def select_models(model: type[M], where: str, params: Sequence[Any], *, order_by: str = "",
                  limit: int | None = None, using: str = DEFAULT_DB_ALIAS) -> list[M]:
    """``model`` instances WHERE ``where`` (``%s`` placeholders for ``params``), all concrete columns."""
    connection = connections[using]
    sql, names, converters = _statement(model, where, order_by, limit, using, connection.vendor)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    found = []
    for row in rows:
        if converters:
            row = list(row)
            for index, col, functions in converters:
                value = row[index]
                for convert in functions:
                    value = convert(value, col, connection)
                row[index] = value
        found.append(model.from_db(using, names, row))
    return found


@functools.lru_cache(maxsize=16)
def _insert_statement(model: type[Model], alias: str, vendor: str):
    connection = connections[alias]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    assert pk is not None
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    sql = (f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(quote(column_of(f)) for f in fields)}) "  # noqa: S608
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    if connection.features.can_return_columns_from_insert:
        sql += f" RETURNING {quote(column_of(pk))}"
    return sql, tuple(fields)


def insert_model(instance: Model, *, using: str = DEFAULT_DB_ALIAS) -> Model:
    """INSERT ``instance`` (a new row with an automatic primary key) with one fixed statement, as
    ``instance.save()`` would store it — each field's own ``pre_save`` and ``get_db_prep_save`` — without the
    ORM's per-call compilation; no signals are sent. For append-only rows written on every logged operation
    (the handling-status record), with a test that it stores what ``save()`` stores."""
    connection = connections[using]
    sql, fields = _insert_statement(type(instance), using, connection.vendor)
    params = [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.features.can_return_columns_from_insert:
            pk = cursor.fetchone()[0]
        else:
            pk = connection.ops.last_insert_id(cursor, instance._meta.db_table, column_of(instance._meta.pk))
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = using
    return instance
