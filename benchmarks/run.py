"""Benchmarks of sklearn-rnn: one command prints every figure of docs/performance.md.

    python benchmarks/run.py               # the full suite
    python benchmarks/run.py --quick       # tiny sizes, one round: proves it runs
    python benchmarks/run.py --only fit predict
    python benchmarks/run.py --profile     # add where an epoch's time goes

Every speed is a ratio to a reference measured in the same process, in the same
rounds: the references and our code take turns (the order rotates each round),
and the ratio column is the median of the per-round ratios. Absolute times on a
shared machine move from minute to minute; ratios measured this way move much
less. Each cell shows the median of the rounds and their range [min-max].

The training references are in ``handloop.py``: the plain loop a PyTorch user
writes, with the same network, data, epochs, batch size and learning rate.
Training and prediction comparisons run with one torch thread on both sides
(the thread policy is measured in its own section).
"""

import argparse
import datetime
import math
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SECTIONS = (
    "fit",
    "cold",
    "predict",
    "threads",
    "grid",
    "memory",
    "transform",
    "import",
)


# -- measuring and printing ---------------------------------------------------


@dataclass
class Row:
    """One line of the results table."""

    figure: str
    ours: list
    reference: str = ""
    ref: list = field(default_factory=list)
    ratio: list = field(default_factory=list)
    target: str = ""
    met: bool | None = None
    cpu_ratio: list = field(default_factory=list)
    unit: str = "s"


def _fmt(values, unit):
    if not values:
        return ""
    mid, low, high = statistics.median(values), min(values), max(values)
    if unit == "s":
        scale, unit = (
            (1.0, "s") if mid >= 1 else (1e3, "ms") if mid >= 1e-3 else (1e6, "µs")
        )
    else:
        scale = 1.0
    if len(values) == 1:
        return f"{mid * scale:.3g} {unit}"
    return f"{mid * scale:.3g} {unit} [{low * scale:.3g}-{high * scale:.3g}]"


def _fmt_ratio(values):
    if not values:
        return ""
    mid = statistics.median(values)
    if len(values) == 1:
        return f"{mid:.2f}x"
    return f"{mid:.2f}x [{min(values):.2f}-{max(values):.2f}]"


