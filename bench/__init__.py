"""Benchmarks of Bazaar: cold start per function and latency under load (`python -m bench`)."""
