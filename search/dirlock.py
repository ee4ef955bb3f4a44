"""One exclusive lock per index directory, shared by every process and engine.

tantivy's own writer lock is per *generation* directory, so it cannot stop a
write from landing in the old generation while another process (or another
engine object on the same path) builds and swaps in a new one: that write
would be lost.  Every write to a tantivy index therefore holds this lock —
upserts and deletes briefly, a rebuild from before it reads its documents
until after it has swapped CURRENT.  A write that waits out a rebuild then
sees the new generation.

It is an ``flock`` on ``<path>/write.lock``: released by the kernel when the
holder dies, and exclusive between open files even inside one process.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from search.interface import SearchUnavailable

POLL_SECONDS = 0.05


class DirectoryLock:
    """Re-entrant within one object (a rebuild calls other locked steps)."""

    def __init__(self, directory: Path):
        self.file = directory / "write.lock"
        self._thread_lock = threading.RLock()  # threads of this process, same object
        self._depth = 0
        self._fd: int | None = None

    @contextmanager
    def hold(self, wait_seconds: float | None) -> Iterator[None]:
        """Hold the lock; wait at most ``wait_seconds`` (None: as long as it
        takes) and raise SearchUnavailable after that, so the caller (the
        outbox) retries later instead of blocking behind a long rebuild."""
        with self._thread_lock:
            if self._depth == 0:
                self._fd = self._acquire(wait_seconds)
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
                if self._depth == 0 and self._fd is not None:
                    os.close(self._fd)  # closing the file releases the flock
                    self._fd = None

    def _acquire(self, wait_seconds: float | None) -> int:
        try:
            fd = os.open(self.file, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise SearchUnavailable(f"cannot open {self.file}: {exc}") from exc
        deadline = None if wait_seconds is None else time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(
                    fd, fcntl.LOCK_EX if deadline is None else fcntl.LOCK_EX | fcntl.LOCK_NB
                )
                return fd
            except BlockingIOError:
                assert deadline is not None  # a blocking flock never raises BlockingIOError
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise SearchUnavailable(
                        "the search index is being written (rebuilt?) by another process"
                    ) from None
                time.sleep(POLL_SECONDS)
