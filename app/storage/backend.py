"""Where attachment bytes live: a small interface and its local-directory implementation.

The rest of the portal keeps only a `StoredFile` (key, name, type, size,
hash) in its tables and talks to storage through `Storage`, so an object
store can replace the local directory without touching any domain.

Keys are random and never derived from user input: a file name can carry
`../`, and a guessable key would let one user's link reveal another's file.
A write goes to a temporary file in the storage directory and becomes
visible only by an atomic rename on `commit()`, so a half-received upload is
never readable under a key, and `abort()` leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from app import config
from app.errors import NotFound
from app.i18n import _

_KEY = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{30}$")
_TEMP_PREFIX = ".upload-"


@dataclass(frozen=True)
class StoredFile:
    """One stored upload as the domains record it."""

    key: str
    filename: str
    content_type: str
    size: int
    sha256: str


class StorageWriter(Protocol):
    """An upload in progress: `write` chunks, then `commit()` or `abort()`."""

    def write(self, data: bytes) -> None: ...

    def reopen(self) -> BinaryIO:
        """The bytes written so far, to inspect before committing (e.g. a ZIP's directory)."""
        ...

    def commit(self, key: str | None = None) -> str:
        """Make the bytes readable under `key` (a fresh random key when None) and return it."""
        ...

    def abort(self) -> None:
        """Discard everything written; safe to call more than once or after commit."""
        ...


class Storage(Protocol):
    def writer(self) -> StorageWriter: ...

    def open(self, key: str) -> BinaryIO: ...

    def delete(self, key: str) -> None: ...

    def path(self, key: str) -> Path | None:
        """A local file path for `FileResponse`, or None for a store without one."""
        ...


def new_key() -> str:
    """128 random bits as `ab/cdef…`: the two-character folder keeps directories small."""
    token = secrets.token_hex(16)
    return f"{token[:2]}/{token[2:]}"


class LocalWriter(StorageWriter):
    def __init__(self, storage: LocalStorage) -> None:
        self._storage = storage
        storage.directory.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=storage.directory, prefix=_TEMP_PREFIX, suffix=".part")
        self._temp = Path(name)
        self._file = os.fdopen(fd, "wb")
        self._done = False

    def write(self, data: bytes) -> None:
        self._file.write(data)

    def reopen(self) -> BinaryIO:
        self._file.flush()
        return self._temp.open("rb")

    def commit(self, key: str | None = None) -> str:
        key = key or new_key()
        target = self._storage.resolve(key)
        if target.exists():
            raise FileExistsError(key)
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        target.parent.mkdir(exist_ok=True)
        os.replace(self._temp, target)
        self._done = True
        return key

    def abort(self) -> None:
        if self._done:
            return
        self._done = True
        self._file.close()
        self._temp.unlink(missing_ok=True)


class LocalStorage(Storage):
    """Files under one directory (`settings.uploads_dir` by default), at `<dir>/<key>`."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = Path(directory or config.get_settings().uploads_dir)

    def resolve(self, key: str) -> Path:
        """The path of `key`; a key not of our own shape is refused before touching the disk."""
        if not _KEY.fullmatch(key or ""):
            raise NotFound(_("The file does not exist."))
        return self.directory / key

    def writer(self) -> LocalWriter:
        return LocalWriter(self)

    def open(self, key: str) -> BinaryIO:
        try:
            return self.resolve(key).open("rb")
        except FileNotFoundError:
            raise NotFound(_("The file does not exist.")) from None

    def delete(self, key: str) -> None:
        path = self.resolve(key)
        path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            path.parent.rmdir()  # only succeeds when the folder is now empty

    def path(self, key: str) -> Path | None:
        path = self.resolve(key)
        if not path.is_file():
            raise NotFound(_("The file does not exist."))
        return path


def get_storage() -> Storage:
    """The storage in force for the current settings."""
    return LocalStorage(config.get_settings().uploads_dir)
