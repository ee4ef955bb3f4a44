"""Initiative JSON API under /api/v1: the same verbs as the web pages.

Responses carry only what the caller may see (visibility.visible_view omits
the rest); refusals are problem+json: 403 forbidden, 404 for what the caller
may not know exists, 409 `invalid-transition` with `allowed` and `current`,
422 `validation-failed` with per-field `errors` in the caller's language.
"""

from __future__ import annotations

from fastapi import APIRouter, Query, Response

from app.accounts import service as accounts_service
from app.accounts.deps import AdminUser, CoordinatorUser, CurrentUser, OptionalUser
from app.db import SessionDep
from app.errors import PermissionDenied
from app.i18n import _
from app.initiatives import (
    attachments,
    history,
    queries,
    receipts,
    service,
    taxonomy,
    visibility,
    workflow,
)
from app.initiatives import permissions as perms
from app.initiatives.deps import AttachableInitiative, VisibleInitiative
from app.initiatives.downloads import file_response
from app.initiatives.schemas import (
    AccessGrantIn,
    AccessGrantOut,
    AttachmentOut,
    BulkIn,
    DiffOut,
    DraftIn,
    EventOut,
    FieldIn,
    FieldOut,
    FieldUpdate,
    InitiativeOut,
    InitiativeSummary,
    ReceiptOut,
    SubmitIn,
    TransitionIn,
    VerifyOut,
    VersionOut,
    ViewLogOut,
)
from app.storage import StreamedUpload
from app.web.api import PROBLEMS, public

router = APIRouter(tags=["initiatives"])


def _summary(item) -> InitiativeSummary:
    return InitiativeSummary(
        id=item.id,
        title=item.title,
        status=item.status,
        receipt_code=item.receipt_code,
        submitted_at=item.submitted_at,
        stage_entered_at=item.stage_entered_at,
        province=item.province,
        field_id=item.field_id,
        days_in_stage=queries.days_in_stage(item),
    )


# -- drafts and submission -----------------------------------------------------
@router.get("/initiatives", response_model=list[InitiativeSummary], summary="My initiatives")
def list_mine(session: SessionDep, user: CurrentUser):
    """Initiatives the caller submitted or co-authors, newest change first."""
    return [_summary(i) for i in queries.mine(session, user)]


@router.post(
    "/initiatives",
    response_model=InitiativeOut,
    status_code=201,
    responses=PROBLEMS,
    summary="Create a draft",
)
def create(session: SessionDep, user: CurrentUser, body: DraftIn):
    """Save a new draft with any subset of the sections; complete it later and submit."""
    item = service.create_draft(session, user, body)
    return visibility.visible_view(session, user, item, log=False)


@router.get(
    "/initiatives/{initiative_id}",
    response_model=InitiativeOut,
    responses=PROBLEMS,
    summary="Read an initiative",
)
@public
def read(session: SessionDep, user: OptionalUser, item: VisibleInitiative):
    """The sections the caller may see; confidential ones are absent (not empty) for others."""
    return visibility.visible_view(session, user, item)


@router.patch(
    "/initiatives/{initiative_id}",
    response_model=InitiativeOut,
    responses=PROBLEMS,
    summary="Save a draft",
)
def update(session: SessionDep, user: CurrentUser, item: VisibleInitiative, body: DraftIn):
    """Partial save: only the fields sent change. Allowed while draft or returned for revision."""
    service.update_draft(session, user, item, body)
    return visibility.visible_view(session, user, item, log=False)


@router.post(
    "/initiatives/{initiative_id}/submit",
    response_model=InitiativeOut,
    responses=PROBLEMS,
    summary="Submit (or resubmit after revision)",
)
def submit(
    session: SessionDep, user: CurrentUser, item: VisibleInitiative, body: SubmitIn | None = None
):
    """Checks completeness (422 with per-field errors), refuses identical content (409 `duplicate`),
    warns about similar published initiatives (409 `near-duplicate` with `similar`; resend with
    `confirm_similar: true`), then issues the receipt code, fingerprint and receipt mail."""
    service.submit(session, user, item, confirm_similar=bool(body and body.confirm_similar))
    return visibility.visible_view(session, user, item, log=False)


@router.get(
    "/initiatives/{initiative_id}/transitions", response_model=list[str], summary="Moves I may make"
)
@public
def transitions(user: OptionalUser, item: VisibleInitiative):
    """The target statuses the caller may move the initiative to now through this API (the moves
    that need a review round, a decision or the publication service are not listed)."""
    return [str(t.target) for t in workflow.available(user, item)]


@router.post(
    "/initiatives/{initiative_id}/transitions",
    response_model=InitiativeOut,
    responses=PROBLEMS,
    summary="Change the status",
)
def transition(session: SessionDep, user: CurrentUser, item: VisibleInitiative, body: TransitionIn):
    """A move of the state machine that is valid on its own (screening, return or reject at
    screening, withdraw, unpublish …); a reason is required to return, reject, withdraw or
    unpublish. Review, decisions and publication have their own endpoints: asked here they are
    refused with 409 `needs-review-round`, `needs-decision` or `needs-publication`."""
    service.change_status(session, user, item, body.to, body.reason)
    return visibility.visible_view(session, user, item, log=False)


