"""What the Meilisearch backend does without a server: its settings and
filter translation, and how it reports an unreachable engine."""

from __future__ import annotations

import dataclasses
import http.server
import json
import socket
import threading

import pytest

from search import Query, SearchUnavailable, make_engine
from search.documents import INITIATIVE_SETTINGS
from search.meilisearch_engine import settings_body


@pytest.fixture
def unreachable():
    """An engine pointed at a local port nobody listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return make_engine(
        "meilisearch", url=f"http://127.0.0.1:{port}", api_key="k", index_name="initiatives"
    )


def test_unreachable_server_is_unhealthy(unreachable):
    assert unreachable.health() is False


@pytest.mark.parametrize(
    "call",
    [
        lambda e: e.search(Query(text="điện")),
        lambda e: e.upsert([{"id": "a", "title": "x", "version": 1}]),
        lambda e: e.delete(["a"]),
        lambda e: e.ensure_index(),
    ],
)
def test_unreachable_server_raises_search_unavailable(unreachable, call):
    with pytest.raises(SearchUnavailable):
        call(unreachable)


def test_filters_translate_to_meilisearch_syntax(unreachable):
    assert unreachable._filter(
        {"province": ["Hà Nội", 'Cần "Thơ"'], "trl": ["5", 6]},
        {"published_at": (10, None), "trl": (None, 8)},
    ) == [
        'province IN ["Hà Nội", "Cần \\"Thơ\\""]',
        "trl IN [5, 6]",
        "published_at >= 10",
        "trl <= 8",
    ]


def test_settings_body_sets_vietnamese_locale_and_one_typo_from_three_letters():
    body = settings_body(INITIATIVE_SETTINGS)
    assert body["typoTolerance"]["minWordSizeForTypos"]["oneTypo"] == 3
    # a Vietnamese syllable is never a typo of another; stop words are the query's business
    assert {"gai", "manh", "truong"} <= set(body["typoTolerance"]["disableOnWords"])
    assert "truog" not in body["typoTolerance"]["disableOnWords"]
    assert body["stopWords"] == []
    assert body["localizedAttributes"] == [
        {"attributePatterns": list(INITIATIVE_SETTINGS.searchable), "locales": ["vie"]}
    ]
    assert body["rankingRules"][0] == "sort"
    assert body["sortableAttributes"] == [
        "id",
        "published_at",
        "trl",
    ]  # id: the tie-break after any sort
    assert "synonyms" not in body  # runtime-edited; seeded only on creation


def test_optional_words_as_typed_rank_first_within_the_page(unreachable):
    # Meilisearch folds "của" and "cua" alike; the page puts "cua" as typed first,
    # as the embedded engine's exact-spelling bonus does.
    from search import Hit
    from search.matching import OPTIONAL, SynonymTable, units

    hits = [
        Hit("fish", 1.0, {"title": "Nuôi cá của hợp tác xã"}),
        Hit("crab", 0.9, {"title": "Nuôi cua biển"}),
    ]
    optional = [
        u
        for u in units("nuoi cua", INITIATIVE_SETTINGS.stop_words, SynonymTable(()))
        if u.role == OPTIONAL
    ]
    assert [h.id for h in unreachable._exact_first("nuoi cua", optional, hits)] == ["crab", "fish"]


# -- what goes over the wire: a real HTTP receiver records the client's requests ---------


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Answers as Meilisearch's documentation says (an enqueued task, an empty search) and
    keeps every request."""

    seen: list[tuple[str, str, object]] = []

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        body = json.loads(raw) if raw else None
        self.seen.append((self.command, self.path, body))
        if self.path.endswith("/search"):
            out: object = {"hits": [], "totalHits": 0, "facetDistribution": {}}
        elif self.path.endswith("/settings/synonyms"):
            out = {}
        else:
            out = {
                "taskUid": len(self.seen),
                "indexUid": "initiatives",
                "status": "enqueued",
                "type": "documentAdditionOrUpdate",
                "enqueuedAt": "2026-11-30T01:00:00.000000Z",
            }
        data = json.dumps(out).encode()
        self.send_response(200 if self.command == "GET" or self.path.endswith("/search") else 202)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    def log_message(self, *args) -> None:  # keep the test output clean
        pass


@pytest.fixture
def recorder():
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", _Recorder.seen
    finally:
        server.shutdown()
        server.server_close()


VECTOR_SETTINGS = dataclasses.replace(INITIATIVE_SETTINGS, vector=3)


def test_settings_declare_a_user_provided_embedder_only_with_vectors():
    assert "embedders" not in settings_body(INITIATIVE_SETTINGS)
    assert settings_body(VECTOR_SETTINGS)["embedders"] == {
        "portal": {"source": "userProvided", "dimensions": 3}
    }


def test_documents_carry_their_vector_under_the_embedder_and_never_regenerate(recorder):
    url, seen = recorder
    engine = make_engine("meilisearch", url=url, api_key="k", settings=VECTOR_SETTINGS)
    engine.upsert(
        [
            {"id": "a", "title": "Điện mặt trời", "version": 1, "_vector": [0.1, 0.2, 0.3]},
            {"id": "b", "title": "Không có vector", "version": 1},
        ]
    )
    [(method, path, body)] = seen
    assert (method, path.split("?")[0]) == ("POST", "/indexes/initiatives/documents")
    assert body == [
        {
            "id": "a",
            "title": "Điện mặt trời",
            "version": 1,
            "_vectors": {"portal": {"embeddings": [0.1, 0.2, 0.3], "regenerate": False}},
        },
        {"id": "b", "title": "Không có vector", "version": 1, "_vectors": {"portal": None}},
    ]


def test_a_hybrid_search_sends_the_vector_the_ratio_and_the_filter_together(recorder):
    url, seen = recorder
    engine = make_engine("meilisearch", url=url, api_key="k", settings=VECTOR_SETTINGS)
    engine.search(
        Query(
            text="điện",
            vector=[0, 1, 0],
            semantic_ratio=0.7,
            filters={"field_code": ["CNXD"], "stage": ["published"]},
            relax=False,
        )
    )
    searches = [body for _, path, body in seen if path.endswith("/search")]
    assert isinstance(searches[-1], dict)
    sent = {k: searches[-1][k] for k in ("q", "vector", "hybrid", "filter")}
    assert sent == {
        "q": "điện",
        "vector": [0.0, 1.0, 0.0],
        "hybrid": {"embedder": "portal", "semanticRatio": 0.7},
        "filter": ['field_code IN ["CNXD"]', 'stage IN ["published"]'],
    }
    # a lexical search sends neither
    engine.search(Query(text="điện", relax=False))
    last = [body for _, path, body in seen if path.endswith("/search")][-1]
    assert isinstance(last, dict) and "vector" not in last and "hybrid" not in last
