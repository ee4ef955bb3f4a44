"""Pages of the public catalogue: search, an initiative's public page, the synonym list."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse

from app.accounts import permissions as accounts
from app.accounts.deps import CoordinatorUser, OptionalUser
from app.accounts.labels import organisation_type_label
from app.catalogue import service
from app.catalogue.schemas import SearchParams, SynonymForm
from app.db import SessionDep
from app.errors import ValidationFailed
from app.i18n import _
from app.initiatives.labels import ip_status_label
from app.initiatives.visibility import can_view_confidential
from app.matching import history as viewing
from app.web.flash import flash
from app.web.forms import Form, submit_form
from app.web.templating import nav_item, render

router = APIRouter()

nav_item("Find initiatives", "/search", order=20)
nav_item("Search synonyms", "/catalogue/synonyms", visible=accounts.is_coordinator, order=90)


@router.get("/search")
def search_page(request: Request, session: SessionDep):
    """The catalogue: every state (text, filters, sort, page) comes from the URL."""
    params = SearchParams.from_query(request.query_params)
    results = service.run_search(session, params)
    return render(
        request,
        "catalogue/search.html",
        {
            "params": params,
            "results": results,
            "page_url": lambda page: params.url(page=page),
            "catalogue_ignored_notice": service.ignored_notice,
        },
    )


@router.get("/catalogue/synonyms")
def synonyms_page(request: Request, session: SessionDep, user: CoordinatorUser):
    return _synonyms(request, session)


def _synonyms(
    request: Request,
    session: SessionDep,
    errors: dict | None = None,
    values: dict | None = None,
    status_code: int = 200,
    editing: int | None = None,
):
    return render(
        request,
        "catalogue/synonyms.html",
        {
            "groups": service.synonym_groups(session),
            "errors": errors or {},
            "values": values or {},
            "editing": editing,
        },
        status_code=status_code,
    )


def _synonyms_saved(request: Request):
    flash(request, _("Synonyms saved. Searches use them within a few seconds."))
    return RedirectResponse("/catalogue/synonyms", status_code=303)


@router.post("/catalogue/synonyms")
def add_synonyms(request: Request, session: SessionDep, user: CoordinatorUser, form: Form):
    return submit_form(
        session,
        form,
        SynonymForm,
        lambda data: service.add_synonyms(session, data.terms, by=user),
        done=lambda _group: _synonyms_saved(request),
        again=lambda refusal: _synonyms(request, session, refusal.on("terms"), dict(form), 400),
        catch=ValidationFailed,
    )


@router.post("/catalogue/synonyms/{group_id}")
def update_synonyms(
    request: Request, session: SessionDep, user: CoordinatorUser, group_id: int, form: Form
):
    typed = {f"terms-{group_id}": form.get("terms", "")}
    return submit_form(
        session,
        form,
        SynonymForm,
        lambda data: service.update_synonyms(session, group_id, data.terms, by=user),
        done=lambda _group: _synonyms_saved(request),
        again=lambda refusal: _synonyms(
            request,
            session,
            {f"terms-{group_id}": refusal.on("terms").get("terms", refusal.message)},
            typed,
            400,
            group_id,
        ),
        catch=ValidationFailed,
    )


@router.post("/catalogue/synonyms/{group_id}/delete")
def delete_synonyms(request: Request, session: SessionDep, user: CoordinatorUser, group_id: int):
    service.remove_synonyms(session, group_id)
    flash(request, _("Synonym group removed."))
    return RedirectResponse("/catalogue/synonyms", status_code=303)


@router.get("/catalogue/{initiative_id}")
def public_page(request: Request, session: SessionDep, user: OptionalUser, initiative_id: int):
    """What anyone may read of a published initiative (visibility decides, as for an anonymous
    reader); those who may read more get a link to the full record."""
    page = service.published_page(session, initiative_id)
    full_record = False
    if user is not None:  # their own part: the view noted, the link to the full record
        initiative = service.published_initiative(session, initiative_id)
        viewing.record(session, user, initiative)
        full_record = can_view_confidential(session, user, initiative)
    return render(
        request,
        "catalogue/initiative.html",
        {
            "item": page.item,
            "full_record": full_record,
            "certificate": page.certificate,
            "similar": page.similar,
            "stamp": page.stamp,  # the parts shown alike to everyone are kept by it
            "org_type_label": organisation_type_label,
            "ip_status_label": ip_status_label,
        },
    )
