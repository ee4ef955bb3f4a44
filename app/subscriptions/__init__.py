"""Subscriptions: fields, provinces and saved searches; instant mail, digests, feeds."""
