"""Synthetic but realistic Vietnamese initiative documents for benchmarks.

Built from real Vietnamese science-and-technology phrases, the 34 provinces
and cities (2025 map) and the six fields of the portal, so tokenization,
folding and term statistics resemble the real corpus.  Deterministic for a
given seed; shared by the search-engine and API benchmarks.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

PROVINCES = [
    "Hà Nội",
    "Huế",
    "Lai Châu",
    "Điện Biên",
    "Sơn La",
    "Lạng Sơn",
    "Quảng Ninh",
    "Thanh Hóa",
    "Nghệ An",
    "Hà Tĩnh",
    "Cao Bằng",
    "Tuyên Quang",
    "Lào Cai",
    "Thái Nguyên",
    "Phú Thọ",
    "Bắc Ninh",
    "Hưng Yên",
    "Hải Phòng",
    "Ninh Bình",
    "Quảng Trị",
    "Đà Nẵng",
    "Quảng Ngãi",
    "Gia Lai",
    "Khánh Hòa",
    "Lâm Đồng",
    "Đắk Lắk",
    "Hồ Chí Minh",
    "Đồng Nai",
    "Tây Ninh",
    "Cần Thơ",
    "Vĩnh Long",
    "Đồng Tháp",
    "Cà Mau",
    "An Giang",
]

# code, name, {subfield code: (subfield name, topic phrases)}
FIELDS = {
    "CNXD": (
        "Công nghiệp & xây dựng",
        {
            "CNXD-VL": (
                "Vật liệu xây dựng",
                ["bê tông cường độ cao", "gạch không nung", "vật liệu tái chế", "xi măng xanh"],
            ),
            "CNXD-CK": (
                "Cơ khí chế tạo",
                [
                    "máy công cụ điều khiển số",
                    "robot hàn",
                    "khuôn mẫu chính xác",
                    "dây chuyền tự động",
                ],
            ),
            "CNXD-NL": (
                "Năng lượng",
                [
                    "năng lượng mặt trời",
                    "điện gió ngoài khơi",
                    "lưới điện thông minh",
                    "pin lưu trữ",
                ],
            ),
        },
    ),
    "NNMT": (
        "Nông nghiệp, tài nguyên & môi trường",
        {
            "NNMT-TT": (
                "Trồng trọt",
                [
                    "giống lúa chịu mặn",
                    "nhà kính thông minh",
                    "phân bón hữu cơ vi sinh",
                    "tưới nhỏ giọt",
                ],
            ),
            "NNMT-TS": (
                "Thủy sản",
                [
                    "nuôi tôm tuần hoàn",
                    "thức ăn thủy sản",
                    "kiểm soát dịch bệnh tôm",
                    "lồng bè trên biển",
                ],
            ),
            "NNMT-MT": (
                "Môi trường",
                ["xử lý nước thải", "quan trắc không khí", "chất thải rắn", "viễn thám tài nguyên"],
            ),
        },
    ),
    "GTLG": (
        "Giao thông, bưu chính & logistics",
        {
            "GTLG-DB": (
                "Đường bộ",
                [
                    "mặt đường bền vững",
                    "giám sát cầu",
                    "điều khiển đèn giao thông",
                    "thu phí tự động",
                ],
            ),
            "GTLG-LG": (
                "Logistics",
                [
                    "kho vận thông minh",
                    "tối ưu lộ trình giao hàng",
                    "cảng cạn",
                    "chuỗi cung ứng lạnh",
                ],
            ),
        },
    ),
    "GDYT": (
        "Giáo dục, y tế, văn hoá & xã hội",
        {
            "GDYT-YT": (
                "Y tế",
                [
                    "chẩn đoán hình ảnh",
                    "hồ sơ sức khỏe điện tử",
                    "thiết bị y tế",
                    "y học cổ truyền",
                ],
            ),
            "GDYT-GD": (
                "Giáo dục",
                ["học liệu số", "phòng học thông minh", "đánh giá năng lực", "đào tạo nghề"],
            ),
            "GDYT-VH": (
                "Văn hoá",
                ["số hóa di sản", "bảo tồn làng nghề", "du lịch cộng đồng", "thư viện số"],
            ),
        },
    ),
    "TCNH": (
        "Tài chính, ngân hàng, thương mại & dịch vụ",
        {
            "TCNH-TT": (
                "Thanh toán",
                ["thanh toán không tiền mặt", "ví điện tử", "chấm điểm tín dụng", "ngân hàng số"],
            ),
            "TCNH-TM": (
                "Thương mại",
                ["thương mại điện tử", "truy xuất nguồn gốc", "sàn nông sản", "quản lý bán lẻ"],
            ),
        },
    ),
    "CNS": (
        "Công nghệ số chiến lược",
        {
            "CNS-AI": (
                "Trí tuệ nhân tạo",
                ["trí tuệ nhân tạo", "học sâu", "xử lý ngôn ngữ tiếng Việt", "thị giác máy tính"],
            ),
            "CNS-BD": (
                "Bán dẫn",
                ["thiết kế vi mạch", "chip bán dẫn", "cảm biến", "đóng gói vi mạch"],
            ),
            "CNS-IOT": (
                "Internet vạn vật",
                ["internet vạn vật", "mạng cảm biến không dây", "điện toán biên", "bản sao số"],
            ),
            "CNS-BM": (
                "An toàn thông tin",
                ["mã hóa dữ liệu", "chữ ký số", "giám sát an ninh mạng", "định danh điện tử"],
            ),
        },
    ),
}

ACTIONS = [
    "Giải pháp",
    "Ứng dụng",
    "Nghiên cứu chế tạo",
    "Hệ thống",
    "Quy trình",
    "Mô hình",
    "Nền tảng",
    "Thiết bị",
]
CONTEXTS = [
    "cho doanh nghiệp nhỏ và vừa",
    "tại vùng đồng bằng sông Cửu Long",
    "trong bệnh viện tuyến tỉnh",
    "cho trường học vùng cao",
    "phục vụ chuyển đổi số",
    "tại khu công nghiệp",
    "cho hợp tác xã nông nghiệp",
    "trong đô thị thông minh",
    "ở vùng ven biển",
    "cho cơ quan nhà nước",
]
SENTENCES = [
    "Sáng kiến {topic} giúp giảm chi phí vận hành và nâng cao năng suất lao động.",
    "Giải pháp đã được thử nghiệm tại {province} với kết quả khả quan.",
    "Nhóm tác giả kết hợp {topic} với {topic2} để tăng hiệu quả sử dụng tài nguyên.",
    "Kết quả đánh giá cho thấy mức tiết kiệm năng lượng đạt trên hai mươi phần trăm.",
    "Hệ thống có thể nhân rộng cho các địa phương có điều kiện tương tự.",
    "Quy trình được chuẩn hóa, dễ vận hành và bảo trì bởi cán bộ kỹ thuật địa phương.",
    "Dữ liệu thu thập theo thời gian thực được phân tích để hỗ trợ ra quyết định.",
    "Sản phẩm đáp ứng tiêu chuẩn quốc gia và có khả năng thương mại hóa.",
    "Đề xuất phù hợp định hướng phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số.",
    "Mô hình hợp tác giữa viện nghiên cứu, trường đại học và doanh nghiệp được áp dụng hiệu quả.",
]
ORG_TYPES = [
    "university",
    "institute",
    "enterprise",
    "hospital",
    "agency",
    "cooperative",
    "individual",
]
ORG_PREFIX = {
    "university": "Trường Đại học",
    "institute": "Viện",
    "enterprise": "Công ty",
    "hospital": "Bệnh viện",
    "agency": "Sở Khoa học và Công nghệ",
    "cooperative": "Hợp tác xã",
    "individual": "Nhóm tác giả",
}
IP_STATUSES = ["none", "pending", "patent", "utility_solution", "copyright"]

_START = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp())
_END = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())


def initiatives(n: int, seed: int = 57) -> Iterator[dict[str, Any]]:
    """Yield ``n`` published initiative documents in the search schema."""
    rng = random.Random(seed)
    field_items = list(FIELDS.items())
    for k in range(n):
        field_code, (field_name, subfields) = rng.choice(field_items)
        subfield_code, (subfield_name, topics) = rng.choice(list(subfields.items()))
        topic, topic2 = rng.sample(topics, 2)
        province = rng.choice(PROVINCES)
        org_type = rng.choice(ORG_TYPES)
        published = rng.randrange(_START, _END)
        sentences = [
            s.format(topic=topic, topic2=topic2, province=province)
            for s in rng.sample(SENTENCES, rng.randint(5, 8))
        ]
        yield {
            "id": f"SK-{k:07d}",
            "title": f"{rng.choice(ACTIONS)} {topic} {rng.choice(CONTEXTS)}",
            "summary": " ".join(sentences),
            "keywords": [topic, topic2, subfield_name.lower()],
            "field_code": field_code,
            "field_name": field_name,
            "subfield_code": subfield_code,
            "subfield_name": subfield_name,
            "province": province,
            "organisation": f"{ORG_PREFIX[org_type]} {province} số {rng.randint(1, 40)}",
            "organisation_type": org_type,
            "trl": rng.randint(1, 9),
            "ip_status": rng.choice(IP_STATUSES),
            "published_at": published,
            "publication_year": datetime.fromtimestamp(published, UTC).year,
            "certificate_number": f"{k:06d}/QĐ-SKHCN",
            "version": 1,
        }


def query_words(seed: int = 7) -> list[str]:
    """Single words drawn from the topic vocabulary (accented; fold them for unaccented queries)."""
    rng = random.Random(seed)
    words = sorted(
        {
            w
            for _, subs in FIELDS.values()
            for _, topics in subs.values()
            for t in topics
            for w in t.split()
        }
    )
    rng.shuffle(words)
    return words
