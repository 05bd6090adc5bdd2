"""Evaluation datasets, calibration and benchmarks: how govassist proves its answers are good."""
