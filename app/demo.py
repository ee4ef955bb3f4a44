"""Demo data for `make run`: one user of each role, organisations, and sample initiatives.

Everything goes through the domain services, so the demo exercises the same
rules as real use. The printed logins are for a local demo only.
"""

from __future__ import annotations

from sqlmodel import Session, select

from app.accounts import service as accounts
from app.accounts.models import Organisation, OrganisationType, Role, User
from app.config import get_settings

DEMO_PASSWORD = "demo-sangkien-2026"

ORGANISATIONS = [
    ("Đại học Bách khoa Hà Nội", OrganisationType.university, "Hà Nội"),
    ("Viện Năng lượng Việt Nam", OrganisationType.research_institute, "Hà Nội"),
    ("Công ty CP Công nghệ Nông nghiệp Xanh", OrganisationType.enterprise, "Đà Nẵng"),
    ("Bộ Khoa học và Công nghệ", OrganisationType.state_agency, "Hà Nội"),
    ("Quỹ Đầu tư Đổi mới Sáng tạo Mekong", OrganisationType.investment_fund, "TP. Hồ Chí Minh"),
    ("Trung tâm Sở hữu trí tuệ và Chuyển giao công nghệ", OrganisationType.intermediary, "Đà Nẵng"),
]

USERS = [
    ("admin@sangkien.local", "Quản trị viên Hệ thống", (Role.admin, Role.coordinator), 3, [], []),
    ("dieuphoi@sangkien.local", "Trần Thị Điều Phối", (Role.coordinator,), 3, [], []),
    ("nhakhoahoc@sangkien.local", "Nguyễn Văn Khoa", (Role.submitter,), 0, [], []),
    ("tacgia@sangkien.local", "Lê Thị Đồng Tác Giả", (Role.submitter,), 1, [], []),
    (
        "chuyengia1@sangkien.local",
        "PGS.TS. Phạm Minh Chuyên",
        (Role.reviewer,),
        1,
        ["năng lượng", "điện mặt trời", "lưới điện thông minh", "vật liệu"],
        ["industry_energy", "industry_materials"],
    ),
    (
        "chuyengia2@sangkien.local",
        "TS. Hoàng Gia Thẩm",
        (Role.reviewer,),
        1,
        ["trí tuệ nhân tạo", "dữ liệu lớn", "nông nghiệp thông minh", "IoT"],
        ["digital_ai", "digital_iot_blockchain"],
    ),
    (
        "chuyengia3@sangkien.local",
        "TS. Vũ Thị Định",
        (Role.reviewer,),
        4,
        ["logistics", "giao thông", "giáo dục", "nông sản"],
        ["transport_logistics_supply", "society_education"],
    ),
    ("doanhnghiep@sangkien.local", "Đỗ Văn Doanh", (Role.enterprise,), 2, [], []),
    ("nhadautu@sangkien.local", "Bùi Thị Đầu Tư", (Role.investor,), 4, [], []),
    ("trunggian@sangkien.local", "Ngô Văn Trung", (Role.intermediary,), 5, [], []),
]


def _organisations(session: Session) -> list[Organisation]:
    orgs = []
    for name, kind, province in ORGANISATIONS:
        org = session.exec(select(Organisation).where(Organisation.name == name)).first()
        if org is None:
            org = Organisation(name=name, type=kind, province=province)
            session.add(org)
        orgs.append(org)
    session.flush()
    return orgs


def _users(session: Session, orgs: list[Organisation]) -> dict[str, User]:
    users = {}
    for email, name, roles, org_index, keywords, fields in USERS:
        user = accounts.get_by_email(session, email) or accounts.create_user(
            session,
            email=email,
            full_name=name,
            password=DEMO_PASSWORD,
            roles=roles,
            verified=True,
            organisation_id=orgs[org_index].id,
            province=orgs[org_index].province,
            expertise_keywords=keywords,
            expertise_fields=fields,
        )
        users[email] = user
    return users


def load_demo(session: Session, *, only_if_empty: bool = False) -> list[str]:
    """Load the demo; return the lines to print (the logins)."""
    if only_if_empty and session.exec(select(User)).first() is not None:
        return ["demo data already loaded; logins below"] + _login_lines()
    orgs = _organisations(session)
    users = _users(session, orgs)
    from app import demo_content
    from app.accounts import demo as accounts_demo

    accounts_demo.load(session, users, DEMO_PASSWORD)

    demo_content.load(session, users, orgs)
    from app.problems import demo as problems_demo

    problems_demo.load(session, users, DEMO_PASSWORD)
    from app.exchange import demo as exchange_demo

    exchange_demo.load(session, users)
    from app.reports import demo as reports_demo

    reports_demo.load(session, users)
    from app.matching import demo as matching_demo

    matching_demo.load(session)
    from app.partners import demo as partners_demo

    partners_demo.load(session, users)
    return ["demo data loaded"] + _login_lines()


def _login_lines() -> list[str]:
    lines = ["", f"Demo logins (password for all: {DEMO_PASSWORD}):"]
    for email, name, roles, *_ in USERS:
        lines.append(f"  {email:<28} {', '.join(r.value for r in roles):<22} {name}")
    lines.append(f"  {'sokhcn@sangkien.local':<28} {'agency':<22} Lương Thị Sở")
    from app.partners import demo as partners_demo

    lines += partners_demo.login_lines()
    lines.append(_open_line())
    return lines


def _open_line() -> str:
    """Where to open the portal: the configured BASE_URL, and the dev mailbox when it is served."""
    settings = get_settings()
    base = settings.base_url.rstrip("/")
    if settings.smtp_host or settings.is_production:
        return f"Open {base}"
    return f"Open {base} — mails appear at {base}/dev/mailbox"
