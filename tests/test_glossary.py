"""One glossary for the product's Vietnamese terms (frontend/locale/glossary.toml), applied to
every catalog and template: a forbidden variant anywhere fails here, naming the file and line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from babel.messages.pofile import read_po

from app import i18n

ROOT = Path(__file__).resolve().parent.parent
GLOSSARY = tomllib.loads((ROOT / "frontend/locale/glossary.toml").read_text(encoding="utf-8"))


def _vietnamese_texts() -> list[tuple[str, str]]:
    """(where, text) for every Vietnamese translation and every template line."""
    texts = []
    for po in sorted((i18n.LOCALE_DIR / "vi" / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as fh:
            for message in read_po(fh, locale="vi"):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                for text in strings:
                    if text:
                        texts.append((f"{po.name}: {message.id!r}", text))
    for template in sorted((ROOT / "frontend/templates").rglob("*.*")):
        for number, line in enumerate(template.read_text(encoding="utf-8").splitlines(), 1):
            texts.append((f"{template.relative_to(ROOT)}:{number}", line))
    return texts


def test_the_glossary_is_well_formed():
    assert len(GLOSSARY["term"]) >= 7
    for term in GLOSSARY["term"]:
        assert term["vi"] and term["forbidden"], term
        assert all(f.lower() not in term["vi"].lower() for f in term["forbidden"]), term


def test_no_catalog_or_template_uses_a_forbidden_variant():
    found = []
    texts = _vietnamese_texts()
    for term in GLOSSARY["term"]:
        for variant in term["forbidden"]:
            needle = variant.lower()
            found += [
                f"{where}: “{variant}” (say “{term['vi']}”)"
                for where, text in texts
                if needle in text.lower()
            ]
    for pattern in GLOSSARY["pattern"]:
        rx = re.compile(pattern["regex"])
        found += [
            f"{where}: {pattern['en']}"
            for where, text in texts
            if where.endswith("')") or where.endswith('")')  # translations only, not code
            if rx.search(text)
        ]
    assert found == []


def test_the_check_finds_a_variant_it_is_given(tmp_path):
    """The scan above is not vacuous: the same matching finds a planted variant."""
    text = "Sắp kết thúc vòng đánh giá"
    assert any(v.lower() in text.lower() for t in GLOSSARY["term"] for v in t["forbidden"])
    assert re.search(GLOSSARY["pattern"][0]["regex"], "điểm 7.5") is not None
    assert re.search(GLOSSARY["pattern"][0]["regex"], "1.000 đồng") is None
