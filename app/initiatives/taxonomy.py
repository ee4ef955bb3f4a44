"""The two-level taxonomy of fields: read by everyone, edited by admins.

Fields are deactivated rather than deleted: initiatives keep pointing at them.
"""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.i18n import _, get_language
from app.initiatives import permissions as perms
from app.initiatives.models import Field
from app.initiatives.schemas import FieldIn, FieldUpdate


def all_fields(session: Session, *, active_only: bool = False) -> list[Field]:
    query = select(Field).order_by(
        col(Field.parent_id).is_not(None), col(Field.position), col(Field.id)
    )
    if active_only:
        query = query.where(Field.is_active)
    return list(session.exec(query))


def tree(session: Session, *, active_only: bool = True) -> list[tuple[Field, list[Field]]]:
    """[(top-level field, its sub-fields)] in display order."""
    fields = all_fields(session, active_only=active_only)
    tops = [f for f in fields if f.parent_id is None]
    return [(top, [f for f in fields if f.parent_id == top.id]) for top in tops]


def options(session: Session) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """(field options, sub-field options "Field › Sub-field") for selects, in the current language."""
    language = get_language()
    pairs = tree(session)
    tops = [(top.id, top.name(language)) for top, _children in pairs]
    subs = [
        (child.id, f"{top.name(language)} › {child.name(language)}")
        for top, children in pairs
        for child in children
    ]
    return tops, subs


_READ = "initiatives.fields_read"  # session.info: the fields this session has read, by id


def find(session: Session, field_id: int | None) -> Field | None:
    """The field `field_id` (None if there is none), read from the database once per session.

    The session's identity map forgets a row as soon as nothing references it, and one
    request reads the same field several times (a draft's references are checked, then
    shown): the rows found are kept referenced for the session's life, so the later
    `session.get` calls are answered from the identity map.
    """
    field = session.get(Field, field_id) if field_id else None
    if field is not None:
        session.info.setdefault(_READ, {})[field.id] = field
    return field


def get(session: Session, field_id: int) -> Field:
    field = find(session, field_id)
    if field is None:
        raise NotFound(_("No such field."))
    return field


def _require_admin(actor: User) -> None:
    if not perms.can_manage_taxonomy(actor):
        raise PermissionDenied(_("Only administrators can edit the fields."))


def add_field(session: Session, actor: User, data: FieldIn) -> Field:
    _require_admin(actor)
    if session.exec(select(Field).where(Field.code == data.code)).first():
        raise Conflict(
            _("This code is already used."), errors={"code": _("This code is already used.")}
        )
    if data.parent_id is not None:
        parent = session.get(Field, data.parent_id)
        if parent is None or parent.parent_id is not None:
            raise ValidationFailed(
                _("Please correct the errors."),
                errors={"parent_id": _("Choose a top-level field.")},
            )
    siblings = session.exec(select(Field).where(Field.parent_id == data.parent_id)).all()
    field = Field(
        code=data.code,
        name_vi=data.name_vi.strip(),
        name_en=data.name_en.strip(),
        parent_id=data.parent_id,
        position=len(siblings) + 1,
    )
    session.add(field)
    session.flush()
    return field


def update_field(session: Session, actor: User, field: Field, data: FieldUpdate) -> Field:
    _require_admin(actor)
    for name in ("name_vi", "name_en"):
        value = getattr(data, name)
        if value is not None:
            setattr(field, name, value.strip())
    if data.is_active is not None:
        field.is_active = data.is_active
    session.add(field)
    return field
