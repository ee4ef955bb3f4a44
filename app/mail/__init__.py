"""Outgoing mail: rendered in the recipient's language, queued in the outbox."""
