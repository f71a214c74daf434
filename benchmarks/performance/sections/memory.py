"""Peak memory of one fit, each scenario in a fresh process (``probes/memory_probe``).

Linux only: the probe reads ``/proc/self/status``.
"""

import json
import statistics

from ..harness import Row, print_table, run_script


def run(cfg):
    n_rows, n_features, window_length = cfg.memory_size
    series_mib = n_rows * n_features * 8 / 2**20
    windows_mib = n_rows * window_length * n_features * 4 / 2**20
    kept = {}

    def probe(scenario, rows=n_rows, traced=False):
        args = [scenario, rows, n_features, window_length] + ["--traced"] * traced
        result = json.loads(run_script("memory_probe", *args).stdout)
        if traced:
            return result["traced_peak_mib"]
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
        rows.append(
            Row(
                label,
                growth,
                f"float64 series {series_mib:.1f} MiB; windows {windows_mib:.0f} MiB",
                [series_mib],
                [(g - fixed_mib) / series_mib for g in growth],
                unit="MiB",
            )
        )
        traced = probe(scenario, traced=True)
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
