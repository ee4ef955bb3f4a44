"""Signed webhooks: organisations receive portal events at their own HTTP endpoints."""
