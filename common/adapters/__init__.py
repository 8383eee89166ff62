"""Adapters to the outside world: PostgreSQL, Firebase Auth, Pub/Sub, SMTP."""
