"""Loaders that refuse in one place: an initiative the user may not see is a 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts import permissions as accounts
from app.accounts.deps import CurrentUser, OptionalUser
from app.accounts.models import User
from app.db import SessionDep
from app.errors import Conflict, PermissionDenied
from app.i18n import _
from app.initiatives import attachments, service
from app.initiatives import permissions as perms
from app.initiatives.models import Initiative


def visible_initiative(initiative_id: int, session: SessionDep, user: OptionalUser) -> Initiative:
    return service.get_visible(session, user, initiative_id)


VisibleInitiative = Annotated[Initiative, Depends(visible_initiative)]


def attachable_initiative(initiative: VisibleInitiative, user: CurrentUser) -> Initiative:
    """An initiative the user may attach files to: checked before an upload is streamed."""
    attachments.ensure_can_attach(user, initiative)
    return initiative


AttachableInitiative = Annotated[Initiative, Depends(attachable_initiative)]


def submitter(user: CurrentUser) -> User:
    """A user who may register initiatives: checked before a form's files are streamed."""
    if not accounts.can_submit(user):
        raise PermissionDenied(_("Your account may not register initiatives."))
    return user


Submitter = Annotated[User, Depends(submitter)]


def editable_initiative(initiative: VisibleInitiative, user: CurrentUser) -> Initiative:
    """An initiative whose form the user may send (with files): checked before streaming."""
    if not perms.is_editing_author(user, initiative):
        raise PermissionDenied(_("Only its authors can change this initiative."))
    if not perms.can_edit(user, initiative):
        raise Conflict(
            _("The initiative can be changed only while it is a draft or returned for revision."),
            code="not-editable",
        )
    return initiative


EditableInitiative = Annotated[Initiative, Depends(editable_initiative)]
