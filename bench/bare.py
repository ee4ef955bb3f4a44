"""The host's own speed: bare FastAPI apps, served and driven as the portal is.

`create_app` answers one endpoint with a 20-hit JSON page (the public pages' baseline);
`create_submit_app` and `create_core_submit_app` answer a create + submit (the submit
path's floor, described further down).

bench/public_pages.py serves them exactly as the portal is served (`app.server.serve`, the
same workers, SO_REUSEPORT sockets, uvloop and httptools) and drives them as it drives the
portal (the same `wrk` settings; the same submit clients), so figures taken on different
hosts can be compared: the portal's figures as a share of what these do on the same host.
The issue that set the targets measured about 2,200 req/s for the 20-hit page.
"""

import hashlib
import json
import os
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Form, Header, HTTPException
from pydantic import BaseModel
from sqlalchemy import JSON, Connection, Engine, create_engine, insert, update
from sqlalchemy import select as sa_select  # the Core app's (sqlmodel's takes no Table)
from sqlmodel import Field, Session, SQLModel, col, func, select


class Hit(BaseModel):
    id: int
    title: str
    summary: str
    field: str
    score: float


class Page(BaseModel):
    total: int
    page: int
    hits: list[Hit]


PAGE = Page(
    total=1000,
    page=1,
    hits=[
        Hit(
            id=k,
            title=f"Sáng kiến số {k}: cảm biến độ ẩm đất cho vườn cà phê",
            summary="Mạng cảm biến năng lượng thấp đo độ ẩm và báo tưới qua tin nhắn. " * 3,
            field="Nông nghiệp",
            score=1.0 / (k + 1),
        )
        for k in range(20)
    ],
)


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/hits")
    def hits() -> Page:  # a sync handler, as the portal's are: one hop to the thread pool
        return PAGE

    return app


# -- the submit path's floor ---------------------------------------------------------
#
# `create_submit_app` answers the three requests bench/public_pages.py's submit clients
# send (sign in, create a draft, submit it) with this stack's plainest code: FastAPI sync
# handlers, a SQLModel session per request, pydantic bodies and responses, and the same
# shape of SQL as the portal's create + submit (a bearer-token look-up, the field check,
# the draft and its author; the row locked, the duplicate check, the status change, a
# history entry, a version, the receipt counter, two outbox events). What it leaves out
# is the portal's own work: permissions, completeness, the near-duplicate search, the hash
# chain, the receipt mail. Its CPU per create + submit is what the stack itself costs on
# this host, so the portal's figure can be read against it.


SUBMIT_DATABASE = "BARE_DATABASE_URL"  # the database the submit app uses (environment)


class BareUser(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True)


class BareToken(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="bareuser.id")
    token_hash: str = Field(index=True)


