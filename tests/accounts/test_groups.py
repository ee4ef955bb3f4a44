"""User groups: registration asks who the person is; roles come with verification or approval."""

from __future__ import annotations

import pytest
from sqlmodel import select

from app.accounts import groups, links, service
from app.accounts.models import Role, RoleGrant, RoleRequest, UserGroup
from app.errors import PermissionDenied
from tests import factories
from tests.conftest import PASSWORD, csrf_of, web_login


def _register(client, email: str, **extra) -> None:
    page = client.get("/account/register")
    assert 'name="user_group" value="enterprise"' in page.text
    answer = client.post(
        "/account/register",
        follow_redirects=False,
        data={
            "csrf_token": csrf_of(page.text),
            "full_name": "Đỗ Văn Doanh",
            "email": email,
            "password": PASSWORD,
            "province": "Hà Nội",
            "organisation_mode": "none",
            "language": "vi",
            **extra,
        },
    )
    assert answer.status_code == 303, answer.text[:800]


@pytest.mark.parametrize(
    "group", [UserGroup.enterprise, UserGroup.investor, UserGroup.intermediary, UserGroup.agency]
)
def test_a_self_service_group_gets_its_role_when_the_address_is_verified(client, session, group):
    _register(client, "dn@congty.vn", user_group=group.value)
    user = service.get_by_email(session, "dn@congty.vn")
    assert user.roles == set()  # not before the address is proven
    token = links.make_link_token(user, "verify")
    service.verify_email(session, token)
    session.commit()
    session.refresh(user, ["grants"])
    role = {"enterprise": Role.enterprise, "investor": Role.investor}.get(group, Role(group.value))
    assert user.roles == {role}
    grant = session.exec(select(RoleGrant).where(RoleGrant.user_id == user.id)).one()
    assert (grant.role, grant.granted_by_id) == (role, None)
    assert session.exec(select(RoleRequest.status)).all() == ["granted"]


def test_a_scientist_is_a_submitter_and_a_reviewer_request_waits_for_a_coordinator(client, session):
    _register(
        client,
        "nkh@vien.vn",
        user_group="scientist",
        wants_review="1",
        review_note="Tiến sĩ điện tử, 15 năm về lưới điện thông minh",
    )
    user = service.get_by_email(session, "nkh@vien.vn")
    service.verify_email(session, links.make_link_token(user, "verify"))
    session.commit()
    session.refresh(user, ["grants"])
    assert user.roles == {Role.submitter}
    boss = factories.user(session, Role.coordinator, email="dp@bo.gov.vn")
    web_login(client, boss.email)
    page = client.get("/coordinator/reviewer-requests")
    assert "Tiến sĩ điện tử, 15 năm về lưới điện thông minh" in page.text
    [(request, _person)] = groups.pending_reviewer_requests(session)
    client.post(
        f"/coordinator/reviewer-requests/{request.id}",
        data={"csrf_token": csrf_of(page.text), "decision": "grant"},
    )
    session.expire_all()
    assert service.get_by_email(session, "nkh@vien.vn").roles == {Role.submitter, Role.reviewer}
    grant = session.exec(
        select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.role == Role.reviewer)
    ).one()
    assert grant.granted_by_id == boss.id


def test_a_reviewer_request_without_expertise_is_refused_on_the_form(client, session):
    page = client.get("/account/register")
    answer = client.post(
        "/account/register",
        data={
            "csrf_token": csrf_of(page.text),
            "full_name": "Ai Đó",
            "email": "ai@do.vn",
            "password": PASSWORD,
            "province": "Hà Nội",
            "organisation_mode": "none",
            "user_group": "scientist",
            "wants_review": "1",
            "review_note": " ",
        },
    )
    assert answer.status_code == 400 and 'id="e-review_note"' in answer.text
    assert service.get_by_email(session, "ai@do.vn") is None


def test_coordinator_and_admin_cannot_be_requested(session):
    user = factories.user(session, Role.enterprise)
    for role in (Role.coordinator, Role.admin):
        with pytest.raises(PermissionDenied):
            groups.request_role(session, user, role)


def test_a_verified_user_joins_another_group_from_the_profile(client, session):
    user = factories.user(session, Role.submitter, email="tg@vien.vn")
    web_login(client, user.email)
    page = client.get("/account/profile")
    assert '<option value="investor"' in page.text and '<option value="scientist"' not in page.text
    client.post("/account/roles", data={"csrf_token": csrf_of(page.text), "user_group": "investor"})
    session.expire_all()
    assert service.get_by_email(session, user.email).roles == {Role.submitter, Role.investor}
