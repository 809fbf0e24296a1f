"""Benchmarks of hfkg: a seeded synthetic corpus generator, the benchmark runner and an rdflib-only baseline."""
