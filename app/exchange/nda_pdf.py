"""The PDF copy of an accepted NDA: the exact text and the record of the electronic act.

fpdf2 with DejaVu Sans (Debian's fonts-dejavu-core) so Vietnamese diacritics
render. The copy carries who accepted, for which organisation and side, when,
from which address, the template version and the SHA-256 of the exact text —
anyone can recompute the hash from the text printed above it.
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from app.exchange.models import Deal, NdaAcceptance, NdaTemplate

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")


def _labels(language: str) -> dict[str, str]:
    # The PDF follows the language of the NDA text, not the reader's interface language.
    if language == "vi":
        return {
            "record": "Ghi nhận chấp nhận điện tử",
            "deal": "Giao dịch số",
            "initiative": "Sáng kiến",
            "name": "Họ tên",
            "organisation": "Tổ chức",
            "side": "Bên",
            "time": "Thời điểm (UTC)",
            "address": "Địa chỉ mạng",
            "version": "Phiên bản mẫu",
            "hash": "SHA-256 của văn bản",
            "initiative_side": "Bên có sáng kiến",
            "counterparty": "Bên đối tác",
        }
    return {
        "record": "Record of electronic acceptance",
        "deal": "Deal number",
        "initiative": "Initiative",
        "name": "Name",
        "organisation": "Organisation",
        "side": "Side",
        "time": "Time (UTC)",
        "address": "Network address",
        "version": "Template version",
        "hash": "SHA-256 of the text",
        "initiative_side": "Initiative's side",
        "counterparty": "Counterparty",
    }


def render(
    deal: Deal, initiative_title: str, template: NdaTemplate, acceptances: list[NdaAcceptance]
) -> bytes:
    """The NDA's text followed by every recorded acceptance of it in this deal."""
    labels = _labels(template.language)
    pdf = FPDF(format="A4")
    pdf.set_title(template.title)
    pdf.set_creator("sangkien-portal")
    pdf.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(0, 7, template.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    pdf.multi_cell(
        0,
        5,
        f"{labels['deal']}: {deal.id} — {labels['initiative']}: {initiative_title}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 10)
    pdf.multi_cell(0, 5, template.body, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(0, 6, labels["record"], new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 9)
    for acceptance in acceptances:
        side = labels["initiative_side" if acceptance.side == "initiative" else "counterparty"]
        rows = [
            (labels["side"], side),
            (labels["name"], acceptance.full_name),
            (labels["organisation"], acceptance.organisation_name or "—"),
            (labels["time"], acceptance.accepted_at.strftime("%Y-%m-%d %H:%M:%S")),
            (labels["address"], acceptance.address or "—"),
            (labels["version"], f"{acceptance.language}-{acceptance.template_version}"),
            (labels["hash"], acceptance.text_sha256),
        ]
        for label, value in rows:
            pdf.multi_cell(0, 5, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    return bytes(pdf.output())
