"""Home page, language switch, health and readiness, the dev mailbox."""
