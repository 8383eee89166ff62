"""Domain rules: plain Python, no I/O and no cloud libraries."""
