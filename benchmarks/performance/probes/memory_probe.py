"""Peak resident memory of one fit, measured in this (fresh) process.

Run by the memory section once per scenario, in its own process, so that one
scenario's freed memory cannot be reused by the next. The peak resident set
size (VmHWM) is reset just before the fit and read just after it. Prints one
JSON line. Linux only.

The process first imports everything and fits once on a few hundred rows, so
that the one-off costs (torch's thread pools and lazily imported modules, the
first optimizer) are paid before the baseline; what the scenario adds on top
is the data-dependent memory plus the model. The "cold" scenario measures those
one-off costs instead: a tiny fit right after the imports.

With ``--traced`` the probe reports instead the peak of the memory that
Python and NumPy allocate during the fit, as :mod:`tracemalloc` sees it: the
copies of the data that scikit-learn and this package make, without torch's own
allocations and without memory the C allocator keeps after a free.

Usage: ``python -m benchmarks.performance.probes.memory_probe SCENARIO ROWS
FEATURES WINDOW_LENGTH [--traced]``, with SCENARIO one of cold, windows,
pipeline, grid.
"""

import json
import sys
import tracemalloc

import numpy as np
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised


def status_mib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} is missing from /proc/self/status (Linux only)")


def reset_peak():
    """Start a new peak-RSS window (Linux >= 4.0: writing 5 to clear_refs)."""
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def forecaster():
    # One epoch of a tiny network: the data, not the training, is measured.
    return LSTMForecaster(4, max_epochs=1, batch_size=256, random_state=0)


def make_series(n_rows, n_features):
    rng = np.random.default_rng(0)
    walk = rng.standard_normal((n_rows + 1, n_features)).cumsum(axis=0)
    return make_supervised(walk, target=0, horizon=1)


def main(scenario, n_rows, n_features, window_length, traced=False):
    X, y = make_series(300 if scenario == "cold" else n_rows, n_features)
    window = WindowTransformer(window_length)
    if scenario != "cold":
        small_X, small_y = make_series(300, n_features)
        forecaster().fit(window.fit_transform(small_X), small_y)
    if scenario in ("cold", "windows"):
        X = window.fit_transform(StandardScaler().fit_transform(X))
    reset_peak()
    baseline = status_mib("VmRSS")
    if traced:
        tracemalloc.start()
        traced_baseline = tracemalloc.get_traced_memory()[0]
    if scenario in ("cold", "windows"):
        forecaster().fit(X, y)
    elif scenario == "pipeline":
        make_pipeline(StandardScaler(), window, forecaster()).fit(X, y)
    elif scenario == "grid":
        pipeline = make_pipeline(StandardScaler(), window, forecaster())
        grid = {"lstmforecaster__hidden_size": [2, 4]}
        GridSearchCV(pipeline, grid, cv=TimeSeriesSplit(2), n_jobs=1).fit(X, y)
    else:
        raise SystemExit(f"unknown scenario {scenario!r}")
    growth = status_mib("VmHWM") - baseline
    if traced:
        peak = (tracemalloc.get_traced_memory()[1] - traced_baseline) / 2**20
        print(json.dumps({"scenario": scenario, "traced_peak_mib": peak}))
        return
    print(
        json.dumps(
            {
                "scenario": scenario,
                "growth_mib": growth,
                "kept_mib": status_mib("VmRSS") - baseline,
                "kept_after_trim_mib": _trimmed_rss() - baseline,
            }
        )
    )


def _trimmed_rss():
    """RSS once garbage is collected and glibc has returned its free memory.

    What a fit leaves behind in live objects, as opposed to memory the C
    allocator keeps for reuse after it was freed.
    """
    import contextlib
    import ctypes
    import gc

    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    return status_mib("VmRSS")


if __name__ == "__main__":
    args = sys.argv[1:]
    traced = "--traced" in args
    scenario, *sizes = [arg for arg in args if arg != "--traced"]
    main(scenario, *(int(size) for size in sizes), traced=traced)
