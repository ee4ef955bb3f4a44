"""Tables of the catalogue: the synonym groups coordinators edit.

The search index itself lives in the engine; what is indexed is derived from
the initiatives at any time (`portal reindex`), so no copy of it is kept here.
"""

from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from app.db import UTCDateTime, utcnow


class SynonymGroup(SQLModel, table=True):
    """Words that mean the same to a searcher ("AI", "trí tuệ nhân tạo").

    Both engines apply the groups symmetrically; every change is pushed to the
    engine with `set_synonyms`, and `portal search-check --repair` re-applies them.
    """

    __tablename__ = "synonym_group"

    id: int = Field(default=None, primary_key=True)
    terms: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    updated_by_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
