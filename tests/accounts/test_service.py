"""Account verbs: roles and their history, signed links, organisations, profile."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from app.accounts import credentials, links, service, throttle
from app.accounts.models import Organisation, OrganisationType, Role, RoleGrant
from app.db import utcnow
from app.errors import Conflict, NotFound, ValidationFailed
from tests import factories


def test_grant_and_revoke_are_recorded_with_who_and_when(session):
    admin = factories.user(session, Role.admin, full_name="Quản Trị")
    person = factories.user(session)
    before = utcnow()
    service.grant_role(session, person, Role.reviewer, by=admin)
    session.commit()
    assert person.roles == {Role.submitter, Role.reviewer}
    service.revoke_role(session, person, Role.reviewer, by=admin)
    session.commit()
    assert person.roles == {Role.submitter}

    grant = session.exec(
        select(RoleGrant).where(RoleGrant.user_id == person.id, RoleGrant.role == Role.reviewer)
    ).one()
    assert (grant.granted_by_id, grant.revoked_by_id) == (admin.id, admin.id)
    assert before <= grant.granted_at <= grant.revoked_at <= utcnow()

    history = service.role_history(session, person)
    assert [(h["role"], h["granted_by_name"], h["revoked_by_name"]) for h in history] == [
        (Role.reviewer, "Quản Trị", "Quản Trị"),
        (Role.submitter, None, None),
    ]


def test_granting_a_held_role_keeps_the_one_grant(session):
    admin = factories.user(session, Role.admin)
    person = factories.user(session)
    first = service.grant_role(session, person, Role.submitter, by=admin)
    assert first.granted_by_id is None  # the original grant at registration
    assert len(session.exec(select(RoleGrant).where(RoleGrant.user_id == person.id)).all()) == 1


def test_revoking_a_role_not_held_is_not_found(session):
    admin = factories.user(session, Role.admin)
    person = factories.user(session)
    with pytest.raises(NotFound):
        service.revoke_role(session, person, Role.investor, by=admin)


def test_an_admin_cannot_remove_their_own_admin_role(session):
    admin = factories.user(session, Role.admin)
    with pytest.raises(Conflict):
        service.revoke_role(session, admin, Role.admin, by=admin)
    assert admin.roles == {Role.admin}


def test_a_verification_link_expires(session, settings):
    user = factories.user(session, verified=False)
    token = links.make_link_token(user, "verify")
    settings.verification_hours = -1  # every token is now older than the validity
    with pytest.raises(Conflict) as refused:
        service.verify_email(session, token)
    assert refused.value.code == "link-expired"


def test_a_link_for_one_purpose_does_not_serve_another(session):
    user = factories.user(session)
    with pytest.raises(Conflict) as refused:
        service.check_reset_token(session, links.make_link_token(user, "verify"))
    assert refused.value.code == "link-invalid"


def test_a_reset_link_dies_when_the_password_changes(session):
    user = factories.user(session)
    token = links.make_link_token(user, "reset")
    service.change_password(session, user, "Mật-khẩu-đủ-dài-1", "Khác-hẳn-trước-đây-9")
    with pytest.raises(Conflict) as refused:
        service.check_reset_token(session, token)
    assert refused.value.code == "link-used"


def test_changing_the_password_needs_the_current_one_and_bumps_the_auth_version(session):
    user = factories.user(session)
    with pytest.raises(ValidationFailed) as refused:
        service.change_password(session, user, "wrong password", "Khác-hẳn-trước-đây-9")
    assert list(refused.value.errors) == ["current_password"]
    version = user.auth_version
    service.change_password(session, user, "Mật-khẩu-đủ-dài-1", "Khác-hẳn-trước-đây-9")
    assert user.auth_version == version + 1
    assert service.verify_password(user, "Khác-hẳn-trước-đây-9")


def test_the_password_policy_holds_for_every_caller(session):
    with pytest.raises(ValidationFailed) as short:
        service.create_user(session, email="a@example.vn", full_name="A", password="123456789")
    with pytest.raises(ValidationFailed) as same:
        service.create_user(
            session,
            email="long.address@example.vn",
            full_name="A",
            password="Long.Address@example.vn",
        )
    assert (list(short.value.errors), list(same.value.errors)) == (["password"], ["password"])


def test_organisations_are_reused_by_name_and_type(session):
    first = service.find_or_create_organisation(
        session, name="Công ty  Cổ phần FPT", type=OrganisationType.enterprise
    )
    again = service.find_or_create_organisation(
        session, name="công ty cổ phần fpt", type=OrganisationType.enterprise
    )
    other = service.find_or_create_organisation(
        session, name="Công ty Cổ phần FPT", type=OrganisationType.investment_fund
    )
    assert first.id == again.id != other.id
    assert first.name == "Công ty Cổ phần FPT"
    assert [o.id for o in service.search_organisations(session, "FPT")] == [first.id, other.id]


def test_update_profile_refuses_an_unknown_organisation(session):
    user = factories.user(session)
    with pytest.raises(ValidationFailed) as refused:
        service.update_profile(session, user, {"organisation_id": 999})
    assert list(refused.value.errors) == ["organisation_id"]


def test_update_profile_with_a_new_organisation_joins_it(session):
    user = factories.user(session)
    service.update_profile(
        session,
        user,
        {"province": "Huế"},
        new_organisation={
            "name": "Đại học Huế",
            "type": OrganisationType.university,
            "province": "Huế",
        },
    )
    session.commit()
    org = session.exec(select(Organisation)).one()
    assert (user.organisation_id, user.province, org.name) == (org.id, "Huế", "Đại học Huế")


def test_mails_to_one_address_are_limited_per_window(session, settings):
    factories.user(session, email="an@example.vn")
    for _ in range(throttle.MAILS_PER_WINDOW + 2):
        service.request_password_reset(session, "an@example.vn")
    from app.outbox.models import OutboxEvent

    assert len(session.exec(select(OutboxEvent)).all()) == throttle.MAILS_PER_WINDOW


def test_expired_and_revoked_tokens_identify_nobody(session):
    user = factories.user(session)
    access, plain_access = credentials.issue_token(
        session, user, kind="access", lifetime=timedelta(minutes=5)
    )
    pat, plain_pat = credentials.create_personal_token(session, user, "script")
    assert credentials.user_for_token(session, plain_access).id == user.id
    assert credentials.user_for_token(session, plain_pat).id == user.id
    access.expires_at = utcnow() - timedelta(seconds=1)
    credentials.revoke_token(session, user, pat.id)
    assert credentials.user_for_token(session, plain_access) is None
    assert credentials.user_for_token(session, plain_pat) is None
