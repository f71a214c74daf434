"""GridSearchCV with n_jobs=2 against n_jobs=1, in process and as a script."""

import json
import math
import time

import numpy as np

from ..data import weather_frame
from ..harness import SPINNERS, Row, interleaved, print_table, ratios, run_script


def run(cfg):
    from joblib import Parallel, delayed
    from joblib.externals.loky import get_reusable_executor
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised

    # Start from no workers, whatever ran before in this process.
    get_reusable_executor().shutdown(wait=True)
    X, y = make_supervised(weather_frame(), "temp", horizon=1)
    X, y = X.iloc[: cfg.grid_rows], y.iloc[: cfg.grid_rows]
    pipeline = make_pipeline(
        StandardScaler(),
        WindowTransformer(24),
        LSTMForecaster(max_epochs=cfg.grid_epochs, patience=None, random_state=0),
    )

    def search(n_jobs):
        GridSearchCV(
            pipeline,
            cfg.grid,
            cv=TimeSeriesSplit(cfg.grid_splits),
            n_jobs=n_jobs,
            refit=False,
        ).fit(X, y)

    # What starting the two workers costs: each imports torch and scikit-learn
    # and builds its first optimizer, which imports torch._dynamo.
    worker_start = math.nan
    if not cfg.quick:
        start = time.perf_counter()
        Parallel(n_jobs=2)(delayed(_start_worker)() for _ in range(2))
        worker_start = time.perf_counter() - start
        get_reusable_executor().shutdown(wait=True)
    # The first n_jobs=2 search starts the workers; later ones reuse them, as
    # loky keeps its workers.
    cold = interleaved({1: lambda: search(1), 2: lambda: search(2)}, 1)
    start, start_cpu = time.perf_counter(), _cpu_with_children()
    search(2)
    cores_used = (_cpu_with_children() - start_cpu) / (time.perf_counter() - start)
    warm = interleaved({1: lambda: search(1), 2: lambda: search(2)}, cfg.grid_rounds)
    spin = interleaved(
        {n_jobs: lambda n_jobs=n_jobs: _spin_tasks(n_jobs, cfg) for n_jobs in (1, 2)},
        cfg.grid_rounds,
    )
    n_fits = _n_fits(cfg)
    rows = [
        _speedup_row(f"GridSearchCV n_jobs=2, {n_fits} fits, {label}", times)
        for label, times in (("workers started", cold), ("workers reused", warm))
    ]
    rows.append(
        Row(
            "pure-Python tasks, n_jobs=2 (what this machine allows now)",
            spin[2],
            "n_jobs=1",
            spin[1],
            ratios(spin[1], spin[2]),
            "(2.0x on two free cores)",
        )
    )
    print_table(
        f"Grid search on {cfg.grid_rows} hourly rows: {cfg.grid}, "
        f"TimeSeriesSplit({cfg.grid_splits}), {cfg.grid_epochs} epochs, refit=False "
        "(ratio = time with n_jobs=1 / time with n_jobs=2)",
        rows,
    )
    print(
        f"\nCores used by a search with n_jobs=2 (CPU time of this process and its "
        f"workers / wall time): {cores_used:.2f}. Starting two workers that import "
        f"torch and scikit-learn and build a first optimizer: {worker_start:.1f} s."
    )
    _run_as_script(cfg)


def _run_as_script(cfg):
    """The same search as a user's script: a fresh process for each run."""
    args = [
        cfg.grid_rows,
        cfg.grid_script_epochs,
        cfg.grid_splits,
        json.dumps(cfg.grid),
    ]
    times = interleaved(
        {
            n_jobs: lambda n_jobs=n_jobs: run_script("grid_script", n_jobs, *args)
            for n_jobs in (1, 2)
        },
        cfg.grid_script_rounds,
    )
    print_table(
        "The same grid as a script, `python -m benchmarks.performance.probes."
        f"grid_script N_JOBS ...` in a fresh process: {_n_fits(cfg)} fits of "
        f"{cfg.grid_script_epochs} epochs; the time includes the interpreter, the "
        "imports and starting the workers",
        [_speedup_row("grid_script 2 (n_jobs=2)", times)],
    )


def _n_fits(cfg):
    return cfg.grid_splits * int(np.prod([len(v) for v in cfg.grid.values()]))


def _speedup_row(figure, times):
    """Times of n_jobs=2 against n_jobs=1; the ratio is the speed-up."""
    return Row(figure, times[2], "n_jobs=1", times[1], ratios(times[1], times[2]))


def _start_worker():
    import torch
    from sklearn.base import BaseEstimator  # noqa: F401

    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])


def _cpu_with_children():
    """CPU seconds of this process and its workers, the --busy spinner aside."""
    import psutil

    processes = [psutil.Process()]
    processes += [
        child
        for child in processes[0].children(recursive=True)
        if child.pid not in SPINNERS
    ]
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:
            continue
        total += times.user + times.system
    return total


def _spin(n):
    total = 0
    for i in range(n):
        total += i * i
    return total


def _spin_tasks(n_jobs, cfg):
    from joblib import Parallel, delayed

    Parallel(n_jobs=n_jobs)(delayed(_spin)(cfg.spin_size) for _ in range(4))
