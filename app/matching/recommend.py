"""The uses of the vectors beyond "similar initiatives", each with its reasons.

1. `initiatives_for_problem`: a problem's owners see the published initiatives that could
   answer it, and may `invite` their authors to propose;
2. `problems_for_initiative`: an initiative's authors see the open problems it could answer;
3. `for_user`: "Gợi ý cho bạn" from what a person contacted, viewed (`history`) and subscribed
   to (home, digest);
5. `find_near_duplicates`: at submission, the worker looks for published initiatives very close
   in meaning (candidates from the vector store, never a scan of the catalogue);
   `near_duplicates` shows them to coordinators and to the submission's own authors;
7. `semantic_search`: "có thể bạn quan tâm" under the search results (cross-lingual).

(Use 4, reviewer assignment, is `closeness` below, used by `app.reviews`.)

Hard filters, `Match`, the explanations and the query-vector cache are in `explain.py`.
Every function works on PUBLIC text only: initiatives through the catalogue's whitelisted
search documents (`indexing.document_for`), problems through `service.problem_text`
(`problems.visibility.PUBLIC_FIELDS`). Hard filters (status, field, province, TRL) are
applied to the candidates before they are ranked and cut; a candidate that fails one is never
shown, however close. With the `none` backend every use falls back to shared words.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlmodel import Session, col, select

import search
from app.accounts.models import User
from app.catalogue import indexing
from app.db import utcnow
from app.errors import Conflict, NotFound, PermissionDenied
from app.i18n import _
from app.initiatives.models import Field, Initiative
from app.matching import history, service, vectors
from app.matching import permissions as perms
from app.matching.explain import (
    Filters,
    Match,
    common_terms,
    facts,
    floor_of,
    lexical_overlap,
    need_reasons,
    problem_filters,
    query_vector,
    search_filters,
)
from app.matching.models import MatchInvitation, NearDuplicate
from app.outbox import service as outbox
from app.outbox import topics
from app.problems.models import Problem
from app.problems.workflow import Status as ProblemStatus
from app.problems.workflow import today_in_vietnam
from search.embeddings import Embedder
from search.text import tokenize

__all__ = [  # the shared parts, re-exported for the callers of this module
    "Filters",
    "Match",
    "common_terms",
    "facts",
    "problem_filters",
    "query_vector",
    "search_filters",
]

# e5 "query:" (a need, a search) against "passage:" (an initiative) cosines, measured on the
# tests and bench/matching.py: the right answer ~0.88-0.90, same area but another need
# ~0.86-0.88, unrelated 0.74-0.84; an English query against Vietnamese text sits ~0.07 lower.
NEED_MIN = 0.85  # problem ↔ initiative
NEED_MARGIN = 0.04  # ... and no further than this below the best candidate
SEARCH_MIN = 0.80  # a search query (possibly in another language) ↔ initiative
SEARCH_MARGIN = 0.015
# A viewed initiative is weaker evidence of interest than a contacted one (`MIN_CLOSENESS`,
# 0.87): of the 276 pairs of distinct initiatives in bench/matching.py's corpus, 14 reach 0.87
# and 7 reach 0.88 (paraphrases sit ~0.90), so a glance suggests half as many other topics.
VIEWED_MIN = 0.88
DUPLICATE_MIN = 0.93  # passage ↔ passage: near-duplicates ~0.96, paraphrases ~0.90
# The newest interests of each kind a person's suggestions follow (12 in all: at 100,000
# initiatives the seeds × matrix product then stays under 50 ms the first time, README).
INTERESTS = {"contacted": 5, "viewed": 4, "search": 3}
SEED_MIN = {"contacted": service.MIN_CLOSENESS, "viewed": VIEWED_MIN, "search": NEED_MIN}
POOL = 100  # vector candidates taken before the hard filters
MAYBE_BELOW = 3  # "có thể bạn quan tâm" when the strict search found fewer results
MAYBE_LIMIT = 4


# -- 1. initiatives for a problem ----------------------------------------------------------


def initiatives_for_problem(
    session: Session,
    user: User | None,
    problem: Problem,
    limit: int = 5,
    emb: Embedder | None = None,
    same_field: bool = False,
) -> list[Match]:
    """Published initiatives that could answer `problem`, best first, for its owners."""
    if not perms.can_see_problem_matches(user, problem):
        raise PermissionDenied(_("Only the problem's owners see its matching initiatives."))
    emb = emb or service.embedder()
    text = "\n".join(p for p in (problem.title, problem.abstract, problem.pain) if p)
    filters = problem_filters(session, problem, same_field)
    fld = session.get(Field, problem.field_id) if problem.field_id else None
    try:
        hits = indexing.engine(session).similar_text(text, limit=service.CANDIDATES)
    except (search.SearchUnavailable, OSError):
        hits = []
    docs = {int(h.id): h.document for h in hits}
    lexical = [i for i in docs if filters.allows(docs[i])]
    cos: dict[int, float] = {}
    semantic: list[int] = []
    if emb.available:
        v = vectors.problem_matrix(session, emb).vector(problem.id) if problem.id else None
        if v is None:
            v = query_vector(emb, service.problem_text(session, problem) or text)
        store = vectors.initiative_vectors(session, emb)
        nearest = store.nearest(v, POOL)
        known = facts(session, [i for i, _c in nearest])
        for i, cosine in nearest:
            cos[i] = cosine
            if i in known and filters.allows(known[i]):
                semantic.append(i)
        cos |= store.cosines([i for i in lexical if i not in cos], v)
    fused = service.rrf(lexical, semantic)
    ranked = sorted(fused, key=lambda i: (-fused[i], i))
    best = max((cos[i] for i in ranked if i in cos), default=None)
    floor = floor_of(best, NEED_MIN, NEED_MARGIN)
    out = []
    for i in ranked:
        c = cos.get(i)
        if emb.available and (c is None or c < floor):
            continue
        doc = docs.get(i) or service.document(session, i)
        if doc is None:
            continue
        terms = common_terms(text, doc)
        if not emb.available and not terms:
            continue  # lexical only: say nothing we cannot explain
        out.append(
            Match(
                i,
                doc.get("title", ""),
                f"/catalogue/{i}",
                fused[i],
                c,
                terms,
                need_reasons(session, terms, doc, fld.code if fld else None, filters, c),
                doc,
            )
        )
        if len(out) == limit:
            break
    return out


def invited(session: Session, problem: Problem) -> set[int]:
    return set(
        session.exec(
            select(MatchInvitation.initiative_id).where(MatchInvitation.problem_id == problem.id)
        ).all()
    )


def invite(session: Session, user: User, problem: Problem, initiative_id: int) -> MatchInvitation:
    """Invite the authors of a published initiative to propose it (once per pair)."""
    if not perms.can_invite(user, problem):
        if not perms.can_see_problem_matches(user, problem):
            raise PermissionDenied(_("Only the problem's owners can invite authors."))
        raise Conflict(_("Authors can be invited only while the problem takes proposals."))
    initiative = session.get(Initiative, initiative_id)
    if initiative is None or indexing.document_for(session, initiative) is None:
        raise NotFound(_("No such published initiative."))
    if initiative_id in invited(session, problem):
        raise Conflict(_("Its authors have already been invited."), code="already-invited")
    row = MatchInvitation(problem_id=problem.id, initiative_id=initiative_id, invited_by_id=user.id)
    session.add(row)
    session.flush()
    outbox.enqueue(session, topics.MATCH_INVITED, {"invitation_id": row.id})
    return row


# -- 2. problems for an initiative -----------------------------------------------------


def _problem_facts(session: Session, problem: Problem) -> dict[str, Any]:
    fld = session.get(Field, problem.field_id) if problem.field_id else None
    return {
        "id": problem.id,
        "title": problem.title,
        "abstract": problem.abstract,
        "field_code": fld.code if fld else None,
        "field_name": fld.name_vi if fld else None,
        "provinces": list(problem.provinces),
        "deadline": problem.deadline.isoformat(),
    }


def _problem_allows(
    problem_facts: dict[str, Any], problem: Problem, doc: dict[str, Any], same_field: bool
) -> bool:
    """The problem's hard filters seen from the initiative's side (as `problem_filters`)."""
    if (
        same_field
        and problem_facts["field_code"]
        and doc.get("field_code") != problem_facts["field_code"]
    ):
        return False
    return not (
        problem.scope == "provinces"
        and problem.provinces
        and doc.get("province") not in problem.provinces
    )


def _initiative_doc(session: Session, initiative: Initiative) -> dict[str, Any]:
    """The public facts of an initiative, published or not (its authors are asking)."""
    doc = indexing.document_for(session, initiative)
    if doc is not None:
        return doc
    fld = session.get(Field, initiative.field_id) if initiative.field_id else None
    return {
        "id": str(initiative.id),
        "title": initiative.title,
        "summary": initiative.summary,
        "keywords": [k for k in initiative.keywords if isinstance(k, str) and k.strip()],
        "field_code": fld.code if fld else None,
        "field_name": fld.name_vi if fld else None,
        "province": initiative.province,
        "trl": initiative.trl,
    }


def problems_for_initiative(
    session: Session,
    user: User | None,
    initiative: Initiative,
    limit: int = 5,
    emb: Embedder | None = None,
    same_field: bool = False,
) -> list[Match]:
    """Problems open for proposals that this initiative could answer, for its authors.

    Candidates are the problems taking proposals today (few: a need is posted by hand);
    the ranking fuses shared words with the vectors (the initiative's vector when it is
    published; an unpublished one is matched by its words only, nothing is embedded on a
    request)."""
    if not perms.can_see_initiative_matches(user, initiative):
        raise PermissionDenied(_("Only the initiative's authors see the problems it matches."))
    emb = emb or service.embedder()
    doc = _initiative_doc(session, initiative)
    text = service.public_text(doc)
    today = today_in_vietnam()
    candidates = [
        p
        for p in session.exec(
            select(Problem)
            .where(Problem.status == ProblemStatus.open, col(Problem.deadline) >= today)
            .order_by(col(Problem.id))
        )
    ]
    facts = {p.id: _problem_facts(session, p) for p in candidates}
    allowed = [p for p in candidates if _problem_allows(facts[p.id], p, doc, same_field)]
    needs = {p.id: f"{p.title}\n{p.abstract}\n{p.pain}" for p in allowed}
    overlap = {i: lexical_overlap(needs[i], text) for i in needs}
    lexical = sorted((i for i in overlap if overlap[i] > 0), key=lambda i: (-overlap[i], i))
    cos: dict[int, float] = {}
    semantic: list[int] = []
    v = vectors.initiative_vectors(session, emb).vector(initiative.id) if emb.available else None
    if v is not None:
        cos = vectors.problem_matrix(session, emb).cosines(needs, v)
        semantic = sorted(cos, key=lambda i: (-cos[i], i))
    fused = service.rrf(lexical, semantic)
    ranked = sorted(fused, key=lambda i: (-fused[i], i))
    best = max(cos.values(), default=None)
    floor = floor_of(best, NEED_MIN, NEED_MARGIN)
    by_id = {p.id: p for p in allowed}
    out = []
    for i in ranked:
        c = cos.get(i)
        terms = common_terms(needs[i], doc)
        if v is not None and (c is None or c < floor):
            continue
        if v is None and not terms:
            continue
        problem = by_id[i]
        reasons = list(
            need_reasons(
                session, terms, doc, facts[i]["field_code"], problem_filters(session, problem), c
            )
        )
        reasons.append(
            _("Proposals until %(day)s") % {"day": problem.deadline.strftime("%d/%m/%Y")}
        )
        out.append(
            Match(i, problem.title, f"/problems/{i}", fused[i], c, terms, tuple(reasons), facts[i])
        )
        if len(out) == limit:
            break
    return out


# -- 3. suggestions for a person ---------------------------------------------------------


@dataclass(frozen=True)
class Seed:
    label: str  # what the person did, in words: a contacted initiative's title, a search
    vector: np.ndarray
    kind: str  # "contacted" | "viewed" | "search"


def seeds(session: Session, user: User, emb: Embedder) -> tuple[list[Seed], set[int]]:
    """What a person's interests are made of, and the initiatives already known to them."""
    from app.exchange.models import ContactRequest
    from app.subscriptions.models import Subscription
    from app.subscriptions.service import search_params

    own: set[int] = set(
        session.exec(select(Initiative.id).where(Initiative.submitter_id == user.id)).all()
    )
    contacted = list(
        dict.fromkeys(
            session.exec(
                select(ContactRequest.initiative_id)
                .where(ContactRequest.requester_id == user.id)
                .order_by(col(ContactRequest.id).desc())
                .limit(20)
            ).all()
        )
    )
    # contacted says more than viewed; one's own initiatives are no interest
    viewed = [i for i in history.viewed_ids(session, user) if i not in own and i not in contacted]
    known = own | set(contacted) | set(viewed)
    # Every one of them is known (never suggested back); the newest of each kind are interests.
    contacted_seeds, viewed_seeds = (
        contacted[: INTERESTS["contacted"]],
        viewed[: INTERESTS["viewed"]],
    )
    found = vectors.initiative_vectors(session, emb).vectors([*contacted_seeds, *viewed_seeds])
    titles = dict(
        session.exec(
            select(Initiative.id, Initiative.title).where(col(Initiative.id).in_(sorted(found)))
        ).all()
    )
    out: list[Seed] = [
        Seed(titles[i], found[i], kind)
        for kind, ids in (("contacted", contacted_seeds), ("viewed", viewed_seeds))
        for i in ids
        if i in found and i in titles
    ]
    searches: list[Seed] = []
    for sub in session.exec(
        select(Subscription)
        .where(
            Subscription.user_id == user.id,
            Subscription.kind == "search",
            col(Subscription.is_paused).is_(False),
        )
        .order_by(col(Subscription.id).desc())
    ):
        q = search_params(sub.query or "").q.strip()
        if q and len(searches) < INTERESTS["search"]:
            searches.append(Seed(q, query_vector(emb, q), "search"))
    return out + searches, known


