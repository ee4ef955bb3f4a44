from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app import config


@pytest.fixture
def storage_dir(tmp_path: Path) -> Iterator[Path]:
    """Settings whose uploads go to a fresh directory (no database needed)."""
    previous = config.get_settings()
    settings = config.configure(
        config.Settings(_env_file=None, environment="test", var_dir=tmp_path / "var")
    )
    settings.uploads_dir.mkdir(parents=True)
    yield settings.uploads_dir
    config.configure(previous)


def files_in(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*") if p.is_file())
