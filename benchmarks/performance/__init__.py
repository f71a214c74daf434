"""The performance suite: ``python -m benchmarks.performance.run``."""
