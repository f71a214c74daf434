"""Import time of the package in fresh interpreters, and what it loads."""

from ..harness import Row, print_table, ratios, run_script

HEAVY = ("torch", "skorch", "matplotlib")
STATEMENTS = {
    "sklearn_rnn": "import sklearn_rnn; sklearn_rnn.LSTMForecaster()",
    "sklearn": "import sklearn",
    "sklearn.base": "import sklearn.base",
    "torch": "import torch",
}
REFERENCES = {
    "sklearn": "import sklearn",
    "sklearn.base": "import sklearn.base (what it needs)",
    "torch": "import torch (for scale)",
}


def run(cfg):
    statements = STATEMENTS
    if cfg.quick:
        statements = {name: STATEMENTS[name] for name in ("sklearn_rnn", "sklearn")}
    times = {name: [] for name in statements}
    loaded, cumulative = set(), []
    for round_ in range(cfg.import_rounds):
        for name, statement in statements.items():
            # -X importtime once, for the table of `import sklearn_rnn`; it
            # slows the import a little, so that round is not timed.
            profile = name == "sklearn_rnn" and round_ == 0
            flags = ["-X", "importtime"] if profile else []
            result = run_script("import_timer", statement, flags=flags)
            seconds, modules = result.stdout.split(maxsplit=1)
            if profile:
                loaded |= set(modules.split())
                cumulative = _import_times(result.stderr)
            if round_ == 0 and cfg.import_rounds > 1:
                # The profiled round is not timed; drop round 0 of every
                # statement so each ratio pairs the same rounds.
                continue
            times[name].append(float(seconds))
    heavy = sorted(loaded & set(HEAVY))
    rows = [
        Row(
            "import sklearn_rnn; LSTMForecaster()",
            times["sklearn_rnn"],
            label,
            times[name],
            ratios(times["sklearn_rnn"], times[name]),
        )
        for name, label in REFERENCES.items()
        if name in times
    ]
    print_table("Import: fresh interpreters, wall time of the statement", rows)
    print(
        "\nPackages loaded by `import sklearn_rnn; LSTMForecaster()`, of "
        f"{', '.join(HEAVY)}: {heavy or 'none'}; also loaded: "
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