def for_user(
    session: Session,
    user: User | None,
    limit: int = 4,
    exclude: Iterable[int] = (),
    emb: Embedder | None = None,
) -> list[Match]:
    """ "Gợi ý cho bạn": published initiatives close to what the person contacted, viewed or
    searches for, each naming the interest it follows from. Empty without a model or interests."""
    emb = emb or service.embedder()
    if user is None or not emb.available:
        return []
    interests, known = seeds(session, user, emb)
    if not interests:
        return []
    known |= set(exclude)
    pool = POOL + len(known)
    nearest = vectors.initiative_vectors(session, emb).nearest_each(
        [s.vector for s in interests], pool
    )
    # Each initiative follows the interest it is closest to (the first on a tie). The `pool`
    # closest of all are among the union of each interest's `pool` closest.
    best: dict[int, tuple[float, int]] = {}
    for n, found in enumerate(nearest):
        for iid, c in found:
            if iid not in best or c > best[iid][0]:
                best[iid] = (c, n)
    order = sorted(best, key=lambda i: (-best[i][0], i))
    out = []
    for iid in order[:pool]:
        c, n = best[iid]
        seed = interests[n]
        if c < min(SEED_MIN.values()):
            break  # closest first: nothing further can pass
        if c < SEED_MIN[seed.kind]:
            continue
        if iid in known:
            continue
        doc = service.document(session, iid)
        if doc is None:
            continue
        if seed.kind == "contacted":
            why = _("Close to “%(title)s”, which you contacted") % {"title": seed.label}
        elif seed.kind == "viewed":
            why = _("Close to “%(title)s”, which you viewed") % {"title": seed.label}
        else:
            why = _("Matches your saved search “%(query)s”") % {"query": seed.label}
        terms = common_terms(seed.label, doc)
        reasons = [why]
        if terms:
            reasons.append(_("Shared key terms: %(terms)s") % {"terms": ", ".join(terms)})
        reasons.append(service.closeness_words(c))
        out.append(
            Match(iid, doc.get("title", ""), f"/catalogue/{iid}", c, c, terms, tuple(reasons), doc)
        )
        if len(out) == limit:
            break
    return out


