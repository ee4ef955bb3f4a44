"""Organisation membership must be earned: declaring an organisation grants nothing."""

from __future__ import annotations

from sqlmodel import select

from app.accounts import memberships
from app.accounts.models import Membership, Organisation, OrganisationType, Role, User
from app.accounts.permissions import acts_for
from app.webhooks import service as webhooks
from app.webhooks.schemas import EndpointForm
from tests import factories
from tests.conftest import PASSWORD, api_token, csrf_of, web_login


def _fund(session) -> tuple[Organisation, User, int]:
    from app.config import get_settings

    get_settings().webhooks_allow_private = True
    org = factories.organisation(
        session, name="Quỹ Đầu tư Sáng tạo", type=OrganisationType.investment_fund
    )
    owner = factories.user(session, Role.investor, organisation_id=org.id, member="manager")
    endpoint, _secret = webhooks.register_endpoint(
        session,
        owner,
        org,
        EndpointForm(url="http://127.0.0.1:9/crm-hook", event_types=["initiative.published"]),
    )
    session.commit()
    assert endpoint.id is not None
    return org, owner, endpoint.id


def _reloaded(session, user: User) -> User:
    session.expire_all()
    found = session.get(User, user.id)
    assert found is not None
    return found


def test_patching_my_organisation_only_requests_membership_and_grants_no_webhook_power(
    client, session
):
    org, _owner, endpoint_id = _fund(session)
    attacker = factories.user(session, Role.investor, email="attacker@example.vn")
    headers = api_token(client, attacker.email)
    changed = client.patch("/api/v1/me", json={"organisation_id": org.id}, headers=headers)
    assert changed.status_code == 200
    assert changed.json()["organisation_id"] == org.id
    assert changed.json()["organisation_membership"] == "requested"
    assert not acts_for(_reloaded(session, attacker), org.id)
    web_login(client, attacker.email)
    assert client.get(f"/webhooks/{endpoint_id}").status_code in (403, 404)
    page = client.get("/webhooks")
    assert "crm-hook" not in page.text
    secret = client.post(
        f"/webhooks/{endpoint_id}/secret",
        data={"csrf_token": csrf_of(client.get("/account/profile").text)},
    )
    assert secret.status_code in (403, 404)


