"""Loaders that refuse in one place: an initiative the user may not see is a 404."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from app.accounts.deps import CurrentUser, OptionalUser
from app.db import SessionDep
from app.initiatives import attachments, service
from app.initiatives.models import Initiative


def visible_initiative(initiative_id: int, session: SessionDep, user: OptionalUser) -> Initiative:
    return service.get_visible(session, user, initiative_id)


VisibleInitiative = Annotated[Initiative, Depends(visible_initiative)]


def attachable_initiative(initiative: VisibleInitiative, user: CurrentUser) -> Initiative:
    """An initiative the user may attach files to: checked before an upload is streamed."""
    attachments.ensure_can_attach(user, initiative)
    return initiative


AttachableInitiative = Annotated[Initiative, Depends(attachable_initiative)]