def print_table(title, rows):
    print(f"\n### {title}\n")
    print(
        "| figure | ours | reference | reference value | ratio | ratio of CPU "
        "time | target | met |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        met = "" if row.met is None else ("yes" if row.met else "**no**")
        print(
            f"| {row.figure} | {_fmt(row.ours, row.unit)} | {row.reference} | "
            f"{_fmt(row.ref, row.unit)} | {_fmt_ratio(row.ratio)} | "
            f"{_fmt_ratio(row.cpu_ratio)} | {row.target} | {met} |"
        )
    sys.stdout.flush()


class Times(dict):
    """Wall-clock seconds per name, and in ``cpu`` the process's CPU seconds.

    With one torch thread, CPU time counts the work done and not the time spent
    waiting for a core that another process holds, so its ratios stay steady
    on a busy machine when wall-clock ratios do not.
    """

    def __init__(self, names):
        super().__init__((name, []) for name in names)
        self.cpu = {name: [] for name in names}


def interleaved(functions, rounds):
    """Time each function once per round, rotating the order."""
    names = list(functions)
    times = Times(names)
    for round_ in range(rounds):
        shift = round_ % len(names)
        for name in names[shift:] + names[:shift]:
            start, start_cpu = time.perf_counter(), time.process_time()
            functions[name]()
            times[name].append(time.perf_counter() - start)
            times.cpu[name].append(time.process_time() - start_cpu)
    return times


def ratios(numerators, denominators):
    return [a / b for a, b in zip(numerators, denominators, strict=True)]


def compared(figure, times, ours, ref, reference, target="", within=None):
    """Row of `times[ours]` against `times[ref]`, wall and CPU ratios per round.

    Met when the median ratio is at most `within`; no verdict without it.
    """
    ratio = ratios(times[ours], times[ref])
    return Row(
        figure,
        times[ours],
        reference,
        times[ref],
        ratio,
        target,
        None if within is None else statistics.median(ratio) <= within,
        ratios(times.cpu[ours], times.cpu[ref]),
    )


def run_python(code, env=None):
    """Run `code` in a fresh interpreter and return its stdout."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=HERE,
    )
    return result.stdout


def machine():
    import sklearn
    import skorch
    import torch

    cpu = platform.processor() or "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            names = re.findall(r"^model name\s*:\s*(.+)$", cpuinfo.read(), re.M)
        cpu = names[0] if names else cpu
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {cpu}, "
        f"{os.cpu_count()} logical cores, load average {load}; "
        f"Python {platform.python_version()}, torch {torch.__version__}, "
        f"scikit-learn {sklearn.__version__}, skorch {skorch.__version__}, "
        f"NumPy {np.__version__}; {platform.platform()}"
    )


# -- data ---------------------------------------------------------------------


def weather_windows(n_train, n_predict, window_length=24):
    """Standardized windows of five weather columns, and next-hour temperature."""
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn import WindowTransformer, make_supervised
    from sklearn_rnn.datasets import load_weather

    columns = ["temp", "dewp", "humid", "pressure", "wind_speed"]
    X, y = make_supervised(load_weather(columns=columns), "temp", horizon=1)
    X = StandardScaler().fit_transform(X)
    windows = WindowTransformer(window_length).fit_transform(X)
    y = y.to_numpy()
    # Skip the first windows, which are left-padded: the hand loop has no padding.
    first = window_length - 1
    train = slice(first, first + n_train)
    test = slice(first + n_train, first + n_train + n_predict)
    return windows[train], y[train], windows[test], X


# -- sections -----------------------------------------------------------------


def bench_fit(cfg):
    import torch
    from handloop import hand_fit

    from sklearn_rnn import LSTMForecaster, SimpleRNNForecaster

    W, y, _, _ = weather_windows(cfg.n_train, 0)
    X_t = torch.from_numpy(np.ascontiguousarray(W))
    y_std = ((y - y.mean()) / y.std()).astype(np.float32)
    y_t = torch.from_numpy(y_std).reshape(-1, 1)
    rows, losses = [], []
    for cell, cls in (("lstm", LSTMForecaster), ("rnn", SimpleRNNForecaster)):
        for batch_size in (32, 256):
            settings = dict(epochs=cfg.epochs, batch_size=batch_size)

            def hand(fused, cell=cell, settings=settings):
                torch.manual_seed(0)
                _, epoch_losses = hand_fit(
                    X_t, y_t, cell=cell, hidden_size=cfg.hidden, fused=fused, **settings
                )
                return epoch_losses

            def ours(cls=cls, batch_size=batch_size):
                # The hand loop minimizes the squared error: so does this fit.
                est = cls(
                    cfg.hidden,
                    max_epochs=cfg.epochs,
                    batch_size=batch_size,
                    loss="squared_error",
                    patience=None,
                    random_state=0,
                ).fit(W, y)
                return [row["train_loss"] for row in est.history_]

            losses.append((cell, batch_size, hand(False)[-1], ours()[-1]))
            times = interleaved(
                {
                    "ours": ours,
                    "hand": lambda: hand(False),
                    "hand_fused": lambda: hand(True),
                },
                cfg.rounds,
            )
            label = f"{cls.__name__}({cfg.hidden}) fit, batch {batch_size}"
            rows.append(
                compared(
                    label,
                    times,
                    "ours",
                    "hand",
                    "hand loop, default Adam",
                    "<= 1.05x (stretch < 1.0x)",
                    within=1.05,
                )
            )
            rows.append(
                compared(
                    label,
                    times,
                    "ours",
                    "hand_fused",
                    "hand loop, fused Adam",
                    "(glue cost alone)",
                )
            )
    title = (
        f"Training: {cfg.n_train} windows x 24 steps x 5 features, {cfg.epochs} "
        "epochs, no validation, 1 torch thread"
    )
    print_table(title, rows)
    print("\nLast-epoch training loss (same work on both sides):")
    for cell, batch_size, hand_loss, our_loss in losses:
        print(f"- {cell} batch {batch_size}: hand {hand_loss:.4f}, ours {our_loss:.4f}")


_COLD_HAND = """
import time, numpy as np, torch
from handloop import hand_fit
torch.set_num_threads(1)
rng = np.random.default_rng(0)
X = torch.from_numpy(rng.standard_normal((N, 24, 5), dtype=np.float32))
y = torch.from_numpy(np.random.default_rng(1).standard_normal((N, 1), dtype=np.float32))
start = time.perf_counter()
hand_fit(X, y, cell="lstm", hidden_size=H, epochs=1, batch_size=32)
print(time.perf_counter() - start)
"""

_COLD_OURS = """
import time, numpy as np
from sklearn_rnn import LSTMForecaster
X = np.random.default_rng(0).standard_normal((N, 24, 5), dtype=np.float32)
y = np.random.default_rng(1).standard_normal(N, dtype=np.float32)
import torch  # the hand loop has torch imported before its clock too
torch.set_num_threads(1)
start = time.perf_counter()
LSTMForecaster(
    H, max_epochs=1, loss="squared_error", patience=None, random_state=0
).fit(X, y)
print(time.perf_counter() - start)
"""

_FIRST_OPTIMIZER = """
import time, torch
params = [torch.nn.Parameter(torch.zeros(3))]
start = time.perf_counter(); torch.optim.Adam(params)
first = time.perf_counter() - start
start = time.perf_counter(); torch.optim.Adam(params)
print(first, time.perf_counter() - start)
"""


def bench_cold(cfg):
    sizes = {"N": cfg.n_train, "H": cfg.hidden}
    ours, hand, first, second = [], [], [], []
    for _ in range(cfg.cold_rounds):
        ours.append(float(run_python(_substitute(_COLD_OURS, sizes))))
        hand.append(float(run_python(_substitute(_COLD_HAND, sizes))))
        a, b = run_python(_FIRST_OPTIMIZER).split()
        first.append(float(a))
        second.append(float(b))
    rows = [
        Row(
            f"first fit in a fresh process, LSTM({cfg.hidden}), 1 epoch",
            ours,
            "hand loop, same",
            hand,
            ratios(ours, hand),
            "(both pay the lazy import)",
        ),
        Row(
            "first torch.optim.Adam in a process",
            first,
            "second Adam",
            second,
            ratios(first, second),
        ),
    ]
    print_table(
        "Cold start: fresh processes, torch imported before the clock on both "
        "sides, 1 torch thread",
        rows,
    )


def _substitute(template, sizes):
    for name, value in sizes.items():
        template = re.sub(rf"\b{name}\b", str(value), template)
    return template


def bench_predict(cfg):
    import torch

    from sklearn_rnn import LSTMForecaster

    W, y, W_test, _ = weather_windows(cfg.n_train, cfg.n_predict)
    est = LSTMForecaster(cfg.hidden, max_epochs=1, patience=None, random_state=0).fit(
        W, y
    )
    X_t = torch.from_numpy(np.ascontiguousarray(W_test))
    module = est.module_

    def raw():
        module.eval()
        with torch.inference_mode():
            module(X_t)

    times = interleaved(
        {"ours": lambda: est.predict(W_test), "raw": raw}, cfg.predict_rounds
    )
    rows = [
        compared(
            f"LSTMForecaster({cfg.hidden}).predict, {len(W_test)} windows",
            times,
            "ours",
            "raw",
            "one forward pass of module_",
            "<= 1.2x",
            within=1.2,
        )
    ]
    print_table(
        "Prediction: 1 torch thread, inputs ready as a tensor for the reference", rows
    )


def bench_threads(cfg):
    import torch
    from joblib import Parallel, delayed

    from sklearn_rnn import _training

    before = torch.get_num_threads()
    rows = []
    for hidden, batch_size in cfg.thread_sizes:
        module = torch.nn.LSTM(5, hidden, batch_first=True)
        optimizer = torch.optim.Adam(module.parameters(), fused=True)
        X = torch.randn(batch_size, 24, 5)

        def steps(n_threads, module=module, optimizer=optimizer, X=X):
            torch.set_num_threads(n_threads)
            for _ in range(cfg.thread_steps):
                optimizer.zero_grad()
                module(X)[0].sum().backward()
                optimizer.step()

        try:
            steps(1)
            times = interleaved(
                {1: lambda steps=steps: steps(1), 2: lambda steps=steps: steps(2)},
                cfg.thread_rounds,
            )
            torch.set_num_threads(2)
            with _training._useful_threads(module, batch_size, "cpu"):
                policy = torch.get_num_threads()
        finally:
            torch.set_num_threads(before)
        per_step = {n: [t / cfg.thread_steps for t in ts] for n, ts in times.items()}
        rows.append(
            Row(
                f"LSTM({hidden}) training step, batch {batch_size}, 2 threads "
                f"(the policy takes {policy})",
                per_step[2],
                "1 thread",
                per_step[1],
                ratios(per_step[2], per_step[1]),
                "(decides the policy)",
            )
        )
    print_table(
        "Threads: training steps of an LSTM, 24 steps x 5 features "
        "(ratio < 1: two threads are faster)",
        rows,
    )
    module = torch.nn.LSTM(5, 32, batch_first=True)

    # What a joblib (loky) worker is given, and what a fit there runs with.
    def probe():
        import os as os_

        import torch as torch_

        from sklearn_rnn import _training as training

        at_start = torch_.get_num_threads()
        with training.torch_threads():
            budget = torch_.get_num_threads()
            lstm = torch_.nn.LSTM(5, 32, batch_first=True)
            with training._useful_threads(lstm, 32, "cpu"):
                in_fit = torch_.get_num_threads()
        return os_.environ.get("OMP_NUM_THREADS"), at_start, budget, in_fit

    def here():
        with _training._useful_threads(module, 32, "cpu"):
            return before, torch.get_num_threads()

    workers = Parallel(n_jobs=2)(delayed(probe)() for _ in range(2))
    print(
        "\nIn a loky worker of n_jobs=2: OMP_NUM_THREADS={}, torch threads at "
        "start {}, budget in fit {}, used by a small fit {}. In this process: "
        "torch threads {}, used by a small fit {}.".format(*workers[0], *here())
    )


def bench_grid(cfg):
    from joblib import Parallel, delayed
    from joblib.externals.loky import get_reusable_executor
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
    from sklearn_rnn.datasets import load_weather

    # Start from no workers, whatever ran before in this process.
    get_reusable_executor().shutdown(wait=True)
    columns = ["temp", "dewp", "humid", "pressure", "wind_speed"]
    X, y = make_supervised(load_weather(columns=columns), "temp", horizon=1)
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
    n_fits = cfg.grid_splits * np.prod([len(v) for v in cfg.grid.values()])
    rows = []
    for label, times in (("workers started", cold), ("workers reused", warm)):
        rows.append(
            _speedup_row(f"GridSearchCV n_jobs=2, {n_fits} fits, {label}", times)
        )
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
    _bench_grid_script(cfg)


def _bench_grid_script(cfg):
    """The same search as a user's script: a fresh process for each run."""
    import json

    args = [
        cfg.grid_rows,
        cfg.grid_script_epochs,
        cfg.grid_splits,
        json.dumps(cfg.grid),
    ]
    times = interleaved(
        {
            n_jobs: lambda n_jobs=n_jobs: run_python_file(
                "grid_script.py", n_jobs, *args
            )
            for n_jobs in (1, 2)
        },
        cfg.grid_script_rounds,
    )
    n_fits = cfg.grid_splits * np.prod([len(v) for v in cfg.grid.values()])
    print_table(
        f"The same grid as a script, `python grid_script.py N_JOBS ...` in a fresh "
        f"process: {n_fits} fits of {cfg.grid_script_epochs} epochs; the time "
        "includes the interpreter, the imports and starting the workers",
        [_speedup_row("python grid_script.py 2 (n_jobs=2)", times)],
    )


def _speedup_row(figure, times):
    """Times of n_jobs=2 against n_jobs=1, with the 1.6x target."""
    speedup = ratios(times[1], times[2])
    return Row(
        figure,
        times[2],
        "n_jobs=1",
        times[1],
        speedup,
        ">= 1.6x faster",
        statistics.median(speedup) >= 1.6,
    )


def _start_worker():
    import torch
    from sklearn.base import BaseEstimator  # noqa: F401

    torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])


