"""Notifications: workflow messages by mail and in the in-app inbox, per-type preferences."""
