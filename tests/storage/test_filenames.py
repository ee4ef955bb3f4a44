from __future__ import annotations

import pytest

from app.storage.filenames import sanitize_filename


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\windows\\system32\\cmd.exe", "cmd.exe"),
        ("C:\\Users\\An\\Báo cáo.pdf", "Báo cáo.pdf"),
        ("C:evil.pdf", "evil.pdf"),
        ("/var/www/../../root/.ssh/id_rsa", "id_rsa"),
    ],
)
def test_directories_and_traversal_are_removed(raw, expected):
    assert sanitize_filename(raw) == expected


def test_decomposed_vietnamese_is_composed():
    decomposed = "Ba\u0301o ca\u0301o sa\u0301ng kie\u0302\u0301n.pdf"
    assert sanitize_filename(decomposed) == "Báo cáo sáng kiến.pdf"
    assert len(sanitize_filename(decomposed)) == 21


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("invoice\u202efdp.exe", "invoicefdp.exe"),  # right-to-left override hides ".exe"
        ("x\u200by\ufeff\u2066z.png", "xyz.png"),
        ("a\x00b\x1b[31m.pdf", "ab[31m.pdf"),
    ],
)
def test_control_and_bidi_characters_are_dropped(raw, expected):
    assert sanitize_filename(raw) == expected


def test_whitespace_is_collapsed():
    assert sanitize_filename("  Sáng   kiến\t\n2026\u00a0 .pdf ") == "Sáng kiến 2026 .pdf"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("CON.txt", "_CON.txt"),
        ("nul", "_nul"),
        ("Lpt1.pdf", "_Lpt1.pdf"),
        ("console.pdf", "console.pdf"),
    ],
)
def test_reserved_windows_names_are_defused(raw, expected):
    assert sanitize_filename(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("...hidden", "hidden"),
        (".htaccess", "htaccess"),
        ("ghi chú. ", "ghi chú"),
    ],
)
def test_leading_dots_and_trailing_dots_are_removed(raw, expected):
    assert sanitize_filename(raw) == expected


def test_windows_forbidden_characters_are_replaced():
    assert sanitize_filename('bad<>:"|?*name.pdf') == "bad_______name.pdf"


def test_long_names_keep_their_extension():
    assert sanitize_filename("á" * 300 + ".docx") == "á" * 145 + ".docx"
    assert sanitize_filename("b" * 300) == "b" * 150


@pytest.mark.parametrize("raw", ["", "../", "\u202e", " . ", "\\"])
def test_a_name_is_never_empty(raw):
    assert sanitize_filename(raw) == "file"
