"""Initiatives: submission, the state machine, receipts, history and IP-safe visibility."""
