"""Every outbox topic, in one place: queue and consume by these names, never by a bare string.

A topic may have several consumers (each gets its own event row); the events
table in ARCHITECTURE.md lists who queues and who consumes each one. The
comment after each name is its payload.
"""

from __future__ import annotations

from typing import Final

# initiatives
INITIATIVE_TRANSITIONED: Final = "initiative.transitioned"
"""{"initiative_id", "from", "to", "actor_id", "reason"}: every `workflow.transition`."""
INITIATIVE_PUBLISHED: Final = "initiative.published"  # {"initiative_id"}
INITIATIVE_UNPUBLISHED: Final = "initiative.unpublished"  # {"initiative_id", "reason"}
INITIATIVE_PUBLIC_UPDATED: Final = "initiative.public_updated"  # {"initiative_id"}
INITIATIVE_ATTACHMENT_DELETED: Final = "initiative.attachment_deleted"  # {"storage_key"}

# reviews
REVIEW_INVITED: Final = "review.invited"  # {"assignment_id"}: a reviewer was invited
REVIEW_REMINDED: Final = "review.reminded"  # {"assignment_id"}: overdue (once a day)
REVIEW_OVERDUE: Final = "review.overdue"  # {"assignment_id"}: tell coordinators, once
REVIEW_ROUND_CLOSING: Final = (
    "review.round_closing"  # {"round_id", "notice": "closes_soon" | "closed"}
)

# exchange
CONTACT_REQUESTED: Final = "contact.requested"  # {"request_id"}
CONTACT_ANSWERED: Final = "contact.answered"  # {"request_id"}

# problems
PROBLEM_TRANSITIONED: Final = "problem.transitioned"
"""{"problem_id", "from", "to", "actor_id", "reason"}: every `problems.workflow.transition`."""
PROBLEM_OPENED: Final = "problem.opened"  # {"problem_id"}
PROBLEM_CLOSING: Final = "problem.closing"  # {"problem_id"}: three days before the deadline
PROBLEM_AWARDED: Final = "problem.awarded"  # {"problem_id"}
PROBLEM_QUESTION_ASKED: Final = "problem.question_asked"  # {"question_id"}
PROBLEM_QUESTION_ANSWERED: Final = "problem.question_answered"  # {"question_id"}
PROPOSAL_SUBMITTED: Final = "proposal.submitted"  # {"proposal_id"}
PROPOSAL_MESSAGE: Final = "proposal.message"  # {"message_id"}
PROPOSAL_SHORTLISTED: Final = "proposal.shortlisted"  # {"proposal_id"}
PROPOSAL_DECLINED: Final = "proposal.declined"  # {"proposal_id"}
PROPOSAL_AWARDED: Final = "proposal.awarded"  # {"proposal_id"}

# exchange (deals)
DEAL_TRANSITIONED: Final = "deal.transitioned"  # {"deal_id", "from", "to", "actor_id"}
DEAL_OFFER: Final = "deal.offer"  # {"offer_id", "event": "made" | "accepted" | "declined"}
DEAL_FACILITATOR_CHANGED: Final = (
    "deal.facilitator_changed"  # {"deal_id", "facilitator_id", "event"}
)
SERVICE_REQUESTED: Final = "service.requested"  # {"request_id"}: tell the intermediary
SERVICE_ANSWERED: Final = "service.answered"  # {"request_id"}: accepted, declined or delivered

# matching
MATCH_INVITED: Final = "match.invited"  # {"invitation_id"}: a problem's owner invited authors

# catalogue
CATALOGUE_SYNONYMS_CHANGED: Final = "catalogue.synonyms_changed"  # {}: the handler pushes all

# delivery
MAIL_SEND: Final = "mail.send"  # {"to", "subject", "text", "html", ...}: rendered when queued
WEBHOOK_DELIVER: Final = "webhook.deliver"  # {"delivery_id"}

ALL: Final = frozenset(
    value for name, value in dict(globals()).items() if name.isupper() and isinstance(value, str)
)
