"""The transactional outbox: side effects written with the change, run after commit."""
