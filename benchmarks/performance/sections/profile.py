"""Where one training epoch's time goes, ours and the hand loop's, one thread.

Each side trains one epoch under :mod:`cProfile`, the fastest of the rounds
kept. The time spent inside each function, without what it calls (``tottime``),
is summed by where the function lives: torch's compiled operators, torch's
Python code, skorch, sklearn_rnn, the hand loop, NumPy and the rest; then our
fit's functions with the most of that time are listed by name. The profiler
adds a cost to every Python call, which weighs more on code made of many small
calls (a training loop's glue) than on the operators, so the epoch's time
without the profiler is printed beside its total.
"""

import cProfile
import pstats
import time
from pathlib import Path

import numpy as np

from ..data import weather_windows
from ..harness import torch_threads

OPERATORS = "torch operators (C++)"
GROUPS = {
    # where the function lives -> the group it counts in, checked in this order
    "sklearn_rnn": "sklearn_rnn",
    "skorch": "skorch",
    "torch": "torch (Python)",
    "numpy": "NumPy",
    "handloop.py": "the hand loop",
}
REST = "Python and the rest"
TOP = 12


def run(cfg):
    import torch

    from sklearn_rnn import LSTMForecaster

    from ..handloop import hand_fit, matched_forecaster

    W, y, _, _ = weather_windows(cfg.n_train, 0)
    X_t = torch.from_numpy(np.ascontiguousarray(W))
    y_t = torch.from_numpy(((y - y.mean()) / y.std()).astype(np.float32)).reshape(-1, 1)

    def hand(fused):
        return lambda: hand_fit(
            X_t,
            y_t,
            cell="lstm",
            hidden_size=cfg.hidden,
            epochs=1,
            batch_size=32,
            fused=fused,
        )

    runs = {
        "ours": lambda: matched_forecaster(
            LSTMForecaster, cfg.hidden, epochs=1, batch_size=32
        ).fit(W, y),
        "hand, default Adam": hand(False),
        "hand, fused Adam": hand(True),
    }
    with torch_threads(1):
        results = {
            name: _profiled(function, cfg.profile_rounds)
            for name, function in runs.items()
        }
    _print_groups(cfg, results)
    _print_top(results["ours"][1])


def _profiled(function, rounds):
    """(seconds unprofiled, stats of the fastest profiled run), after a warm-up."""
    function()
    plain, best = [], None
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        plain.append(time.perf_counter() - start)
        profiler = cProfile.Profile()
        profiler.runcall(function)
        stats = pstats.Stats(profiler)
        if best is None or stats.total_tt < best.total_tt:
            best = stats
    return min(plain), best


def _group(filename, name):
    """The group of a function of `filename` (``~`` for built-ins) named `name`."""
    if filename == "~":
        # Built-in functions are named after their object: torch's operators
        # (``torch.lstm``, ``run_backward`` of torch's autograd engine), NumPy's.
        if "torch" in name:
            return OPERATORS
        return "NumPy" if "numpy" in name else REST
    parts = Path(filename).parts
    for where, group in GROUPS.items():
        if where in parts:
            return group
    return REST


def _own_times(stats):
    """Own time per group, in seconds."""
    order = [OPERATORS, "torch (Python)", "skorch", "sklearn_rnn"]
    totals = dict.fromkeys([*order, "the hand loop", "NumPy", REST], 0.0)
    for (filename, _, name), (_, _, own, _, _) in stats.stats.items():
        totals[_group(filename, name)] += own
    return totals


def _print_groups(cfg, results):
    print(
        f"\n### Where one epoch goes: LSTM({cfg.hidden}), batch 32, {cfg.n_train} "
        "windows, 1 thread; time inside the functions of each group under "
        "cProfile (fastest of the rounds)\n"
    )
    print("| where | " + " | ".join(results) + " |")
    print("| --- |" + " --- |" * len(results))
    groups = {name: _own_times(stats) for name, (_, stats) in results.items()}
    for group in next(iter(groups.values())):
        cells = []
        for name, (_, stats) in results.items():
            value = groups[name][group]
            cells.append(f"{value * 1e3:.0f} ms ({value / stats.total_tt:.0%})")
        print(f"| {group} | " + " | ".join(cells) + " |")
    for label, values in (
        ("total under the profiler", [s.total_tt for _, s in results.values()]),
        ("the same without the profiler", [t for t, _ in results.values()]),
    ):
        print(f"| {label} | " + " | ".join(f"{v * 1e3:.0f} ms" for v in values) + " |")


def _print_top(stats):
    print(
        f"\n### Our fit's {TOP} functions with the most time inside them "
        "(cProfile, same run)\n"
    )
    print("| function | group | time inside | calls | with what it calls |")
    print("| --- | --- | --- | --- | --- |")
    rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)
    for (filename, line, name), (_, calls, own, cumulative, _) in rows[:TOP]:
        print(
            f"| {_where(filename, line, name)} | {_group(filename, name)} | "
            f"{own * 1e3:.1f} ms | {calls} | {cumulative * 1e3:.1f} ms |"
        )


def _where(filename, line, name):
    """`name` with its file from the package down, as in a traceback."""
    if filename == "~":
        return name.replace("|", "/")
    parts = Path(filename).parts
    for where in GROUPS:
        if where in parts:
            parts = parts[parts.index(where) :]
            break
    else:
        parts = parts[-2:]
    return f"{'/'.join(parts)}:{line} {name}"
