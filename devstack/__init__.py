"""Local stand-ins for Bazaar's cloud services (local development and tests; never deployed)."""
