"""The embedded engine's directory: its generations, CURRENT, synonyms.json and the writer.

Layout of an index directory::

    CURRENT          name of the live generation directory (swapped atomically)
    synonyms.json    runtime-editable synonym groups
    write.lock       held by every write, across processes (search/dirlock.py)
    gen-000001/      a tantivy index; a rebuild writes gen-000002/ then swaps

`IndexFiles` knows where the live generation is and when it changed (a commit
or a rebuild by any process), holds this process's one writer, and builds and
swaps in a new generation. What a document looks like in tantivy, and every
query, belong to search/tantivy_engine.py, which gives `to_document` here.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, cast

import tantivy
from tantivy import Query as TQ

from search.dirlock import DirectoryLock
from search.interface import IndexSettings, SearchUnavailable, SynonymGroups, normalise_synonyms
from search.matching import SynonymTable
from search.text import TOKEN_PATTERN

ANALYZER = "vi_words"
BATCH_COMMIT = 20_000
WRITE_WAIT_SECONDS = 5.0  # then SearchUnavailable: the outbox retries after a rebuild elsewhere

ToDocument = Callable[[Mapping[str, Any]], tantivy.Document]


def stamp(file: Path) -> int:
    """Changes whenever the file is replaced (both are written by rename)."""
    st = file.stat()
    return st.st_ino * 10**19 + st.st_mtime_ns


def stored_source(searcher: tantivy.Searcher, address: tantivy.DocAddress) -> dict[str, Any]:
    """The document as it was given to `upsert` (stored as JSON bytes)."""
    raw = searcher.doc(address).get_first("_source")
    source: dict[str, Any] = json.loads(cast(bytes, raw))
    return source


def _analyzer() -> tantivy.TextAnalyzer:
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.regex(TOKEN_PATTERN))
        .filter(tantivy.Filter.lowercase())
        .build()
    )


class IndexFiles:
    """One index directory as this process sees it; see the module docstring."""

    def __init__(
        self,
        path: Path,
        schema: tantivy.Schema,
        settings: IndexSettings,
        to_document: ToDocument,
    ) -> None:
        self.path = path
        self.schema = schema
        self.settings = settings
        self.to_document = to_document
        self.lock = DirectoryLock(path)  # every write, with other processes and engines
        self._open_lock = threading.Lock()  # switching to another generation
        self._index: tantivy.Index | None = None
        self._writer: tantivy.IndexWriter | None = None
        self._writer_generation: str | None = None
        self._current: tuple[str, int] | None = None  # (generation name, CURRENT inode+mtime)
        self._meta_stamp: int | None = None  # the live generation's meta.json inode+mtime
        self._synonyms: tuple[int, SynonymTable] | None = None

    # -- the live generation ------------------------------------------------------

    def _open(self, directory: Path, create: bool = False) -> tantivy.Index:
        if not create and not (directory / "meta.json").exists():
            raise SearchUnavailable(f"no search index at {directory}")
        directory.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(self.schema, path=str(directory), reuse=True)
        index.register_tokenizer(ANALYZER, _analyzer())
        return index

    def _write_atomic(self, name: str, content: str) -> None:
        tmp = (
            self.path / f".{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        )  # writers never share one
        tmp.write_text(content, encoding="utf-8")
        os.replace(tmp, self.path / name)

    def live(self) -> tuple[str, tantivy.Index]:
        """The generation CURRENT names and its index, reopened when a rebuild
        swapped it and reloaded when a commit (from any process) changed its
        meta.json — tantivy alone notices that only after a polling delay."""
        generation, index, _ = self._live_stamped()
        return generation, index

    def _live_stamped(self) -> tuple[str, tantivy.Index, str]:
        """`live`, and the stamps of CURRENT and meta.json it just read."""
        try:
            current = stamp(self.path / "CURRENT")
            with self._open_lock:
                if self._current is None or self._current[1] != current:
                    generation = (self.path / "CURRENT").read_text().strip()
                    self._index = self._open(self.path / generation)
                    self._current, self._meta_stamp = (generation, current), None
                index = self._index
                assert index is not None  # opened together with self._current
                meta_stamp = stamp(self.path / self._current[0] / "meta.json")
                if meta_stamp != self._meta_stamp:
                    index.reload()
                    self._meta_stamp = meta_stamp
                return self._current[0], index, f"{current}:{meta_stamp}"
        except (OSError, ValueError) as exc:
            raise SearchUnavailable(f"cannot open search index at {self.path}: {exc}") from exc

    def generation(self) -> str:
        """Changes with every commit, rebuild or synonyms edit: three file stamps (every
        search asks, so the stamps `live` reads are used, not read again)."""
        _, _, stamps = self._live_stamped()
        return f"{stamps}:{stamp(self.path / 'synonyms.json')}"

    def searcher(self) -> tantivy.Searcher:
        return self.live()[1].searcher()

    # -- synonyms -------------------------------------------------------------------

    def synonym_table(self) -> SynonymTable:
        """The synonym groups, re-read when the file changes."""
        file = self.path / "synonyms.json"
        changed = file.stat().st_mtime_ns if file.exists() else 0
        if self._synonyms is None or self._synonyms[0] != changed:
            groups = (
                json.loads(file.read_text(encoding="utf-8")) if changed else self.settings.synonyms
            )
            self._synonyms = (changed, SynonymTable(groups))
        return self._synonyms[1]

    def set_synonyms(self, groups: Iterable[Iterable[str]]) -> None:
        cleaned: SynonymGroups = normalise_synonyms(groups)
        self._write_atomic(
            "synonyms.json", json.dumps(cleaned, ensure_ascii=False)
        )  # atomic: no lock needed

    # -- writing --------------------------------------------------------------------

    def writer(self) -> tantivy.IndexWriter:
        """The writer on the live generation (write lock held).

        A rebuild by another process or engine may have swapped CURRENT since
        the writer was opened; writing through it would go to a generation
        nobody reads, so it is released and one is opened on the live one.
        """
        generation, index = self.live()
        if self._writer is not None and self._writer_generation != generation:
            self._release_writer()
        if self._writer is None:
            try:
                self._writer = index.writer(heap_size=64_000_000, num_threads=1)
            except ValueError as exc:  # LockBusy: another process holds the writer
                raise SearchUnavailable(f"index writer busy: {exc}") from exc
            self._writer_generation = generation
        return self._writer

    def _release_writer(self) -> None:
        writer, self._writer = self._writer, None
        if writer is not None:
            # ValueError/OSError: its generation was already deleted by a later rebuild;
            # every write was committed
            with contextlib.suppress(OSError, ValueError):
                writer.wait_merging_threads()  # releases that directory's lock

    def commit(self) -> None:
        assert self._writer is not None  # every write path opens the writer first
        self._writer.commit()
        self.live()  # reloads: this process sees the write at once

    # -- generations ----------------------------------------------------------------

    def _create_files(self) -> None:
        """First generation and synonyms file, if missing (write lock held)."""
        if not (self.path / "CURRENT").exists():
            self._open(self.path / "gen-000001", create=True)
            self._write_atomic("CURRENT", "gen-000001")
        if not (self.path / "synonyms.json").exists():
            self._write_atomic(
                "synonyms.json", json.dumps(self.settings.synonyms, ensure_ascii=False)
            )

    def _outdated(self, generation: str) -> bool:
        """Was ``generation`` built with a schema other than this code's?"""
        directory = self.path / generation
        return (directory / "meta.json").exists() and tantivy.Index.open(
            str(directory)
        ).schema != self.schema

    def _stored_documents(self, generation: str) -> Iterable[dict[str, Any]]:
        """Every document of ``generation`` as it was given to ``upsert``."""
        searcher = tantivy.Index.open(str(self.path / generation)).searcher()
        for _, address in searcher.search(TQ.all_query(), max(searcher.num_docs, 1)).hits:
            yield stored_source(searcher, address)

    def ensure(self) -> None:
        """The directory exists with a live generation of this code's schema (an
        older release's is re-indexed from its stored documents)."""
        self.path.mkdir(parents=True, exist_ok=True)
        if (self.path / "synonyms.json").exists():
            try:
                self.live()
                return  # the usual case: no need to wait for another process's rebuild
            except SearchUnavailable:
                pass
        with self.lock.hold(WRITE_WAIT_SECONDS):
            self._create_files()
            generation = (self.path / "CURRENT").read_text().strip()
            if self._outdated(generation):
                self._build_generation(self._stored_documents(generation), None)
            self.live()

    def rebuild(
        self, docs: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None = None
    ) -> None:
        """Build the next generation from ``docs`` and swap it in (see the engine's
        `rebuild` for the locking that makes this lose no write)."""
        self.path.mkdir(parents=True, exist_ok=True)
        with self.lock.hold(None):
            self._create_files()
            self._build_generation(docs, progress)

    def _build_generation(
        self, docs: Iterable[Mapping[str, Any]], progress: Callable[[int], None] | None
    ) -> None:
        """The rebuild itself (write lock held).  Never opens the old
        generation, which may have an outdated schema."""
        old = (self.path / "CURRENT").read_text().strip()
        new = f"gen-{int(old.split('-')[1]) + 1:06d}"
        shutil.rmtree(self.path / new, ignore_errors=True)
        index = self._open(self.path / new, create=True)
        writer = index.writer(heap_size=256_000_000, num_threads=2)
        count = 0
        for doc in docs:
            writer.add_document(self.to_document(doc))
            count += 1
            if count % BATCH_COMMIT == 0:
                writer.commit()
            if progress and count % 1000 == 0:
                progress(count)
        writer.commit()
        writer.wait_merging_threads()
        self._release_writer()
        self._write_atomic("CURRENT", new)
        self.live()
        for stale in self.path.glob("gen-*"):
            if stale.name not in (old, new):
                shutil.rmtree(stale, ignore_errors=True)
        if progress:
            progress(count)
