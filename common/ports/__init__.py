"""The ports the use cases need, one module per bounded context.

Adapters in common/adapters/ implement them; tests/unit/fakes/ fakes them. Every port
speaks in domain values (common/domain/), never in rows or client-library types.
"""