class BareField(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str


class DraftIn(SQLModel):
    """The draft's sections, as the portal's create takes them (and as the table keeps them)."""

    title: str
    summary: str
    problem: str
    solution: str
    novelty: str
    feasibility: str
    impact: str
    keywords: list[str] = Field(sa_type=JSON)
    trl: int
    province: str
    field_id: int


class BareItem(DraftIn, table=True):
    id: int | None = Field(default=None, primary_key=True)
    status: str = "draft"
    submitter_id: int = Field(foreign_key="bareuser.id")
    field_id: int = Field(foreign_key="barefield.id")
    receipt_code: str | None = None
    fingerprint: str | None = None
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None = None


class BareAuthor(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="bareitem.id")
    user_id: int = Field(foreign_key="bareuser.id")
    share_percent: float


class BareEvent(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="bareitem.id")
    from_status: str
    to_status: str
    created_at: datetime


class BareVersion(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="bareitem.id")
    number: int
    content: str
    fingerprint: str = Field(index=True)


class BareCounter(SQLModel, table=True):
    year: int = Field(primary_key=True)
    last: int = 0


class BareOutbox(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    topic: str
    key: str
    payload: str
    created_at: datetime


class ItemOut(DraftIn):
    id: int
    status: str
    receipt_code: str | None
    created_at: datetime
    submitted_at: datetime | None


def setup_submit_tables(url: str) -> None:
    """Create the submit app's tables, its one field and this year's receipt counter (before
    the server starts, so its workers do not race to)."""
    engine = create_engine(url)
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        session.add(BareField(id=1, name="Nông nghiệp"))
        session.add(BareCounter(year=datetime.now(UTC).year))
        session.commit()
    engine.dispose()


_engines: dict[str, Engine] = {}  # made by the app factory: "requests" and "receipts"


def receipt_number(year: int) -> int:
    """The next receipt number, taken in its own autocommit statement as the portal takes it
    (app/initiatives/receipts.py): bumped inside the request's transaction, the counter's
    row would stay locked until that commit and every submission would queue behind it."""
    with _engines["receipts"].connect() as connection:
        return connection.execute(
            update(BareCounter)
            .where(col(BareCounter.year) == year)
            .values(last=col(BareCounter.last) + 1)
            .returning(col(BareCounter.last))
        ).scalar_one()


def session_dep() -> Iterator[Session]:
    with Session(_engines["requests"]) as session:
        yield session


SessionDep = Annotated[Session, Depends(session_dep)]


def user_dep(session: SessionDep, authorization: Annotated[str, Header()] = "") -> BareUser:
    digest = hashlib.sha256(authorization.removeprefix("Bearer ").encode()).hexdigest()
    found = session.exec(
        select(BareUser)
        .join(BareToken, col(BareToken.user_id) == col(BareUser.id))
        .where(BareToken.token_hash == digest)
    ).first()
    if found is None:
        raise HTTPException(401)
    return found


UserDep = Annotated[BareUser, Depends(user_dep)]


def _out(item: BareItem) -> ItemOut:
    return ItemOut.model_validate(item.model_dump())


def token(session: SessionDep, username: Annotated[str, Form()]) -> dict[str, str]:
    user = session.exec(select(BareUser).where(BareUser.email == username)).first()
    if user is None:
        user = BareUser(email=username)
        session.add(user)
        session.flush()
    assert user.id is not None
    plain = secrets.token_urlsafe(32)
    session.add(BareToken(user_id=user.id, token_hash=hashlib.sha256(plain.encode()).hexdigest()))
    session.commit()
    return {"access_token": plain}


def create(session: SessionDep, user: UserDep, body: DraftIn) -> ItemOut:
    if session.get(BareField, body.field_id) is None:
        raise HTTPException(422)
    now = datetime.now(UTC)
    assert user.id is not None
    item = BareItem(
        **body.model_dump(),
        submitter_id=user.id,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    assert item.id is not None
    session.add(BareAuthor(item_id=item.id, user_id=user.id, share_percent=100))
    out = _out(item)  # before the commit, which would expire the row (one more SELECT)
    session.commit()
    return out


def submit(session: SessionDep, user: UserDep, item_id: int) -> ItemOut:
    item = session.get(BareItem, item_id, with_for_update=True)
    if item is None or item.submitter_id != user.id:
        raise HTTPException(404)
    if item.status != "draft":
        raise HTTPException(409)
    text = json.dumps(_out(item).model_dump(mode="json"), sort_keys=True)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()
    duplicate, versions = session.exec(
        select(
            select(BareVersion.id)
            .where(BareVersion.fingerprint == fingerprint, BareVersion.item_id != item_id)
            .limit(1)
            .scalar_subquery(),
            select(func.count())
            .select_from(BareVersion)
            .where(BareVersion.item_id == item_id)
            .scalar_subquery(),
        )
    ).one()
    if duplicate is not None:
        raise HTTPException(409)
    now = datetime.now(UTC)
    item.status, item.fingerprint, item.submitted_at, item.updated_at = (
        "submitted",
        fingerprint,
        now,
        now,
    )
    session.add(
        BareEvent(item_id=item_id, from_status="draft", to_status="submitted", created_at=now)
    )
    session.add(
        BareVersion(item_id=item_id, number=versions + 1, content=text, fingerprint=fingerprint)
    )
    session.flush()
    item.receipt_code = f"SK-{now.year}-{receipt_number(now.year):06d}"
    for topic in ("item.transitioned", "mail.send"):
        session.add(BareOutbox(topic=topic, key=f"item:{item_id}", payload=text, created_at=now))
    out = _out(item)
    session.commit()
    return out


def _connect() -> None:
    url = os.environ[SUBMIT_DATABASE]
    _engines["requests"] = create_engine(url, pool_size=10, max_overflow=20)
    _engines["receipts"] = create_engine(url, pool_size=10, isolation_level="AUTOCOMMIT")


def create_submit_app() -> FastAPI:
    """The submit path with SQLModel's sessions (the ORM), as the portal is written."""
    _connect()
    app = FastAPI()
    app.post("/api/v1/auth/token")(token)
    app.post("/api/v1/initiatives", status_code=201)(create)
    app.post("/api/v1/initiatives/{item_id}/submit")(submit)
    return app


# -- the same with SQLAlchemy Core: statements on one connection, no unit of work ------

ITEM, AUTHOR, EVENT, VERSION, OUTBOX, FIELD, TOKEN, USER = (
    SQLModel.metadata.tables[name]
    for name in (
        "bareitem",
        "bareauthor",
        "bareevent",
        "bareversion",
        "bareoutbox",
        "barefield",
        "baretoken",
        "bareuser",
    )
)


def connection_dep() -> Iterator[Connection]:
    with _engines["requests"].begin() as connection:  # committed when the request ends
        yield connection


ConnectionDep = Annotated[Connection, Depends(connection_dep)]


def core_user_dep(connection: ConnectionDep, authorization: Annotated[str, Header()] = "") -> int:
    digest = hashlib.sha256(authorization.removeprefix("Bearer ").encode()).hexdigest()
    user_id = connection.execute(
        sa_select(USER.c.id)
        .join(TOKEN, TOKEN.c.user_id == USER.c.id)
        .where(TOKEN.c.token_hash == digest)
    ).scalar()
    if user_id is None:
        raise HTTPException(401)
    return int(user_id)


CoreUserDep = Annotated[int, Depends(core_user_dep)]


def _core_out(row: Any) -> ItemOut:
    return ItemOut.model_validate(dict(row._mapping))


def core_create(connection: ConnectionDep, user_id: CoreUserDep, body: DraftIn) -> ItemOut:
    if connection.execute(sa_select(FIELD.c.id).where(FIELD.c.id == body.field_id)).first() is None:
        raise HTTPException(422)
    now = datetime.now(UTC)
    row = connection.execute(
        insert(ITEM)
        .values(
            **body.model_dump(),
            status="draft",
            submitter_id=user_id,
            created_at=now,
            updated_at=now,
        )
        .returning(ITEM)
    ).one()
    connection.execute(insert(AUTHOR).values(item_id=row.id, user_id=user_id, share_percent=100))
    return _core_out(row)


def core_submit(connection: ConnectionDep, user_id: CoreUserDep, item_id: int) -> ItemOut:
    row = connection.execute(sa_select(ITEM).where(ITEM.c.id == item_id).with_for_update()).first()
    if row is None or row.submitter_id != user_id:
        raise HTTPException(404)
    if row.status != "draft":
        raise HTTPException(409)
    text = json.dumps(_core_out(row).model_dump(mode="json"), sort_keys=True)
    fingerprint = hashlib.sha256(text.encode()).hexdigest()
    duplicate, versions = connection.execute(
        sa_select(
            sa_select(VERSION.c.id)
            .where(VERSION.c.fingerprint == fingerprint, VERSION.c.item_id != item_id)
            .limit(1)
            .scalar_subquery(),
            sa_select(func.count())
            .select_from(VERSION)
            .where(VERSION.c.item_id == item_id)
            .scalar_subquery(),
        )
    ).one()
    if duplicate is not None:
        raise HTTPException(409)
    now = datetime.now(UTC)
    connection.execute(
        insert(EVENT).values(
            item_id=item_id, from_status="draft", to_status="submitted", created_at=now
        )
    )
    connection.execute(
        insert(VERSION).values(
            item_id=item_id, number=versions + 1, content=text, fingerprint=fingerprint
        )
    )
    connection.execute(
        insert(OUTBOX),
        [
            {"topic": topic, "key": f"item:{item_id}", "payload": text, "created_at": now}
            for topic in ("item.transitioned", "mail.send")
        ],
    )
    row = connection.execute(
        update(ITEM)
        .where(ITEM.c.id == item_id)
        .values(
            status="submitted",
            fingerprint=fingerprint,
            submitted_at=now,
            updated_at=now,
            receipt_code=f"SK-{now.year}-{receipt_number(now.year):06d}",
        )
        .returning(ITEM)
    ).one()
    return _core_out(row)


def create_core_submit_app() -> FastAPI:
    """The submit path with SQLAlchemy Core: the floor below the ORM."""
    _connect()
    app = FastAPI()
    app.post("/api/v1/auth/token")(token)
    app.post("/api/v1/initiatives", status_code=201)(core_create)
    app.post("/api/v1/initiatives/{item_id}/submit")(core_submit)
    return app
