"""Printable documents as PDF: a titled page of labelled lines and a QR code to verify it online.

fpdf2 writes the PDF; the text is set in DejaVu Sans (Debian's fonts-dejavu-core), which has
every Vietnamese letter; segno draws the QR code (as PNG, placed by fpdf2).
"""

from __future__ import annotations

import io
from pathlib import Path

import segno
from fpdf import FPDF

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def document(
    title: str, lines: list[tuple[str, str]], verify_url: str, verify_hint: str, footer: str = ""
) -> bytes:
    """A one-page A4 PDF: title, "label: value" lines, then the QR code of `verify_url`."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    for label, value in lines:
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(0, 6, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 11)
        pdf.multi_cell(0, 6, value or "—", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    qr = io.BytesIO()
    segno.make(verify_url, error="m").save(qr, kind="png", scale=6, border=2)
    qr.seek(0)
    pdf.ln(4)
    y = pdf.get_y()
    pdf.image(qr, x=pdf.l_margin, y=y, w=40, h=40)
    pdf.set_xy(pdf.l_margin + 45, y + 8)
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(0, 5, f"{verify_hint}\n{verify_url}", new_x="LMARGIN", new_y="NEXT")
    if footer:
        pdf.set_xy(pdf.l_margin, y + 46)
        pdf.set_font("DejaVu", "", 8)
        pdf.multi_cell(0, 4, footer, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