# -- 4. closeness of reviewers' expertise --------------------------------------------------


def closeness(
    expertise: dict[int, str], subjects: dict[int, str], emb: Embedder | None = None
) -> dict[tuple[int, int], float]:
    """(reviewer id, initiative id) → cosine between the reviewer's expertise (as a query) and
    the initiative's title, keywords and summary (as a query too: both are short). Vectors are
    cached per worker by text, so a batch costs one embedding per new text. Empty without a
    model, and for a reviewer who wrote no expertise."""
    emb = emb or service.embedder()
    if not emb.available:
        return {}
    reviewers = {r: query_vector(emb, t) for r, t in expertise.items() if t.strip()}
    items = {i: query_vector(emb, t) for i, t in subjects.items() if t.strip()}
    return {(r, i): float(rv @ iv) for r, rv in reviewers.items() for i, iv in items.items()}


# -- 5. near-duplicates at submission ------------------------------------------------------


def find_near_duplicates(
    session: Session, initiative_id: int, emb: Embedder | None = None
) -> list[NearDuplicate]:
    """Record the published initiatives (of other submitters) very close in meaning to a
    submitted one; run by the worker on submission. The candidates come from the vector
    store's nearest neighbours, never from a scan of the catalogue."""
    emb = emb or service.embedder()
    initiative = session.get(Initiative, initiative_id)
    for old in session.exec(
        select(NearDuplicate).where(NearDuplicate.initiative_id == initiative_id)
    ):
        session.delete(old)
    session.flush()
    if initiative is None or not emb.available:
        return []
    text = service.public_text(_initiative_doc(session, initiative))
    [v] = emb.embed_passages([text])
    found = []
    for other_id, c in vectors.initiative_vectors(session, emb).nearest(v, 10):
        if c < DUPLICATE_MIN or other_id == initiative_id:
            continue
        other = session.get(Initiative, other_id)
        if other is None or other.submitter_id == initiative.submitter_id:
            continue
        row = NearDuplicate(
            initiative_id=initiative_id,
            other_id=other_id,
            model=emb.name,
            closeness=c,
            found_at=utcnow(),
        )
        session.add(row)
        found.append(row)
    session.flush()
    return found


