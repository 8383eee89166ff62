"""Use cases: one function each; load, decide with the domain rules, save, record events."""
