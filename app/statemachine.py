"""The shared machinery of every workflow: a transition table checked in one place, and
append-only hash-chained logs.

Domains declare their own statuses, rules, labels and messages; this module only applies them.

- `StateMachine(model, rules, label, invalid_message, forbidden_message, lock=None, chain=None)`:
  `allowed_from(status)`, `available(user, obj)`, `check(session, obj, to, actor=, reason=)`
  (locks the row, then raises InvalidTransition 409 / PermissionDenied 403 /
  ValidationFailed 422 or returns the `Rule`). The domain's own `transition()` then
  sets the status, appends history and queues its topics. `lock(session, obj)` replaces the
  default read of `model.status` when the moving object is a view over a row with another
  column name (a deal's `stage`, seen with its initiative). On PostgreSQL the row lock lasts
  until the transaction ends, so a second check in the same transaction (a verb checks before
  its expensive work, `transition()` checks again) reads nothing; with `chain` (the object's
  `HashChain`) the lock's one statement also reads the chain's last link, which the next
  `append` then uses instead of reading it again.
- `HashChain(model, scope, to_dict)`: `append(session, scope_id, **fields)` numbers the entry
  (`seq`), links it (`prev_hash`) and seals it (`hash` = sha256(prev_hash + canonical JSON of
  `to_dict(entry)`)); `entries`, `verify` (first broken seq), `scopes`. The entry model must
  have `seq`, `prev_hash`, `hash` and `created_at` columns and a column named `scope`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Generic, Protocol, TypeVar

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import transaction_memo, utcnow
from app.errors import InvalidTransition, PermissionDenied, ValidationFailed
from app.i18n import _

GENESIS = "0" * 64
_LOCKED = "statemachine.locked"  # transaction memo: (model, id) of the rows this one holds


class HasStatus(Protocol):
    @property
    def id(self) -> int | None: ...

    status: str


O = TypeVar("O", bound=HasStatus)  # noqa: E741 - the object moving through the machine
E = TypeVar("E")  # a chained entry


@dataclass(frozen=True)
class Rule(Generic[O]):
    """One allowed move: from `source` to `target`, by whom, with which side effects."""

    source: str
    target: str
    allowed: Callable[[User | None, O], bool]  # who may make it
    who: str  # the predicate in words, for documentation and error pages
    reason_required: bool = False
    topics: tuple[str, ...] = field(default_factory=tuple)
    # the official step that alone may make this move (a domain's Requirement), or None
    requires: Requirement | None = None


class Requirement(Protocol):
    """A domain's condition on a move, checked against what the calling verb vouches for."""

    def check(self, evidence: Any) -> None:
        """Raise the domain's documented error when `evidence` does not satisfy it."""


class StateMachine(Generic[O]):
    def __init__(
        self,
        model: type[O],
        rules: Iterable[Rule[O]],
        *,
        label: Callable[[str], str],
        invalid_message: Callable[[str, str, str], str],
        forbidden_message: Callable[[str], str],
        lock: Callable[[Session, O], str] | None = None,
        chain: HashChain[Any] | None = None,
    ) -> None:
        """`invalid_message(current_label, target_label, allowed_labels)` and
        `forbidden_message(target_label)` word the refusals in the domain's terms;
        `chain` is the objects' history, scoped by their id."""
        self.model = model
        self.rules: dict[tuple[str, str], Rule[O]] = {(r.source, r.target): r for r in rules}
        self.label = label
        self.invalid_message = invalid_message
        self.forbidden_message = forbidden_message
        self.lock = lock
        self.chain = chain

    def allowed_from(self, status: str) -> list[str]:
        """Every target reachable from `status` by someone."""
        return [r.target for r in self.rules.values() if r.source == status]

    def available(self, user: User | None, obj: O) -> list[Rule[O]]:
        """The rules `user` may apply now (pages show these as buttons)."""
        return [r for r in self.rules.values() if r.source == obj.status and r.allowed(user, obj)]

    def locked_status(self, session: Session, obj: O) -> str:
        """The stored status, read with a row lock on PostgreSQL so two changes cannot interleave."""
        if self.lock is not None:
            return self.lock(session, obj)
        if obj.id is None:
            return obj.status
        locked = transaction_memo(session, _LOCKED)
        if (self.model, obj.id) in locked:
            # This transaction holds the row: only it can have changed the status since.
            return obj.status
        session.flush()
        held = _reads_are_held(session)
        table: Any = self.model
        stored: str
        if self.chain is None:
            stored = session.exec(
                select(table.status).where(table.id == obj.id).with_for_update()
            ).one()
        else:
            columns = (table.status, *self.chain.tail_columns(obj.id))
            stored, seq, last = session.exec(
                select(*columns).where(table.id == obj.id).with_for_update()
            ).one()
        if held:
            locked = transaction_memo(session, _LOCKED)  # the transaction the read began
            locked[(self.model, obj.id)] = True
            if self.chain is not None:
                self.chain.known_tail(session)[obj.id] = (seq or 0, last or GENESIS)
        return stored

    def check(
        self,
        session: Session,
        obj: O,
        to: str,
        *,
        actor: User | None,
        reason: str | None = None,
        valid: Callable[[str], bool] = lambda s: True,
        evidence: Any = None,
    ) -> Rule[O]:
        """The rule letting `actor` move `obj` to `to`, or the refusal (see the module doc)."""
        current = self.locked_status(session, obj)
        obj.status = current
        rule = self.rules.get((current, str(to))) if valid(str(to)) else None
        if rule is None:
            allowed = self.allowed_from(current)
            raise InvalidTransition(
                self.invalid_message(
                    self.label(current),
                    self.label(str(to)),
                    ", ".join(self.label(s) for s in allowed) or _("nothing"),
                ),
                allowed=[str(s) for s in allowed],
                current=str(current),
            )
        if not rule.allowed(actor, obj):
            raise PermissionDenied(self.forbidden_message(self.label(rule.target)))
        if rule.reason_required and not (reason or "").strip():
            raise ValidationFailed(
                _("Please give a reason."),
                errors={"reason": _("A reason is required for this step.")},
            )
        if rule.requires is not None:
            rule.requires.check(evidence)
        return rule