def near_duplicates(session: Session, user: User | None, initiative_id: int) -> list[Match]:
    """Use 5 after submission: what the worker found, still published, closest first; for
    coordinators and for the initiative's own authors (nobody else: empty). Only the other
    initiatives' public search documents are read, so neither their confidential sections
    nor anyone's drafts can appear."""
    initiative = session.get(Initiative, initiative_id)
    if initiative is None:
        return []
    author = perms.can_see_close_published(user, initiative)
    if not (perms.can_see_duplicates(user) or author):
        return []
    rows = session.exec(
        select(NearDuplicate)
        .where(NearDuplicate.initiative_id == initiative_id)
        .order_by(col(NearDuplicate.closeness).desc(), col(NearDuplicate.other_id))
    ).all()
    base = _initiative_doc(session, initiative)
    out = []
    for row in rows:
        doc = service.document(session, row.other_id)  # None unless published
        if doc is None:
            continue
        terms, reasons = service.reasons(session, base, doc, row.closeness)
        if author:
            reasons = (_("A published initiative close to yours"), *reasons)
        out.append(
            Match(
                row.other_id,
                doc.get("title", ""),
                f"/catalogue/{row.other_id}",
                row.closeness,
                row.closeness,
                terms,
                reasons,
                doc,
            )
        )
    return out