def test_choosing_an_organisation_in_the_profile_form_only_requests_membership(client, session):
    org, _owner, endpoint_id = _fund(session)
    attacker = factories.user(
        session, Role.investor, email="attacker@example.vn", province="Hà Nội"
    )
    web_login(client, attacker.email)
    page = client.get("/account/profile")
    saved = client.post(
        "/account/profile",
        data={
            "csrf_token": csrf_of(page.text),
            "full_name": attacker.full_name,
            "province": "Hà Nội",
            "language": "vi",
            "organisation_mode": "existing",
            "organisation_id": str(org.id),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert not acts_for(_reloaded(session, attacker), org.id)
    assert client.get(f"/webhooks/{endpoint_id}").status_code in (403, 404)
    assert "Đang chờ duyệt" in client.get("/account/profile").text
    # A new organisation under the same name (any case) is the same one: a request again.
    page = client.get("/account/profile")
    client.post(
        "/account/profile",
        data={
            "csrf_token": csrf_of(page.text),
            "full_name": attacker.full_name,
            "province": "Hà Nội",
            "language": "vi",
            "organisation_mode": "new",
            "org_name": "quỹ đầu tư  sáng tạo",
            "org_type": "investment_fund",
        },
    )
    assert not acts_for(_reloaded(session, attacker), org.id)


def test_a_manager_approves_and_removes_members_others_cannot(client, session):
    org, owner, endpoint_id = _fund(session)
    joiner = factories.user(session, Role.investor, organisation_id=org.id, member="requested")
    outsider = factories.user(session, Role.investor)
    boss = factories.user(session, Role.coordinator)
    row = memberships.get(session, org.id, joiner.id)
    assert row is not None and row.state == "requested"
    # Neither a stranger nor a coordinator decides for an organisation that has a manager.
    for person in (outsider, boss, joiner):
        refused = client.post(
            f"/api/v1/memberships/{row.id}/approve", headers=api_token(client, person.email)
        )
        assert refused.status_code == 403
    assert client.get("/api/v1/memberships", headers=api_token(client, outsider.email)).json() == []
    manager = api_token(client, owner.email)
    listed = client.get("/api/v1/memberships", headers=manager).json()
    assert [(m["user_id"], m["state"]) for m in listed] == [
        (owner.id, "approved"),
        (joiner.id, "requested"),
    ]
    approved = client.post(f"/api/v1/memberships/{row.id}/approve", headers=manager)
    assert approved.status_code == 200 and approved.json()["state"] == "approved"
    assert acts_for(_reloaded(session, joiner), org.id)
    web_login(client, joiner.email)
    assert client.get(f"/webhooks/{endpoint_id}").status_code == 200
    again = client.post(f"/api/v1/memberships/{row.id}/approve", headers=manager)
    assert again.status_code == 409
    removed = client.post(f"/api/v1/memberships/{row.id}/remove", headers=manager)
    assert removed.json()["state"] == "removed"
    assert not acts_for(_reloaded(session, joiner), org.id)
    assert client.get(f"/webhooks/{endpoint_id}").status_code in (403, 404)


def test_a_coordinator_decides_for_an_organisation_without_a_manager_on_the_page(client, session):
    org = factories.organisation(
        session, name="Công ty Cổ phần Nông nghiệp Xanh", type=OrganisationType.enterprise
    )
    joiner = factories.user(
        session,
        Role.enterprise,
        organisation_id=org.id,
        member="requested",
        full_name="Lê Doanh Nghiệp",
    )
    boss = factories.user(session, Role.coordinator)
    web_login(client, boss.email)
    page = client.get("/account/memberships")
    assert page.status_code == 200 and "Lê Doanh Nghiệp" in page.text
    row = memberships.get(session, org.id, joiner.id)
    assert row is not None
    done = client.post(
        f"/account/memberships/{row.id}/approve",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert acts_for(_reloaded(session, joiner), org.id)


def test_the_first_to_register_an_organisation_manages_it_the_next_only_requests(client, session):
    def register(email: str, name: str, tax_code: str):
        page = client.get("/account/register")
        return client.post(
            "/account/register",
            data={
                "csrf_token": csrf_of(page.text),
                "full_name": "Phạm Sáng Lập",
                "email": email,
                "password": PASSWORD,
                "province": "Hà Nội",
                "language": "vi",
                "organisation_mode": "new",
                "org_name": name,
                "org_type": "enterprise",
                "org_tax_code": tax_code,
            },
            follow_redirects=False,
        )

    assert register("founder@example.vn", "Công ty TNHH Cầu Nối", "0101234567").status_code == 303
    # Another name, the same tax code: the same organisation, so only a request.
    assert register("second@example.vn", "Cau Noi Co., Ltd", "0101 234 567").status_code == 303
    orgs = list(session.exec(select(Organisation)))
    assert [(o.name, o.tax_code) for o in orgs] == [("Công ty TNHH Cầu Nối", "0101234567")]
    rows = {
        m.user_id: (m.state, m.is_manager)
        for m in session.exec(select(Membership).where(Membership.organisation_id == orgs[0].id))
    }
    founder = session.exec(select(User).where(User.email == "founder@example.vn")).one()
    second = session.exec(select(User).where(User.email == "second@example.vn")).one()
    assert rows == {founder.id: ("approved", True), second.id: ("requested", False)}
    bad = register("third@example.vn", "Công ty Khác", "12345")
    assert bad.status_code == 400 and "mã số thuế" in bad.text.lower()


def test_an_organisation_created_through_the_api_is_deduplicated_on_its_tax_code(client, session):
    person = factories.user(session, Role.enterprise)
    headers = api_token(client, person.email)
    first = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={"name": "Viện A", "type": "research_institute", "tax_code": "0309876543-001"},
    )
    second = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={"name": "Viện B", "type": "university", "tax_code": "0309876543-001"},
    )
    assert first.status_code == second.status_code == 201
    assert (
        first.json()["id"] == second.json()["id"] and first.json()["tax_code"] == "0309876543-001"
    )
    junk = client.post(
        "/api/v1/organisations",
        headers=headers,
        json={"name": "Viện C", "type": "university", "tax_code": "abc"},
    )
    assert junk.status_code == 422


def test_changing_organisation_ends_the_previous_membership(session):
    org, owner, _endpoint = _fund(session)
    other = factories.organisation(session, name="Quỹ Khác", type=OrganisationType.investment_fund)
    from app.accounts import service

    service.update_profile(session, owner, {"organisation_id": other.id})
    session.commit()
    owner = _reloaded(session, owner)
    assert not acts_for(owner, org.id) and not acts_for(owner, other.id)
    assert memberships.get(session, org.id, owner.id).state == "removed"  # type: ignore[union-attr]


def test_the_demo_shows_a_manager_and_a_request_waiting_for_them(session):
    from app.demo import load_demo

    load_demo(session)
    session.commit()
    manager = _reloaded(session, factories_get(session, "doanhnghiep@sangkien.local"))
    newcomer = factories_get(session, "thanhvienmoi@sangkien.local")
    assert acts_for(manager, manager.organisation_id)
    assert not acts_for(newcomer, newcomer.organisation_id)
    waiting = [(e.user.email, e.membership.state) for e in memberships.decidable(session, manager)]
    assert ("thanhvienmoi@sangkien.local", "requested") in waiting


def factories_get(session, email: str) -> User:
    return session.exec(select(User).where(User.email == email)).one()