def _cpu_with_children():
    import psutil

    processes = [psutil.Process()]
    processes += processes[0].children(recursive=True)
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


def bench_memory(cfg):
    import json

    n_rows, n_features, window_length = cfg.memory_size
    series_mib = n_rows * n_features * 8 / 2**20
    windows_mib = n_rows * window_length * n_features * 4 / 2**20

    kept = {}

    def probe(scenario, rows=n_rows):
        out = run_python_file(
            "memory_probe.py", scenario, rows, n_features, window_length
        )
        result = json.loads(out)
        kept[scenario] = (result["kept_mib"], result["kept_after_trim_mib"])
        return result["growth_mib"]

    # The heap layout moves these figures by a few MiB from process to
    # process: the fixed cost and the fit on windows are measured in several.
    fixed = [0.0]
    if cfg.memory_fixed_rows:
        fixed = [
            probe("windows", cfg.memory_fixed_rows) for _ in range(cfg.memory_rounds)
        ]
    rows = []
    if not cfg.quick:
        rows.append(
            Row("one-off cost of a first fit in a process", [probe("cold")], unit="MiB")
        )
    rows.append(
        Row(
            f"fit on windows of {cfg.memory_fixed_rows} rows (model + per-fit fixed)",
            fixed,
            unit="MiB",
        )
    )
    fixed_mib = statistics.median(fixed)
    traced_rows = []
    for scenario, label in cfg.memory_scenarios:
        rounds = cfg.memory_rounds if scenario == "windows" else 1
        growth = [probe(scenario) for _ in range(rounds)]
        data = [(g - fixed_mib) / series_mib for g in growth]
        rows.append(
            Row(
                label,
                growth,
                f"float64 series {series_mib:.1f} MiB; windows {windows_mib:.0f} MiB",
                [series_mib],
                data,
                "(growth - fixed) <= ~2x series",
                # Quick mode's tiny series is swamped by the fixed cost.
                None if cfg.quick else statistics.median(data) <= 2.2,
                unit="MiB",
            )
        )
        out = run_python_file(
            "memory_probe.py", scenario, n_rows, n_features, window_length, "--traced"
        )
        traced = json.loads(out)["traced_peak_mib"]
        traced_rows.append(
            Row(
                label,
                [traced],
                f"float64 series {series_mib:.1f} MiB",
                [series_mib],
                [traced / series_mib],
                unit="MiB",
            )
        )
    print_table(
        f"Memory: peak RSS growth of one fit in a fresh process, {n_rows} rows x "
        f"{n_features} features, window_length {window_length}, LSTM(4), 1 epoch "
        f"(ratio = (growth - fixed) / series; windows as float32 would be "
        f"{windows_mib * 2**20 / 1e6:.0f} MB)",
        rows,
    )
    print_table(
        "Memory: peak of what Python and NumPy allocate during the same fits "
        "(tracemalloc; the copies of the data, without torch's allocations or "
        "memory the C allocator keeps; ratio = peak / series)",
        traced_rows,
    )
    print(
        "\nResident after the fit, above the baseline (MiB): kept / after gc and "
        "malloc_trim"
    )
    for scenario, (after, trimmed) in kept.items():
        print(f"- {scenario}: {after:.1f} / {trimmed:.1f}")