# -- 7. semantic supplement to search ------------------------------------------------------


def semantic_search(
    session: Session,
    q: str,
    filters: Filters | None = None,
    exclude: Iterable[int] = (),
    limit: int = 5,
    emb: Embedder | None = None,
) -> list[Match]:
    """Published initiatives close in meaning to a search, in any language the model knows,
    that pass the page's filters; for "có thể bạn quan tâm" under the strict results."""
    emb = emb or service.embedder()
    q = " ".join(q.split())
    if not emb.available or not tokenize(q):
        return []
    filters = filters or Filters()
    skip = set(exclude)
    nearest = vectors.initiative_vectors(session, emb).nearest(query_vector(emb, q), POOL)
    known = facts(session, [i for i, _c in nearest])
    pool = [(i, c) for i, c in nearest if i not in skip and filters.allows(known.get(i, {}))]
    pool = [(i, c) for i, c in pool if i in known]
    best = pool[0][1] if pool else None
    floor = floor_of(best, SEARCH_MIN, SEARCH_MARGIN)
    out: list[Match] = []
    for iid, c in pool:
        if c < floor or len(out) == limit:
            break
        doc = service.document(session, iid)
        if doc is None:
            continue
        terms = common_terms(q, doc)
        reasons = [_("Close in meaning to your search")]
        if terms:
            reasons.append(_("Shared key terms: %(terms)s") % {"terms": ", ".join(terms)})
        out.append(
            Match(iid, doc.get("title", ""), f"/catalogue/{iid}", c, c, terms, tuple(reasons), doc)
        )
    return out


def maybe(session: Session, results: Any) -> list[Match]:
    """ "Có thể bạn quan tâm" for a catalogue results page (the web page and `GET /search`):
    by meaning, when the strict search found little (fewer than `MAYBE_BELOW` results, or
    only by leaving typed words out), on the first page, within the page's filters."""
    params = results.params
    strict_found_little = results.total < MAYBE_BELOW or bool(results.ignored)
    if not strict_found_little or params.page != 1 or not params.q.strip():
        return []
    return semantic_search(
        session,
        params.q,
        search_filters(params.filters),
        exclude=[h.id for h in results.hits],
        limit=MAYBE_LIMIT,
    )
