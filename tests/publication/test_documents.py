"""Receipt and certificate as PDFs with a QR code to the verification page; unknown or malformed
certificate numbers answered on the form (issue 10 §7)."""

from __future__ import annotations

from sqlmodel import select

from app.accounts.models import Role
from app.initiatives.workflow import Status
from app.publication.models import Certificate
from tests import factories, process
from tests.conftest import web_login
from tests.initiatives import helpers as initiatives


def _published(session):
    author = factories.user(session, Role.submitter, email="tacgia@vien.vn")
    boss = factories.user(session, Role.coordinator)
    item = initiatives.initiative(session, author, title="Máy sấy nông sản đa năng")
    process.walk(session, item, Status.published, submitter=author, coordinator=boss)
    item.receipt_code, item.fingerprint = "SK-2026-000001", "ab" * 32
    session.add(item)
    session.commit()
    return author, item, session.exec(select(Certificate)).one()


def test_the_certificate_pdf_carries_its_number_and_a_qr_code(client, session):
    _author, _item, certificate = _published(session)
    answer = client.get(f"/certificates/{certificate.number}/pdf")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF-")
    assert b"/Subtype /Image" in answer.content  # the QR code
    assert b"DejaVu" in answer.content  # a font with every Vietnamese letter, embedded
    assert (
        f'href="/certificates/{certificate.number}/pdf"'
        in client.get(f"/certificates/{certificate.number}").text
    )


def test_the_receipt_pdf_is_for_the_authors(client, session):
    author, item, _certificate = _published(session)
    anonymous = client.get(f"/initiatives/{item.id}/receipt.pdf", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith(
        "/account/login"
    )
    web_login(client, author.email)
    answer = client.get(f"/initiatives/{item.id}/receipt.pdf")
    assert answer.status_code == 200 and answer.content.startswith(b"%PDF-")
    assert answer.headers["content-disposition"] == 'attachment; filename="SK-2026-000001.pdf"'


def test_unknown_and_malformed_certificate_numbers_are_answered_on_the_form(client, session):
    malformed = client.get("/certificates?number=abc")
    assert malformed.status_code == 400
    assert "Số giấy chứng nhận có dạng CN-2026-000001." in malformed.text
    assert 'name="number"' in malformed.text and 'value="abc"' in malformed.text
    unknown = client.get("/certificates/CN-2026-999999")
    assert unknown.status_code == 404
    assert "Không có giấy chứng nhận nào được cấp với số này." in unknown.text
    assert 'name="number"' in unknown.text
