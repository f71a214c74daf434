"""The benchmarks of sklearn-rnn, by role; run each from the repository root.

- ``performance``: the suite behind docs/performance.md,
  ``python -m benchmarks.performance.run`` (``--quick`` proves it runs); its
  helpers and, in ``performance/probes``, the scripts its sections run each in a
  fresh interpreter.
- ``accuracy``: ``python -m benchmarks.accuracy.point`` (docs/accuracy.md),
  ``python -m benchmarks.accuracy.quantiles`` and
  ``python -m benchmarks.accuracy.conformal`` (docs/intervals.md).
- ``reliability``: ``python -m benchmarks.reliability.hostile_probe``, hostile
  user code against the public surface.
- ``gpu_check.py``: ``python benchmarks/gpu_check.py``, the CUDA path; it stands
  alone, so that it also runs by its path.

Run as modules (``python -m``) from the repository root, every script and every
process it starts imports the ``sklearn_rnn`` of this checkout. The benchmarks
use the package's public API only.
"""
