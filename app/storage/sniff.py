"""What a file is, judged by its bytes rather than its name.

A browser's declared type and the file's extension are whatever the sender
chose; an `.exe` renamed `report.pdf` must not become a "PDF" attachment that
a reviewer later downloads and opens. So the leading bytes decide
(`sniff_content_type`), and for the container formats whose leading bytes only
say "a ZIP" or "an OLE2 compound file" the container's own directory decides
(`inspect_container`), read from the stored copy once the upload is complete.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import PurePath
from typing import BinaryIO

PDF = "application/pdf"
DOC = "application/msword"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLS = "application/vnd.ms-excel"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPT = "application/vnd.ms-powerpoint"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODT = "application/vnd.oasis.opendocument.text"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
ODP = "application/vnd.oasis.opendocument.presentation"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"
# Containers whose member format is not known from the leading bytes alone.
ZIP = "application/zip"
OLE2 = "application/x-ole-storage"

DEFAULT_ALLOWED_TYPES: set[str] = {
    PDF,
    DOC,
    DOCX,
    XLS,
    XLSX,
    PPT,
    PPTX,
    ODT,
    ODS,
    ODP,
    PNG,
    JPEG,
    GIF,
    WEBP,
}

# The extensions a file of each type may carry; the first is the canonical one.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    PDF: (".pdf",),
    DOC: (".doc",),
    DOCX: (".docx",),
    XLS: (".xls",),
    XLSX: (".xlsx",),
    PPT: (".ppt",),
    PPTX: (".pptx",),
    ODT: (".odt",),
    ODS: (".ods",),
    ODP: (".odp",),
    PNG: (".png",),
    JPEG: (".jpg", ".jpeg"),
    GIF: (".gif",),
    WEBP: (".webp",),
    ZIP: (".zip",),
    OLE2: (),
}
ZIP_FAMILY = {DOCX, XLSX, PPTX, ODT, ODS, ODP}
OLE2_FAMILY = {DOC, XLS, PPT}
CONTAINER_TYPES = ZIP_FAMILY | OLE2_FAMILY | {ZIP, OLE2}

# Enough leading bytes for every signature below, including an ODF `mimetype`.
HEAD_SIZE = 4096

_OLE2_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_ODF_TYPES = {ODT, ODS, ODP}


def extension(filename: str) -> str:
    """The lower-case extension with its dot, or "" when the name has none."""
    return PurePath(filename).suffix.lower()


def _by_extension(filename: str, family: set[str], container: str) -> str:
    ext = extension(filename)
    for content_type in family:
        if ext in EXTENSIONS[content_type]:
            return content_type
    return container


def sniff_content_type(head: bytes, filename: str) -> str | None:
    """The type the leading bytes prove, or None when they prove no known type.

    For a ZIP or OLE2 container the bytes only prove the family; the name's
    extension then picks the member it claims (`report.docx` -> DOCX), which
    `inspect_container` must confirm from the container's directory. A
    container whose name claims no member sniffs as `ZIP` / `OLE2`.
    """
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(_OLE2_MAGIC):
        return _by_extension(filename, OLE2_FAMILY, OLE2)
    if head.startswith(b"PK\x03\x04"):
        # ODF stores an uncompressed `mimetype` entry first (the ODF packaging rules).
        name_len = struct.unpack_from("<H", head, 26)[0] if len(head) >= 30 else 0
        if head[30 : 30 + name_len] == b"mimetype":
            declared = head[30 + name_len : 30 + name_len + 60]
            for content_type in _ODF_TYPES:
                if declared.startswith(content_type.encode()):
                    return content_type
        return _by_extension(filename, ZIP_FAMILY - _ODF_TYPES, ZIP)
    return None


def inspect_container(file: BinaryIO) -> str | None:
    """The member type a ZIP or OLE2 file really is, from its directory; None otherwise.

    Reads only the directory (ZIP central directory, OLE2 directory chain), never
    decompresses content, so memory stays small whatever the file holds.
    A macro-enabled Office file (one with a `vbaProject.bin`) is not a plain
    document and yields None.
    """
    file.seek(0)
    magic = file.read(8)
    file.seek(0)
    if magic.startswith(b"PK\x03\x04"):
        return _zip_member_type(file)
    if magic == _OLE2_MAGIC:
        return _ole2_member_type(file)
    return None


def _zip_member_type(file: BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(file) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                with archive.open("mimetype") as entry:
                    declared = entry.read(100).decode("ascii", "replace").strip()
                return declared if declared in _ODF_TYPES else None
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return None
    if "[Content_Types].xml" not in names or any(
        n.lower().endswith("vbaproject.bin") for n in names
    ):
        return None
    for prefix, content_type in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
        if any(n.startswith(prefix) for n in names):
            return content_type
    return None


# OLE2 (MS-CFB) constants: sector numbers with a special meaning.
_END_OF_CHAIN = 0xFFFFFFFE
_MAX_REGULAR_SECTOR = 0xFFFFFFFA
_OLE2_STREAMS = {"WordDocument": DOC, "Workbook": XLS, "Book": XLS, "PowerPoint Document": PPT}


def _ole2_member_type(file: BinaryIO) -> str | None:
    """Walk the compound file's directory chain looking for the main stream's name.

    Word keeps its text in a `WordDocument` stream, Excel in `Workbook` (or
    `Book` before 97), PowerPoint in `PowerPoint Document`; an MSI installer or
    anything else stored as a compound file has none of them.
    """
    header = file.read(512)
    if len(header) < 512:
        return None
    sector_size = 1 << struct.unpack_from("<H", header, 0x1E)[0]
    if sector_size not in (512, 4096):
        return None
    (first_dir,) = struct.unpack_from("<I", header, 0x30)
    first_difat, difat_count = struct.unpack_from("<II", header, 0x44)
    per_sector = sector_size // 4

    def sector(number: int) -> bytes:
        file.seek((number + 1) * sector_size)
        return file.read(sector_size)

    fat_sectors = list(struct.unpack_from("<109I", header, 0x4C))
    next_difat = first_difat
    for _ in range(min(difat_count, 10_000)):
        if next_difat > _MAX_REGULAR_SECTOR:
            break
        entries = struct.unpack(f"<{per_sector}I", sector(next_difat).ljust(sector_size, b"\xff"))
        fat_sectors.extend(entries[:-1])
        next_difat = entries[-1]
    fat_sectors = [s for s in fat_sectors if s <= _MAX_REGULAR_SECTOR]

    def next_sector(number: int) -> int:
        index, offset = divmod(number, per_sector)
        if index >= len(fat_sectors):
            return _END_OF_CHAIN
        data = sector(fat_sectors[index])
        return (
            struct.unpack_from("<I", data, offset * 4)[0]
            if len(data) == sector_size
            else _END_OF_CHAIN
        )

    seen: set[int] = set()
    current = first_dir
    while current <= _MAX_REGULAR_SECTOR and current not in seen and len(seen) < 10_000:
        seen.add(current)
        data = sector(current)
        for start in range(0, len(data) - 127, 128):
            entry = data[start : start + 128]
            name_bytes = struct.unpack_from("<H", entry, 0x40)[0]
            name = entry[: max(0, min(name_bytes, 64) - 2)].decode("utf-16-le", "replace")
            if entry[0x42] == 2 and name in _OLE2_STREAMS:  # 2 = stream object
                return _OLE2_STREAMS[name]
        current = next_sector(current)
    return None
