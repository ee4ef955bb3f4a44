"""Public questions on a problem page: anyone signed in asks, the owners answer, everyone sees
the answered ones (the owners also the open ones, an asker their own)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.accounts.models import User
from app.db import utcnow
from app.errors import InvalidTransition, NotFound, PermissionDenied
from app.i18n import _
from app.outbox import service as outbox
from app.outbox import topics
from app.problems import permissions as perms
from app.problems import visibility
from app.problems.models import Problem, ProblemQuestion
from app.problems.schemas import AnswerIn, QuestionIn


def ask(session: Session, user: User, problem: Problem, data: QuestionIn) -> ProblemQuestion:
    if not visibility.is_public(problem):
        raise InvalidTransition(
            _("Questions are taken only on published problems."), current=problem.status
        )
    assert problem.id is not None and user.id is not None
    question = ProblemQuestion(problem_id=problem.id, asker_id=user.id, question=data.question)
    session.add(question)
    session.flush()
    outbox.enqueue(
        session,
        topics.PROBLEM_QUESTION_ASKED,
        {"question_id": question.id},
        key=f"problem:{problem.id}",
    )
    return question


def answer(
    session: Session, user: User, question: ProblemQuestion, data: AnswerIn
) -> ProblemQuestion:
    problem = session.get(Problem, question.problem_id)
    assert problem is not None
    if not perms.is_owner(user, problem):
        raise PermissionDenied(_("Only the problem's owners answer questions."))
    question.answer, question.answered_by_id, question.answered_at = data.answer, user.id, utcnow()
    session.add(question)
    outbox.enqueue(
        session,
        topics.PROBLEM_QUESTION_ANSWERED,
        {"question_id": question.id},
        key=f"problem:{problem.id}",
    )
    return question


def questions(session: Session, user: User | None, problem: Problem) -> list[ProblemQuestion]:
    """Answered questions for everyone; the owners also see the unanswered ones, askers their own."""
    found = session.exec(
        select(ProblemQuestion)
        .where(ProblemQuestion.problem_id == problem.id)
        .order_by(col(ProblemQuestion.id))
    )
    owner = perms.is_owner(user, problem)
    return [
        q
        for q in found
        if q.answered_at is not None or owner or (user is not None and q.asker_id == user.id)
    ]


def get_question(session: Session, user: User | None, question_id: int) -> ProblemQuestion:
    question = session.get(ProblemQuestion, question_id)
    problem = session.get(Problem, question.problem_id) if question else None
    if question is None or problem is None or not visibility.can_view(user, problem):
        raise NotFound(_("No such question."))
    return question
