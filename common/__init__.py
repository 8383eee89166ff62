"""Shared code of every Bazaar function: domain rules, use cases, adapters, HTTP layer."""
