"""Where one training epoch's time goes, ours and the hand loop's, one thread.

Wraps the module's ``forward``, ``Tensor.backward``, the optimizer's
``zero_grad`` and ``step`` and our batch gather with timers, identically on
every side. The wrapped names are private to the package
(``_network.modules.RecurrentRegressor``,
``_network.training.WindowDataset.batch``), so this
section follows them when they move.
"""

import time

import numpy as np

from ..data import weather_windows
from ..harness import torch_threads

PHASES = ["forward", "backward", "optimizer", "batch assembly (ours)"]


def run(cfg):
    import torch

    from sklearn_rnn import LSTMForecaster
    from sklearn_rnn._network import modules as _modules
    from sklearn_rnn._network import training as _training

    from ..handloop import HandNet, hand_fit

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
        "ours": lambda: LSTMForecaster(
            cfg.hidden,
            max_epochs=1,
            loss="squared_error",
            patience=None,
            random_state=0,
        ).fit(W, y),
        "hand, default Adam": hand(False),
        "hand, fused Adam": hand(True),
    }
    spent = {}
    patches = [
        _timed(spent, _modules.RecurrentRegressor, "forward", "forward"),
        _timed(spent, HandNet, "forward", "forward"),
        _timed(spent, torch.Tensor, "backward", "backward"),
        _timed(spent, torch.optim.Optimizer, "zero_grad", "optimizer"),
        _timed(spent, torch.optim.Adam, "step", "optimizer"),
        _timed(spent, _training.WindowDataset, "batch", "batch assembly (ours)"),
    ]
    try:
        with torch_threads(1):
            results = {
                name: _fastest(function, spent, cfg.profile_rounds)
                for name, function in runs.items()
            }
    finally:
        for owner, name, original in patches:
            setattr(owner, name, original)
    _print_phases(cfg, results)


def _timed(spent, owner, name, phase):
    """Replace `owner.name` by a wrapper adding its time to `spent[phase]`."""
    original = getattr(owner, name)

    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - start

    setattr(owner, name, wrapper)
    return owner, name, original


def _fastest(function, spent, rounds):
    """(total, phases) of the fastest of `rounds` runs, after a warm-up run."""
    function()
    best = None
    for _ in range(rounds):
        spent.clear()
        start = time.perf_counter()
        function()
        total = time.perf_counter() - start
        if best is None or total < best[0]:
            best = (total, dict(spent))
    return best


def _print_phases(cfg, results):
    print(
        f"\n### Where one epoch goes: LSTM({cfg.hidden}), batch 32, {cfg.n_train} "
        "windows, 1 thread (fastest of the rounds)\n"
    )
    print("| phase | " + " | ".join(results) + " |")
    print("| --- |" + " --- |" * len(results))
    for phase in PHASES + ["rest: loop, bookkeeping, setup"]:
        cells = []
        for total, parts in results.values():
            if phase.startswith("rest"):
                value = total - sum(parts.get(p, 0.0) for p in PHASES)
            else:
                value = parts.get(phase, 0.0)
            cells.append(f"{value * 1e3:.0f} ms ({value / total:.0%})")
        print(f"| {phase} | " + " | ".join(cells) + " |")
    print(
        "| total | "
        + " | ".join(f"{t * 1e3:.0f} ms" for t, _ in results.values())
        + " |"
    )
