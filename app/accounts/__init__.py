"""People, organisations, roles, sign-in and API tokens."""