def _reads_are_held(session: Session) -> bool:
    """Will what this transaction reads next stay as read until it ends?

    PostgreSQL: yes, for the rows read FOR UPDATE. SQLite has no row locks: yes once the
    transaction has written (it holds the database's one write lock until it ends).
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return True
    return bool(getattr(connection.connection.driver_connection, "in_transaction", False))


def timestamp(value: datetime) -> str:
    """Microsecond UTC text: what both databases keep, so a hash survives the round trip."""
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical_json(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class HashChain(Generic[E]):
    """An append-only log per `scope` value (e.g. per initiative), each entry sealing the last."""

    def __init__(self, model: type[E], scope: str, to_dict: Callable[[E], dict[str, Any]]) -> None:
        self.model = model
        self._table: Any = model
        self.scope = scope
        self.to_dict = to_dict

    def entry_json(self, entry: E) -> str:
        """The canonical text of an entry (everything except its own hash)."""
        return canonical_json(self.to_dict(entry))

    def entry_hash(self, prev_hash: str, entry: E) -> str:
        return hashlib.sha256((prev_hash + self.entry_json(entry)).encode("utf-8")).hexdigest()

    def _scope_column(self) -> Any:
        return getattr(self.model, self.scope)

    def tail_columns(self, scope_id: int) -> tuple[Any, Any]:
        """The last entry's seq and hash as scalar subqueries (NULL for an empty chain)."""
        seq = self._table.seq
        return tuple(  # type: ignore[return-value]
            select(column)
            .where(self._scope_column() == scope_id)
            .order_by(col(seq).desc())
            .limit(1)
            .scalar_subquery()
            for column in (seq, self._table.hash)
        )

    def known_tail(self, session: Session) -> dict[int, tuple[int, str]]:
        """Scope id -> (seq, hash) of the last entry, as read under the scope's row lock in
        this transaction; kept up to date by `append`, forgotten when the transaction ends."""
        tails: dict[int, tuple[int, str]] = transaction_memo(
            session, f"statemachine.tail:{self._table.__tablename__}"
        )
        return tails

    def last(self, session: Session, scope_id: int) -> E | None:
        seq = self._table.seq
        return session.exec(
            select(self.model)
            .where(self._scope_column() == scope_id)
            .order_by(col(seq).desc())
            .limit(1)
        ).first()

    def append(
        self, session: Session, scope_id: int, *, at: datetime | None = None, **fields: Any
    ) -> E:
        """Add the next entry of the chain (the caller holds the scope's row lock)."""
        tail = self.known_tail(session).get(scope_id)
        if tail is None:
            last: Any = self.last(session, scope_id)
            tail = (last.seq, last.hash) if last else (0, GENESIS)
        entry: Any = self._table(
            **{self.scope: scope_id},
            seq=tail[0] + 1,
            created_at=at or utcnow(),
            prev_hash=tail[1],
            hash="",
            **fields,
        )
        entry.hash = self.entry_hash(entry.prev_hash, entry)
        session.add(entry)
        session.flush()
        known = self.known_tail(session)
        if scope_id in known:
            known[scope_id] = (entry.seq, entry.hash)
        created: E = entry
        return created

    def entries(self, session: Session, scope_id: int) -> list[E]:
        seq = self._table.seq
        return list(
            session.exec(
                select(self.model).where(self._scope_column() == scope_id).order_by(col(seq))
            )
        )

    def verify(self, session: Session, scope_id: int) -> tuple[bool, int | None]:
        """(True, None) if every entry is intact, else (False, seq of the first broken entry).

        An entry is broken when its seq is out of order, its prev_hash is not the
        previous entry's hash, or its stored hash does not match its content.
        """
        prev_hash, expected_seq = GENESIS, 1
        for entry in self.entries(session, scope_id):
            e: Any = entry
            if (
                e.seq != expected_seq
                or e.prev_hash != prev_hash
                or e.hash != self.entry_hash(prev_hash, entry)
            ):
                return False, e.seq
            prev_hash, expected_seq = e.hash, expected_seq + 1
        return True, None

    def scopes(self, session: Session) -> list[int]:
        column = self._scope_column()
        return list(session.exec(select(column).distinct().order_by(column)))
