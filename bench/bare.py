"""The host's own speed: a bare FastAPI app whose one endpoint returns a 20-hit JSON page.

bench/public_pages.py serves it exactly as the portal is served (`app.server.serve`, the
same workers, SO_REUSEPORT sockets, uvloop and httptools) and drives it with the same `wrk`
settings before the portal's endpoints, so figures taken on different hosts can be
compared: the portal's req/s as a share of what this endpoint does on the same host. The
issue that set the targets measured about 2,200 req/s here.
"""

from __future__ import annotations

from fastapi import FastAPI
from pydantic import BaseModel


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
