"""The kinds of notification, who gets them, and how by default.

Mandatory types (a receipt, a decision) cannot be turned off: they have legal
weight. Their mails are sent by the services that make them, with the
details only they hold: the receipt (proof of priority) by
`app.initiatives.service.submit`, the decision by `app.reviews.decisions`,
the publication notice by `app.publication.service`. For these types ("fixed")
this domain adds the inbox entry only, so nobody gets the same mail twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.i18n import _

CHANNELS = ("email", "in_app", "both", "off")


@dataclass(frozen=True)
class NotificationType:
    name: str
    audience: str  # submitter | reviewer | coordinator | subscriber | requester | owner | proposer
    # | intermediary
    default: str
    mandatory: bool = False
    fixed: bool = False  # the channel is not the user's choice (not on the preferences page)

    @property
    def choices(self) -> tuple[str, ...]:
        if self.fixed:
            return (self.default,)
        return ("email", "both") if self.mandatory else CHANNELS


TYPES: dict[str, NotificationType] = {
    t.name: t
    for t in [
        NotificationType("receipt", "submitter", "in_app", mandatory=True, fixed=True),
        NotificationType("stage_change", "submitter", "both"),
        NotificationType("revision_requested", "submitter", "both"),
        NotificationType("decision", "submitter", "in_app", mandatory=True, fixed=True),
        NotificationType("publication", "submitter", "in_app", fixed=True),
        NotificationType("contact_request", "submitter", "both"),
        NotificationType("contact_answer", "requester", "both"),
        NotificationType("deal_stage", "requester", "both"),
        NotificationType("deal_activity", "requester", "both"),
        NotificationType("service_request", "intermediary", "both"),
        NotificationType("service_answer", "requester", "both"),
        NotificationType("review_invitation", "reviewer", "both"),
        NotificationType("review_reminder", "reviewer", "both"),
        NotificationType("round_closing", "reviewer", "both"),
        NotificationType("new_submission", "coordinator", "in_app"),
        NotificationType("overdue_review", "coordinator", "both"),
        NotificationType("waiting_too_long", "coordinator", "in_app"),
        NotificationType("problem_moderation", "coordinator", "in_app"),
        NotificationType("problem_stage", "owner", "both"),
        NotificationType("problem_activity", "owner", "both"),
        NotificationType("proposal_update", "proposer", "both"),
        NotificationType("problem_invitation", "submitter", "both"),
        # Subscription matches take the channel chosen on the subscription itself.
        NotificationType("subscription_match", "subscriber", "in_app", fixed=True),
    ]
}


def type_label(name: str) -> str:
    labels = {
        "receipt": _("Receipt of a submission"),
        "stage_change": _("Stage changes of my initiatives"),
        "revision_requested": _("Revision requested"),
        "decision": _("Decisions on my initiatives"),
        "publication": _("Publication of my initiatives"),
        "contact_request": _("Contact requests"),
        "contact_answer": _("Answers to my contact requests"),
        "deal_stage": _("Stage changes of my deals"),
        "deal_activity": _("Offers, counter-offers and facilitators in my deals"),
        "service_request": _("Service requests to my intermediary organisation"),
        "service_answer": _("Answers to my service requests"),
        "review_invitation": _("Review invitations"),
        "review_reminder": _("Review reminders"),
        "round_closing": _("Review round closing"),
        "new_submission": _("New submissions"),
        "overdue_review": _("Overdue reviews"),
        "waiting_too_long": _("Initiatives waiting too long in a stage"),
        "subscription_match": _("New initiatives matching my subscriptions"),
        "problem_moderation": _("Problems waiting for moderation"),
        "problem_stage": _("Stage changes and deadlines of my problems"),
        "problem_activity": _("Proposals, messages and questions on my problems"),
        "proposal_update": _("Answers to my proposals and questions on problems"),
        "problem_invitation": _("Invitations to propose my initiatives for problems"),
    }
    return labels.get(name, name)


def channel_label(channel: str) -> str:
    return {
        "email": _("Email"),
        "in_app": _("Inbox only"),
        "both": _("Email and inbox"),
        "off": _("Off"),
    }.get(channel, channel)
