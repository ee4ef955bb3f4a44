from __future__ import annotations

import re

import pytest

from app.errors import NotFound
from app.storage import LocalStorage, get_storage
from tests.storage.conftest import files_in


def test_written_chunks_read_back_under_a_random_key(storage_dir):
    storage = get_storage()
    writer = storage.writer()
    writer.write("Sáng kiến ".encode())
    writer.write(b"2026")
    key = writer.commit()

    assert re.fullmatch(r"[0-9a-f]{2}/[0-9a-f]{30}", key)
    with storage.open(key) as stored:
        assert stored.read() == "Sáng kiến 2026".encode()
    assert storage.path(key) == storage_dir / key
    assert files_in(storage_dir) == [key]


def test_a_write_in_progress_is_a_temporary_file_in_the_same_directory(storage_dir):
    writer = get_storage().writer()
    writer.write(b"partial")
    temporary = files_in(storage_dir)
    assert len(temporary) == 1 and temporary[0].startswith(".upload-") and "/" not in temporary[0]
    writer.abort()


def test_abort_leaves_nothing(storage_dir):
    writer = get_storage().writer()
    writer.write(b"x" * 1000)
    writer.abort()
    writer.abort()
    assert files_in(storage_dir) == []


def test_reopen_shows_what_was_written_before_commit(storage_dir):
    writer = get_storage().writer()
    writer.write(b"PK\x03\x04")
    with writer.reopen() as written:
        assert written.read() == b"PK\x03\x04"
    writer.abort()


def test_keys_differ_for_every_file(storage_dir):
    storage = get_storage()
    keys = set()
    for _ in range(20):
        writer = storage.writer()
        writer.write(b"same content")
        keys.add(writer.commit())
    assert len(keys) == 20


def test_delete_removes_the_file_and_its_empty_folder(storage_dir):
    storage = get_storage()
    writer = storage.writer()
    writer.write(b"bye")
    key = writer.commit()
    storage.delete(key)
    assert list(storage_dir.iterdir()) == []
    with pytest.raises(NotFound):
        storage.open(key)
    with pytest.raises(NotFound):
        storage.path(key)


@pytest.mark.parametrize(
    "key", ["../../etc/passwd", "ab/../../secret", "/etc/passwd", "", "AB/" + "C" * 30]
)
def test_a_key_not_made_by_storage_is_refused(storage_dir, key):
    storage = LocalStorage(storage_dir)
    with pytest.raises(NotFound):
        storage.open(key)
    with pytest.raises(NotFound):
        storage.delete(key)
