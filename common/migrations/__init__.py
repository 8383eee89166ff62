"""Alembic migrations of the Bazaar database (run by the dev stack, the tests and deploys)."""