@router.post("/initiatives/bulk/start-screening", summary="Start screening several initiatives")
def bulk_start_screening(session: SessionDep, user: CoordinatorUser, body: BulkIn) -> dict:
    """Coordinators: `{"done": [ids], "refused": {id: reason}}`."""
    done, refused = service.bulk_start_screening(session, user, body.ids)
    return {"done": done, "refused": {str(k): v for k, v in refused.items()}}


# -- history and versions ------------------------------------------------------
def _require_confidential(session, user, item) -> None:
    if not visibility.can_view_confidential(session, user, item):
        raise PermissionDenied(
            _("Only the authors, coordinators and people given access can see this.")
        )


@router.get(
    "/initiatives/{initiative_id}/history",
    response_model=list[EventOut],
    responses=PROBLEMS,
    summary="Status history",
)
@public
def read_history(session: SessionDep, user: OptionalUser, item: VisibleInitiative):
    """Append-only, hash-chained entries: who moved it, from, to, why, when, content fingerprint.
    A reviewer gets `actor_id` and `fingerprint` as null (they would reveal the submitter)."""
    _require_confidential(session, user, item)
    return [EventOut(**e) for e in visibility.visible_history(session, user, item)]


@router.get(
    "/initiatives/{initiative_id}/history/verify",
    response_model=VerifyOut,
    summary="Verify the history",
)
@public
def verify_history(session: SessionDep, item: VisibleInitiative):
    """Recomputes the chain; `first_broken_seq` names the first entry that was altered or removed."""
    ok, broken = history.verify_chain(session, item.id)
    return VerifyOut(ok=ok, first_broken_seq=broken, entries=len(history.events(session, item.id)))


@router.get(
    "/initiatives/{initiative_id}/versions",
    response_model=list[VersionOut],
    responses=PROBLEMS,
    summary="Submitted versions",
)
@public
def list_versions(session: SessionDep, user: OptionalUser, item: VisibleInitiative):
    return [
        VersionOut(number=v.number, fingerprint=v.fingerprint, created_at=v.created_at)
        for v in service.versions(session, user, item)
    ]


@router.get(
    "/initiatives/{initiative_id}/versions/compare",
    response_model=list[DiffOut],
    responses=PROBLEMS,
    summary="Compare two versions",
)
@public
def compare_versions(
    session: SessionDep,
    user: OptionalUser,
    item: VisibleInitiative,
    a: int = Query(ge=1, examples=[1]),
    b: int = Query(ge=1, examples=[2]),
):
    """Field-by-field differences between versions `a` and `b` (changed fields only)."""
    return service.compare(session, user, item, a, b)


@router.get(
    "/initiatives/{initiative_id}/versions/{number}",
    response_model=VersionOut,
    responses=PROBLEMS,
    summary="One submitted version",
)
@public
def read_version(session: SessionDep, user: OptionalUser, item: VisibleInitiative, number: int):
    v = service.version(session, user, item, number)
    return VersionOut(
        number=v.number, fingerprint=v.fingerprint, created_at=v.created_at, content=v.content
    )


# -- attachments ---------------------------------------------------------------
@router.get(
    "/initiatives/{initiative_id}/attachments", response_model=list[AttachmentOut], summary="Files"
)
@public
def list_attachments(session: SessionDep, user: OptionalUser, item: VisibleInitiative):
    """The files the caller may download."""
    return [
        AttachmentOut.model_validate(a, from_attributes=True)
        for a in visibility.visible_attachments(session, user, item)
    ]


@router.post(
    "/initiatives/{initiative_id}/attachments",
    response_model=list[AttachmentOut],
    status_code=201,
    responses={
        **PROBLEMS,
        413: {"description": "File too large"},
        415: {"description": "Type refused"},
    },
    summary="Upload files",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "file": {
                                "type": "array",
                                "items": {"type": "string", "format": "binary"},
                            },
                            "public": {
                                "type": "string",
                                "description": '"1" to show the file with the public '
                                "sections after publication",
                            },
                        },
                    }
                }
            }
        }
    },
)
def upload(
    session: SessionDep, user: CurrentUser, item: AttachableInitiative, received: StreamedUpload
):
    """Streams multipart/form-data files to storage (size limit enforced while streaming, type
    judged from content). Cookie clients send `X-CSRF-Token`."""
    rows = attachments.add(
        session, user, item, received.files, confidential=received.fields.get("public") != "1"
    )
    return [AttachmentOut.model_validate(a, from_attributes=True) for a in rows]


@router.get(
    "/initiatives/{initiative_id}/attachments/{attachment_id}",
    summary="Download a file",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **PROBLEMS},
)
@public
def download(session: SessionDep, user: OptionalUser, item: VisibleInitiative, attachment_id: int):
    """The same permission check as the sections: confidential files need confidential access."""
    return file_response(attachments.for_download(session, user, item, attachment_id))


