"""The measuring and printing that every benchmark section shares.

A section times our code and a reference in the same rounds, taking turns
(:func:`interleaved`), and prints :class:`Row` objects with
:func:`print_table`: each cell is the median of the rounds and their range
``[min-max]``, each ratio the median of the per-round ratios. Absolute times on
a shared machine move from minute to minute; ratios paired this way move much
less. The tool prints figures and ratios only; what counts as good is for the
documentation to say.
"""

import contextlib
import datetime
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

# The repository root: children start there, so they import its sklearn_rnn.
ROOT = Path(__file__).resolve().parents[2]
# Process ids of the spinners that busy_core runs, so that measurements of
# this process's children can leave them out.
SPINNERS = set()


@dataclass
class Row:
    """One line of a results table.

    `ours` and `ref` hold one value per round, `ratio` and `cpu_ratio` one
    ratio per round; `note` is a short remark printed as it is.
    """

    figure: str
    ours: list
    reference: str = ""
    ref: list = field(default_factory=list)
    ratio: list = field(default_factory=list)
    note: str = ""
    cpu_ratio: list = field(default_factory=list)
    unit: str = "s"


def format_values(values, unit="s"):
    """Median of `values` and their range, seconds scaled to a readable unit."""
    if not values:
        return ""
    mid, low, high = statistics.median(values), min(values), max(values)
    scale = 1.0
    if unit == "s":
        scale, unit = (
            (1.0, "s") if mid >= 1 else (1e3, "ms") if mid >= 1e-3 else (1e6, "µs")
        )
    if len(values) == 1:
        return f"{mid * scale:.3g} {unit}".rstrip()
    return f"{mid * scale:.3g} {unit} [{low * scale:.3g}-{high * scale:.3g}]"


def format_ratio(values):
    """Median ratio and the range of the per-round ratios."""
    if not values:
        return ""
    mid = statistics.median(values)
    if len(values) == 1:
        return f"{mid:.2f}x"
    return f"{mid:.2f}x [{min(values):.2f}-{max(values):.2f}]"


def print_table(title, rows):
    """Print `rows` as a Markdown table under a ``###`` `title`.

    The CPU-time and note columns appear only where some row fills them.
    """
    columns = ["figure", "ours", "reference", "reference value", "ratio"]
    with_cpu = any(row.cpu_ratio for row in rows)
    with_note = any(row.note for row in rows)
    columns += ["ratio of CPU time"] * with_cpu + ["note"] * with_note
    print(f"\n### {title}\n")
    print("| " + " | ".join(columns) + " |")
    print("|" + " --- |" * len(columns))
    for row in rows:
        cells = [
            row.figure,
            format_values(row.ours, row.unit),
            row.reference,
            format_values(row.ref, row.unit),
            format_ratio(row.ratio),
        ]
        cells += [format_ratio(row.cpu_ratio)] * with_cpu + [row.note] * with_note
        print("| " + " | ".join(cells) + " |")
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
    """Time each of `functions` (name -> callable) once per round.

    The order rotates each round, so that no side always runs first, after
    the same neighbour, or in the same minute of a drifting machine.
    """
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
    """Per-round ratios of two equally long lists."""
    return [a / b for a, b in zip(numerators, denominators, strict=True)]


def compared(figure, times, ours, ref, reference, note=""):
    """Row of `times[ours]` against `times[ref]`, wall and CPU ratios per round."""
    return Row(
        figure,
        times[ours],
        reference,
        times[ref],
        ratios(times[ours], times[ref]),
        note,
        ratios(times.cpu[ours], times.cpu[ref]),
    )


def run_script(name, *args, flags=()):
    """Run the probe `name` (``probes/<name>.py``) in a fresh interpreter.

    The probe runs as a module (``python -m``) from the repository root, so
    it imports this checkout's ``sklearn_rnn`` and the suite's own helpers.
    `flags` go to the interpreter (``-X importtime``), `args` to the probe.
    Returns the completed process.
    """
    module = f"{__package__}.probes.{name}"
    return subprocess.run(
        [sys.executable, *flags, "-m", module, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )


@contextlib.contextmanager
def busy_core(busy=True):
    """Keep one core busy with a spinning process while the block runs.

    Stands in for the other jobs of a shared machine, so that figures can be
    taken quiet and busy on purpose rather than by chance. Does nothing when
    `busy` is false.
    """
    if not busy:
        yield None
        return
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    SPINNERS.add(spinner.pid)
    try:
        yield spinner
    finally:
        spinner.terminate()
        spinner.wait()
        SPINNERS.discard(spinner.pid)


def machine():
    """One line naming the date, CPU, load and library versions."""
    import numpy as np
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
    return (
        f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {cpu}, "
        f"{os.cpu_count()} logical cores, load average {load_average()}; "
        f"Python {platform.python_version()}, torch {torch.__version__} "
        f"({torch.get_num_threads()} threads by default), "
        f"scikit-learn {sklearn.__version__}, skorch {skorch.__version__}, "
        f"NumPy {np.__version__}; {platform.platform()}"
    )


def load_average():
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


@contextlib.contextmanager
def torch_threads(n_threads):
    """Run the block with `n_threads` torch threads, the setting restored after."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)
