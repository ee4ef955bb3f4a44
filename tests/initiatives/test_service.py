"""Submission: completeness, receipt, fingerprint, duplicates, versions."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from app.catalogue import indexing
from app.db import make_engine
from app.errors import Conflict, ValidationFailed
from app.i18n import use_language
from app.initiatives import content, receipts, service, workflow
from app.initiatives.models import InitiativeVersion
from app.initiatives.schemas import DraftIn
from app.initiatives.workflow import Status
from app.migrate import upgrade
from tests.initiatives import helpers


def test_a_draft_is_saved_with_any_subset_of_sections(session):
    cast = helpers.cast(session)
    item = service.create_draft(session, cast.submitter, DraftIn(title="Chỉ có tiêu đề"))
    service.update_draft(session, cast.submitter, item, DraftIn(summary="Tóm tắt"))
    session.commit()
    assert (item.status, item.title, item.summary, item.problem) == (
        "draft",
        "Chỉ có tiêu đề",
        "Tóm tắt",
        "",
    )
    assert [(c.full_name, c.share_percent, c.is_submitter) for c in item.coauthors] == [
        (cast.submitter.full_name, 100, True)
    ]


def test_submitting_an_incomplete_draft_names_each_missing_field_in_vietnamese(session):
    cast = helpers.cast(session)
    item = service.create_draft(session, cast.submitter, DraftIn(title="Tiêu đề", trl=3))
    with use_language("vi"), pytest.raises(ValidationFailed) as refused:
        service.submit(session, cast.submitter, item)
    assert refused.value.errors == {
        "summary": "Nhập phần tóm tắt công khai.",
        "problem": "Mô tả vấn đề mà sáng kiến giải quyết.",
        "solution": "Mô tả giải pháp và chi tiết kỹ thuật.",
        "novelty": "Nêu điểm mới và tính sáng tạo.",
        "feasibility": "Mô tả tính khả thi và lộ trình thực hiện.",
        "impact": "Mô tả tác động và khả năng lan tỏa dự kiến.",
        "field_id": "Chọn lĩnh vực.",
        "keywords": "Nhập ít nhất một từ khóa.",
        "province": "Chọn tỉnh, thành phố.",
    }


def test_shares_that_do_not_add_up_to_100_are_refused(session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter, coauthor=cast.coauthor)
    service.update_draft(session, cast.submitter, item, DraftIn(submitter_share=50))
    with use_language("vi"), pytest.raises(ValidationFailed) as refused:
        service.submit(session, cast.submitter, item)
    assert refused.value.errors == {"coauthors": "Tổng tỷ lệ đóng góp là 90%; tổng phải bằng 100%."}


def test_submission_issues_a_receipt_code_fingerprint_and_first_version(session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    service.submit(session, cast.submitter, item)
    session.commit()
    assert re.fullmatch(r"SK-\d{4}-000001", item.receipt_code)
    assert item.status == Status.submitted and item.submitted_at is not None
    version = session.exec(
        select(InitiativeVersion).where(InitiativeVersion.initiative_id == item.id)
    ).one()
    assert (version.number, version.fingerprint, item.fingerprint) == (
        1,
        content.fingerprint(item),
        version.fingerprint,
    )


def test_receipt_numbers_count_up_per_year(session):
    cast = helpers.cast(session)
    codes = []
    for n in range(3):
        item = helpers.initiative(
            session,
            cast.submitter,
            title=f"Sáng kiến số {n} về năng lượng mặt trời",
            summary=f"Tóm tắt khác nhau {n}",
        )
        service.submit(session, cast.submitter, item)
        codes.append(item.receipt_code[-6:])
    assert codes == ["000001", "000002", "000003"]
    assert receipts.next_code(session, 1999) == "SK-1999-000001"


def test_the_fingerprint_ignores_unicode_form_and_line_ends(session):
    cast = helpers.cast(session)
    composed = helpers.initiative(session, cast.submitter, summary="Sạt lở\r\nđất")
    decomposed = helpers.initiative(
        session, cast.submitter, summary="Sa\u0323t lo\u031b\u0309\nđất"
    )
    assert content.fingerprint(composed) == content.fingerprint(decomposed)


def test_identical_content_of_another_initiative_is_refused(session):
    cast = helpers.cast(session)
    first = helpers.initiative(session, cast.submitter)
    service.submit(session, cast.submitter, first)
    session.commit()
    copy = helpers.initiative(session, cast.submitter)
    with pytest.raises(Conflict) as refused:
        service.submit(session, cast.submitter, copy)
    assert refused.value.code == "duplicate"


def test_a_similar_published_initiative_of_someone_else_must_be_confirmed(session):
    cast = helpers.cast(session)
    published = helpers.initiative(session, cast.other, status=Status.published)
    mine = helpers.initiative(
        session,
        cast.submitter,
        title=published.title + " cải tiến",
        solution="Một giải pháp kỹ thuật khác hẳn.",
    )
    # Candidates come from the search index, never a scan: unindexed, nothing is found.
    assert service.near_duplicates(session, mine) == []
    indexing.sync(session, published.id)
    with pytest.raises(Conflict) as warned:
        service.submit(session, cast.submitter, mine)
    assert (warned.value.code, warned.value.extra) == (
        "near-duplicate",
        {"similar": [{"id": published.id, "title": published.title}]},
    )
    session.rollback()
    service.submit(session, cast.submitter, mine, confirm_similar=True)
    assert mine.status == Status.submitted


def test_resubmission_after_revision_keeps_the_code_and_adds_a_version(session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    service.submit(session, cast.submitter, item)
    code = item.receipt_code
    service.start_screening(session, cast.coordinator, item)
    service.return_for_revision(session, cast.coordinator, item, "Bổ sung số liệu thử nghiệm.")
    service.update_draft(
        session, cast.submitter, item, DraftIn(feasibility="Thử nghiệm 24 tháng tại 3 tỉnh.")
    )
    service.submit(session, cast.submitter, item)
    session.commit()
    assert (item.receipt_code, item.status) == (code, Status.submitted)
    assert service.compare(session, cast.submitter, item, 1, 2) == [
        {
            "field": "feasibility",
            "old": helpers.CONTENT["feasibility"],
            "new": "Thử nghiệm 24 tháng tại 3 tỉnh.",
        }
    ]


def test_receipt_lookup_confirms_the_original_fingerprint_and_refuses_altered_content(session):
    cast = helpers.cast(session)
    item = helpers.initiative(session, cast.submitter)
    service.submit(session, cast.submitter, item)
    original = item.fingerprint
    altered = content.canonical_content(item) | {"summary": "Nội dung đã bị sửa"}
    assert receipts.lookup(session, item.receipt_code, original)["fingerprint_matches"] is True
    assert (
        receipts.lookup(session, item.receipt_code, content.fingerprint_of(altered))[
            "fingerprint_matches"
        ]
        is False
    )
    assert set(receipts.lookup(session, item.receipt_code)) == {
        "receipt_code",
        "status",
        "submitted_at",
        "stage_entered_at",
        "fingerprint_matches",
        "matched_version",
        "clock",
        "forwarded_from",
    }


def test_a_co_author_with_an_account_is_linked_by_email_and_may_edit(session):
    cast = helpers.cast(session)
    item = service.create_draft(
        session,
        cast.submitter,
        DraftIn(
            submitter_share=70,
            coauthors=[
                {
                    "full_name": "Lê Văn Cường",
                    "email": cast.coauthor.email.upper(),
                    "share_percent": 30,
                }
            ],
        ),
    )
    session.commit()
    assert item.coauthors[1].user_id == cast.coauthor.id
    service.update_draft(session, cast.coauthor, item, DraftIn(title="Do đồng tác giả sửa"))
    assert item.title == "Do đồng tác giả sửa"


def test_bulk_start_screening_moves_what_it_can_and_names_the_rest(session):
    cast = helpers.cast(session)
    ready = helpers.initiative(session, cast.submitter, status=Status.submitted)
    draft = helpers.initiative(session, cast.submitter)
    done, refused = service.bulk_start_screening(
        session, cast.coordinator, [ready.id, draft.id, 999]
    )
    assert done == [ready.id] and sorted(refused) == [draft.id, 999]
    assert workflow.Status(ready.status) == Status.screening


def test_on_postgresql_a_receipt_number_never_waits_for_another_submission_to_commit(
    postgres_url,
):
    """Row locking is what is under test, so this one runs on PostgreSQL only, in its own
    database. Taken in the submission's own transaction, the year's counter row stayed
    locked until that submission committed, and 30 concurrent submitters queued for seconds."""
    from tests.fixtures.postgres import create_database

    url = create_database(postgres_url, "portal_receipt_numbers")
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as first, Session(engine) as second:
        for open_transaction in (first, second):
            open_transaction.execute(text("SET lock_timeout = '2s'"))
        taken_first = receipts.next_code(first, 2031)  # `first` stays uncommitted
        taken_second = receipts.next_code(second, 2031)  # before: LockNotAvailable after 2 s
        second.commit()
        first.rollback()
    assert (taken_first, taken_second) == ("SK-2031-000001", "SK-2031-000002")

    barrier = threading.Barrier(12)

    def take(_: int) -> str:
        with Session(engine) as own:
            barrier.wait()
            return receipts.next_code(own, 2031)

    with ThreadPoolExecutor(12) as pool:
        taken = list(pool.map(take, range(12)))
    assert sorted(taken) == [f"SK-2031-{n:06d}" for n in range(3, 15)]
    engine.dispose()