def run_python_file(name, *args):
    result = subprocess.run(
        [sys.executable, str(HERE / name), *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=HERE,
    )
    return result.stdout


def bench_transform(cfg):
    from sklearn_rnn import WindowTransformer

    n_rows, n_features = cfg.transform_size
    series = np.random.default_rng(0).standard_normal((n_rows, n_features))
    rows = []
    first_ratio = None
    for window_length in cfg.transform_lengths:
        transformer = WindowTransformer(window_length).fit(series)
        times = interleaved(
            {
                "transform": lambda t=transformer: t.transform(series),
                "copy": lambda: np.copy(series),
            },
            cfg.transform_rounds,
        )
        first_ratio = first_ratio or statistics.median(
            ratios(times["transform"], times["copy"])
        )
        windows = transformer.transform(series)
        rows.append(
            compared(
                f"transform, window_length {window_length} "
                f"(output {windows.nbytes / 2**20:.0f} MiB as a view)",
                times,
                "transform",
                "copy",
                "np.copy(series)",
                "flat in window_length",
                within=1.5 * first_ratio,
            )
        )
    print_table(
        f"WindowTransformer.transform of {n_rows} x {n_features} float64 rows "
        "(one padded float32 copy of the series, cast while copying, then a view)",
        rows,
    )


_IMPORT_TIMER = """
import time
start = time.perf_counter()
STATEMENT
seconds = time.perf_counter() - start
import sys
print(seconds, *sorted({name.split(".")[0] for name in sys.modules}))
"""


_HEAVY = ("torch", "skorch", "matplotlib")


def bench_import(cfg):
    statements = {
        "sklearn_rnn": "import sklearn_rnn; sklearn_rnn.LSTMForecaster()",
        "sklearn": "import sklearn",
        "sklearn.base": "import sklearn.base",
        "torch": "import torch",
    }
    if cfg.quick:
        statements = {name: statements[name] for name in ("sklearn_rnn", "sklearn")}
    times = {name: [] for name in statements}
    loaded, cumulative = set(), []
    for round_ in range(cfg.import_rounds):
        for name, statement in statements.items():
            code = _IMPORT_TIMER.replace("STATEMENT", statement)
            # -X importtime once, for the table of `import sklearn_rnn`; it
            # slows the import a little, so that round is not timed.
            profile = name == "sklearn_rnn" and round_ == 0
            result = subprocess.run(
                [
                    sys.executable,
                    *(["-X", "importtime"] if profile else []),
                    "-c",
                    code,
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            seconds, modules = result.stdout.split(maxsplit=1)
            if profile:
                loaded |= set(modules.split())
                cumulative = _import_times(result.stderr)
            if round_ == 0 and cfg.import_rounds > 1:
                # The profiled round is not timed; drop round 0 of every
                # statement so each ratio pairs the same rounds.
                continue
            times[name].append(float(seconds))
    heavy = sorted(loaded & set(_HEAVY))
    references = {
        "sklearn": "import sklearn",
        "sklearn.base": "import sklearn.base (what it needs)",
        "torch": "import torch (for scale)",
    }
    rows = []
    for name, label in references.items():
        if name not in times:
            continue
        rows.append(
            Row(
                "import sklearn_rnn; LSTMForecaster()",
                times["sklearn_rnn"],
                label,
                times[name],
                ratios(times["sklearn_rnn"], times[name]),
                "no torch, skorch, matplotlib" if name == "sklearn" else "",
                not heavy if name == "sklearn" else None,
            )
        )
    print_table("Import: fresh interpreters, wall time of the statement", rows)
    print(
        "\nPackages loaded by `import sklearn_rnn; LSTMForecaster()`, of "
        f"{', '.join(_HEAVY)}: {heavy or 'none'}; also loaded: "
        f"{sorted(loaded & {'pandas', 'scipy', 'narwhals'}) or 'none'}"
    )
    if cumulative:
        total, own = cumulative
        print(
            "`python -X importtime -c 'import sklearn_rnn'`: cumulative "
            f"{total / 1e3:.0f} ms, of which the package's own modules "
            f"{own / 1e3:.0f} ms (the rest is scikit-learn, SciPy and pandas)"
        )


def _import_times(importtime):
    """(cumulative, own) microseconds of sklearn_rnn in `-X importtime` output."""
    total = own = 0
    for line in importtime.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        self_us, cumulative_us, name = line[len("import time:") :].split("|")
        name = name.strip()
        if not self_us.strip().isdigit():
            continue  # the header line
        if name == "sklearn_rnn":
            total = int(cumulative_us)
        if name.split(".")[0] == "sklearn_rnn":
            own += int(self_us)
    return total, own


def bench_profile(cfg):
    """Where one training epoch's time goes, ours and the hand loop's."""
    import torch
    from handloop import HandNet, hand_fit

    from sklearn_rnn import LSTMForecaster, _modules, _training

    W, y, _, _ = weather_windows(cfg.n_train, 0)
    X_t = torch.from_numpy(np.ascontiguousarray(W))
    y_t = torch.from_numpy(((y - y.mean()) / y.std()).astype(np.float32)).reshape(-1, 1)
    spent = {}

    def timed(owner, name, phase):
        original = getattr(owner, name)

        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - start

        setattr(owner, name, wrapper)
        return owner, name, original

    patches = [
        timed(_modules._RecurrentRegressor, "forward", "forward"),
        timed(HandNet, "forward", "forward"),
        timed(torch.Tensor, "backward", "backward"),
        timed(torch.optim.Optimizer, "zero_grad", "optimizer"),
        timed(torch.optim.Adam, "step", "optimizer"),
        timed(_training.WindowDataset, "batch", "batch assembly (ours)"),
    ]
    results = {}
    try:
        runs = {
            "ours": lambda: LSTMForecaster(
                cfg.hidden,
                max_epochs=1,
                loss="squared_error",
                patience=None,
                random_state=0,
            ).fit(W, y),
            "hand, default Adam": lambda: hand_fit(
                X_t, y_t, cell="lstm", hidden_size=cfg.hidden, epochs=1, batch_size=32
            ),
            "hand, fused Adam": lambda: hand_fit(
                X_t,
                y_t,
                cell="lstm",
                hidden_size=cfg.hidden,
                epochs=1,
                batch_size=32,
                fused=True,
            ),
        }
        for name, run in runs.items():
            run()
            best = None
            for _ in range(cfg.profile_rounds):
                spent.clear()
                start = time.perf_counter()
                run()
                total = time.perf_counter() - start
                if best is None or total < best[0]:
                    best = (total, dict(spent))
            results[name] = best
    finally:
        for owner, name, original in patches:
            setattr(owner, name, original)
    phases = ["forward", "backward", "optimizer", "batch assembly (ours)"]
    print(
        f"\n### Where one epoch goes: LSTM({cfg.hidden}), batch 32, {cfg.n_train} "
        "windows, 1 thread (fastest of the rounds)\n"
    )
    print("| phase | " + " | ".join(results) + " |")
    print("| --- |" + " --- |" * len(results))
    for phase in phases + ["rest: loop, bookkeeping, setup"]:
        cells = []
        for total, parts in results.values():
            if phase.startswith("rest"):
                value = total - sum(parts.get(p, 0.0) for p in phases)
            else:
                value = parts.get(phase, 0.0)
            cells.append(f"{value * 1e3:.0f} ms ({value / total:.0%})")
        print(f"| {phase} | " + " | ".join(cells) + " |")
    print(
        "| total | "
        + " | ".join(f"{t * 1e3:.0f} ms" for t, _ in results.values())
        + " |"
    )


# -- configuration ------------------------------------------------------------


@dataclass
class Config:
    quick: bool = False
    rounds: int = 5
    n_train: int = 6100
    n_predict: int = 853
    hidden: int = 32
    epochs: int = 5
    cold_rounds: int = 3
    predict_rounds: int = 15
    thread_steps: int = 10
    thread_rounds: int = 3
    thread_sizes: tuple = ((32, 32), (32, 256), (128, 256), (256, 256))
    grid_rows: int = 6100
    grid: dict = field(
        default_factory=lambda: {
            "lstmforecaster__hidden_size": [8, 16],
            "lstmforecaster__lr": [1e-3, 3e-3],
        }
    )
    grid_splits: int = 3
    grid_epochs: int = 3
    grid_rounds: int = 2
    grid_script_epochs: int = 10
    grid_script_rounds: int = 2
    spin_size: int = 5_000_000
    memory_size: tuple = (100_000, 14, 144)
    memory_fixed_rows: int = 1000
    memory_rounds: int = 3
    memory_scenarios: tuple = (
        ("windows", "fit(windows)"),
        ("pipeline", "Pipeline(StandardScaler, WindowTransformer, LSTM).fit(series)"),
        ("grid", "GridSearchCV(that pipeline, 2 candidates, 2 splits).fit(series)"),
    )
    transform_size: tuple = (100_000, 14)
    transform_lengths: tuple = (1, 24, 144, 1000)
    transform_rounds: int = 7
    import_rounds: int = 6
    profile_rounds: int = 3


QUICK = dict(
    quick=True,
    rounds=1,
    n_train=320,
    n_predict=64,
    hidden=8,
    epochs=1,
    cold_rounds=1,
    predict_rounds=2,
    thread_steps=2,
    thread_rounds=1,
    thread_sizes=((32, 32),),
    grid_rows=400,
    grid={"lstmforecaster__hidden_size": [4, 8]},
    grid_splits=2,
    grid_epochs=1,
    grid_rounds=1,
    grid_script_epochs=1,
    grid_script_rounds=1,
    spin_size=100_000,
    memory_size=(3000, 4, 24),
    memory_fixed_rows=0,
    memory_rounds=1,
    memory_scenarios=(
        ("pipeline", "Pipeline(StandardScaler, WindowTransformer, LSTM)"),
    ),
    transform_size=(2000, 3),
    transform_lengths=(1, 24),
    transform_rounds=2,
    import_rounds=1,
    profile_rounds=1,
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round")
    parser.add_argument("--only", nargs="+", choices=SECTIONS, help="sections to run")
    parser.add_argument("--profile", action="store_true", help="add the epoch profile")
    parser.add_argument("--rounds", type=int, help="rounds of the fit comparison")
    args = parser.parse_args(argv)
    cfg = Config(**QUICK) if args.quick else Config()
    if args.rounds:
        cfg.rounds = args.rounds
    sys.path.insert(0, str(HERE))

    import torch

    command = "python benchmarks/run.py " + " ".join(
        argv if argv is not None else sys.argv[1:]
    )
    print(f"## sklearn-rnn benchmarks\n\n`{command.strip()}`\n\n{machine()}")
    sections = args.only or SECTIONS
    if args.quick and not args.only:
        sections = [s for s in SECTIONS if s != "cold"]
    user_threads = torch.get_num_threads()
    for name in sections:
        start = time.perf_counter()
        if name in ("fit", "predict"):
            torch.set_num_threads(1)
        try:
            globals()[f"bench_{name}"](cfg)
        finally:
            torch.set_num_threads(user_threads)
        print(f"\n({name}: {time.perf_counter() - start:.0f} s)")
    if args.profile:
        torch.set_num_threads(1)
        try:
            bench_profile(cfg)
        finally:
            torch.set_num_threads(user_threads)
    print(
        f"\nLoad average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
