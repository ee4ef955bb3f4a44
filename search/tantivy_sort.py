"""Sorting by a field with a stable tie-break on ``id`` (tantivy backend).

tantivy orders by one fast field and leaves equal values in internal
document order, which differs between an incrementally built index and a
rebuilt one and can shift between pages.  The contract, shared with
Meilisearch's ``sort: ["<field>:<dir>", "id:asc"]``: by the field, then by
``id`` ascending; documents without the field come last in both directions.

The page is first fetched by the field alone: its sequence of values is
already right, only which documents fill a run of equal values may not be.
A run inside the page holds its whole group and is merely re-ordered.  The
first and the last run may hold part of a larger group, so that group is
asked for again, ordered by ``id``, from the right position (found by
counting what sorts before the value).  At most three extra searches.
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

import tantivy
from tantivy import Occur, Order
from tantivy import Query as TQ


def _equal(schema: tantivy.Schema, name: str, value: Any) -> tantivy.Query:
    if value is None:
        return TQ.boolean_query(
            [(Occur.Must, TQ.all_query()), (Occur.MustNot, TQ.exists_query(name))]
        )
    return TQ.term_set_query(schema, name, [value])


def _before(schema: tantivy.Schema, name: str, value: Any, descending: bool) -> tantivy.Query:
    if value is None:  # missing values sort last: everything with a value comes first
        return TQ.exists_query(name)
    if descending:
        return TQ.range_query(
            schema, name, tantivy.FieldType.Integer, value, None, include_lower=False
        )
    return TQ.range_query(schema, name, tantivy.FieldType.Integer, None, value, include_upper=False)


def _and(a: tantivy.Query, b: tantivy.Query) -> tantivy.Query:
    return TQ.boolean_query([(Occur.Must, a), (Occur.Must, b)])


def sorted_page(
    searcher: tantivy.Searcher,
    schema: tantivy.Schema,
    query: tantivy.Query,
    name: str,
    descending: bool,
    offset: int,
    limit: int,
) -> tuple[list[tantivy.DocAddress], int]:
    """Addresses of hits ``offset … offset+limit`` ordered by (``name``, id), and the total.

    ``name`` must be an integer fast field and ``id`` a text fast field.
    """
    order = Order.Desc if descending else Order.Asc
    found = searcher.search(
        query, max(limit, 1), count=True, order_by_field=name, offset=offset, order=order
    )
    runs = [
        (value, [a for _, a in run])
        for value, run in groupby(found.hits[:limit], key=lambda h: h[0])
    ]
    page: list[tantivy.DocAddress] = []
    for k, (value, addresses) in enumerate(runs):
        first, last = k == 0, k == len(runs) - 1
        if not (last or (first and offset)):  # the whole group is on this page
            page.extend(sorted(addresses, key=lambda a: str(searcher.doc(a).get_first("id"))))
            continue
        skip = 0
        if first and offset:
            skip = offset - count(
                searcher.search(_and(query, _before(schema, name, value, descending)), 1)
            )
        group = searcher.search(
            _and(query, _equal(schema, name, value)),
            len(addresses),
            count=False,
            order_by_field="id",
            offset=skip,
            order=Order.Asc,
        )
        page.extend(a for _, a in group.hits[: len(addresses)])
    return page, count(found)


def count(result: tantivy.SearchResult) -> int:
    """The total of a search made with count=True (tantivy's type stubs omit the attribute)."""
    total: int = result.count  # type: ignore[attr-defined]  # present at run time, missing in the stubs
    return total