@router.delete(
    "/initiatives/{initiative_id}/attachments/{attachment_id}",
    status_code=204,
    responses=PROBLEMS,
    summary="Remove a file",
)
def delete_attachment(
    session: SessionDep, user: CurrentUser, item: VisibleInitiative, attachment_id: int
):
    attachments.delete(session, user, item, attachments.get(item, attachment_id))
    return Response(status_code=204)


# -- confidential access -------------------------------------------------------
@router.get(
    "/initiatives/{initiative_id}/access",
    response_model=list[AccessGrantOut],
    responses=PROBLEMS,
    summary="Who has been given access",
)
def list_access(session: SessionDep, user: CurrentUser, item: VisibleInitiative):
    if not perms.can_manage_access(user, item):
        raise PermissionDenied(_("Only the submitter can see who has been given access."))
    return [
        AccessGrantOut(user_id=u.id, email=u.email, full_name=u.full_name, granted_at=g.granted_at)
        for g, u in service.access_grants(session, item)
    ]


@router.post(
    "/initiatives/{initiative_id}/access",
    response_model=AccessGrantOut,
    status_code=201,
    responses=PROBLEMS,
    summary="Give someone access to the confidential sections",
)
def grant_access(
    session: SessionDep, user: CurrentUser, item: VisibleInitiative, body: AccessGrantIn
):
    grant = service.grant_access(session, user, item, body.email)
    person = accounts_service.get(session, grant.user_id)
    return AccessGrantOut(
        user_id=person.id,
        email=person.email,
        full_name=person.full_name,
        granted_at=grant.granted_at,
    )


@router.delete(
    "/initiatives/{initiative_id}/access/{user_id}",
    status_code=204,
    responses=PROBLEMS,
    summary="Revoke access",
)
def revoke_access(session: SessionDep, user: CurrentUser, item: VisibleInitiative, user_id: int):
    service.revoke_access(session, user, item, user_id)
    return Response(status_code=204)


@router.get(
    "/initiatives/{initiative_id}/views",
    response_model=list[ViewLogOut],
    responses=PROBLEMS,
    summary="Who read the confidential content",
)
def view_log(session: SessionDep, user: CurrentUser, item: VisibleInitiative):
    return [
        ViewLogOut(user_id=u.id, full_name=u.full_name, what=v.what, created_at=v.created_at)
        for v, u in service.view_log(session, user, item)
    ]


# -- receipts and the coordinator's list ----------------------------------------
@router.get(
    "/receipts/{code}", response_model=ReceiptOut, responses=PROBLEMS, summary="Check a receipt"
)
@public
def receipt(
    session: SessionDep,
    code: str,
    fingerprint: str | None = Query(default=None, examples=["9f86d0…"]),
):
    """Public: the stage and dates for a receipt code (never content); with `fingerprint`,
    whether it matches a submitted version — the submitter's proof of priority."""
    found = receipts.lookup(session, code, fingerprint)
    return ReceiptOut(**found, status_label=workflow.status_label(found["status"]))


@router.get(
    "/coordinator/initiatives",
    response_model=list[InitiativeSummary],
    responses=PROBLEMS,
    summary="Coordinator inbox",
)
def inbox(
    session: SessionDep,
    user: CoordinatorUser,
    status: str | None = None,
    field_id: int | None = None,
    province: str | None = None,
    organisation_type: str | None = None,
    min_days_in_stage: int | None = Query(default=None, ge=0, le=queries.MAX_DAYS_IN_STAGE),
):
    """Submitted and screening initiatives by default, oldest in stage first; filter by stage, field,
    province, organisation type and days in stage."""
    filters = queries.InboxFilters(status, field_id, province, organisation_type, min_days_in_stage)
    return [_summary(i) for i in queries.inbox(session, filters)]


# -- taxonomy ------------------------------------------------------------------
@router.get(
    "/fields", response_model=list[FieldOut], tags=["taxonomy"], summary="Fields and sub-fields"
)
@public
def list_fields(session: SessionDep, include_inactive: bool = False):
    """The two-level taxonomy: top-level fields have `parent_id` null."""
    return [
        FieldOut.model_validate(f, from_attributes=True)
        for f in taxonomy.all_fields(session, active_only=not include_inactive)
    ]


@router.post(
    "/fields",
    response_model=FieldOut,
    status_code=201,
    tags=["taxonomy"],
    responses=PROBLEMS,
    summary="Add a field (admins)",
)
def add_field(session: SessionDep, user: AdminUser, body: FieldIn):
    return FieldOut.model_validate(taxonomy.add_field(session, user, body), from_attributes=True)


@router.patch(
    "/fields/{field_id}",
    response_model=FieldOut,
    tags=["taxonomy"],
    responses=PROBLEMS,
    summary="Rename or (de)activate a field (admins)",
)
def update_field(session: SessionDep, user: AdminUser, field_id: int, body: FieldUpdate):
    field = taxonomy.update_field(session, user, taxonomy.get(session, field_id), body)
    return FieldOut.model_validate(field, from_attributes=True)
