"""The benchmark sections, by name: each is a function of the configuration.

A section measures one thing and prints its tables; ``run.py`` picks them by
name (``--only fit transform``).
"""

from . import (
    cold,
    fit,
    grid,
    imports,
    memory,
    predict,
    profile,
    threads,
    time_to_accuracy,
    transform,
)

REGISTRY = {
    "fit": fit.run,
    "cold": cold.run,
    "predict": predict.run,
    "threads": threads.run,
    "grid": grid.run,
    "memory": memory.run,
    "transform": transform.run,
    "import": imports.run,
    "time_to_accuracy": time_to_accuracy.run,
    "profile": profile.run,
}
# What a plain `python -m benchmarks.performance.run` runs: the profile only on request.
DEFAULT = tuple(name for name in REGISTRY if name != "profile")
