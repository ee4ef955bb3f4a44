"""Turn whatever name a browser sent into one that is safe to show and to download as.

Stored files are keyed by random keys, so a name never reaches the file
system here; but it is shown in pages, written into `Content-Disposition`
headers and saved by the next person who downloads it, possibly on Windows.
So it must carry no directories, no invisible or direction-reversing
characters (`invoice\u202efdp.exe` shows as "invoiceexe.pdf"), no names
Windows refuses, and stay readable Vietnamese.
"""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 150
FALLBACK = "file"

# Windows refuses these as a file's stem, whatever the extension (CON.txt too).
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(1, 10)),
    *(f"LPT{i}" for i in range(1, 10)),
}
_DRIVE = re.compile(r"^[A-Za-z]:")
# Characters Windows forbids in names (the separators are handled before).
_FORBIDDEN = re.compile(r'[<>:"|?*]')
# Unicode categories removed: controls, format characters (bidi overrides,
# zero-width joiners, BOM), surrogates, private use, unassigned.
_DROPPED_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn"}
# An extension worth keeping when the name is shortened.
_EXTENSION = re.compile(r"\.[^.\s]{1,16}$")


def sanitize_filename(name: str) -> str:
    """A display and download name: NFC, no path, no hidden characters, at most 150 characters.

    Never empty: a name with nothing usable left becomes "file".
    """
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _DRIVE.sub("", name)
    name = "".join(
        " " if ch.isspace() else ch
        for ch in name
        if unicodedata.category(ch) not in _DROPPED_CATEGORIES or ch in "\t\n\r"
    )
    name = _FORBIDDEN.sub("_", name)
    name = " ".join(name.split())
    name = name.lstrip(". ").rstrip(". ")
    if name.split(".", 1)[0].strip().upper() in _RESERVED:
        name = "_" + name
    if len(name) > MAX_LENGTH:
        match = _EXTENSION.search(name)
        suffix = match.group(0) if match else ""
        name = name[: MAX_LENGTH - len(suffix)].rstrip(". ") + suffix
    return name or FALLBACK
