"""Benchmarks, run on demand (`make bench`); they print figures and ratios, they do not assert."""
