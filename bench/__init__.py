"""Benchmarks with their own README and results (DESIGN §3 and §5: timing goals live here).

Run every benchmark with ``python -m bench.run`` (``make bench``) from the repository root, so
that ``tests.support`` (the small world and the throwaway PostgreSQL cluster) is importable.
"""
