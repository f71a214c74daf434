"""Benchmarks of sklearn-rnn: one command prints every figure of docs/performance.md.

Run from the repository root:

    python -m benchmarks.performance.run               # every section but the profile
    python -m benchmarks.performance.run --quick       # tiny sizes, one round: it runs
    python -m benchmarks.performance.run --only fit predict
    python -m benchmarks.performance.run --only fit --batch-sizes 32 --busy
    python -m benchmarks.performance.run --only time_to_accuracy --datasets weather
    python -m benchmarks.performance.run --profile     # add where an epoch's time goes

Every speed is a ratio to a reference measured in the same process, in the same
rounds: the references and our code take turns (the order rotates each round),
and the ratio column is the median of the per-round ratios. Each cell shows the
median of the rounds and their range [min-max]. The tool prints figures and
ratios; docs/performance.md says what they mean.

Layout: ``harness.py`` (rows, interleaved rounds, ratios, tables, fresh
interpreters), ``config.py`` (sizes of the full and the quick suite),
``data.py``, ``handloop.py`` (the reference training loop), one module per
section in ``sections/`` with their registry, and in ``probes/`` the scripts
that sections run in fresh interpreters (``cold_fit``, ``first_optimizer``,
``import_timer``, ``grid_script``, ``memory_probe``).
"""

import argparse
import sys
import time

from .config import make_config
from .harness import busy_core, load_average, machine
from .sections import DEFAULT, REGISTRY


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one round")
    parser.add_argument("--only", nargs="+", choices=REGISTRY, help="sections to run")
    parser.add_argument("--profile", action="store_true", help="add the epoch profile")
    parser.add_argument(
        "--rounds", type=int, help="rounds of the fit and time-to-accuracy comparisons"
    )
    parser.add_argument(
        "--busy",
        action="store_true",
        help="keep one core busy with a spinning process for the whole run",
    )
    parser.add_argument(
        "--batch-sizes", nargs="+", type=int, help="batch sizes of the fit section"
    )
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=("weather", "synthetic"),
        help="data sets of the time-to-accuracy section",
    )
    return parser.parse_args(argv)


def chosen_sections(args):
    """The section names to run, in the registry's order."""
    if args.only:
        names = list(args.only)
    elif args.quick:
        # Quick mode proves the suite runs; the cold start only repeats imports.
        names = [name for name in DEFAULT if name != "cold"]
    else:
        names = list(DEFAULT)
    if args.profile and "profile" not in names:
        names.append("profile")
    return names


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    args = parse_args(argv)
    cfg = make_config(
        args.quick,
        batch_sizes=tuple(args.batch_sizes) if args.batch_sizes else None,
        tta_datasets=tuple(args.datasets) if args.datasets else None,
    )
    if args.rounds:
        cfg.rounds = cfg.tta_rounds = args.rounds

    import torch

    command = " ".join(["python -m benchmarks.performance.run", *argv])
    print(f"## sklearn-rnn benchmarks\n\n`{command}`")
    print(f"\n{machine()}")
    with busy_core(args.busy):
        state = "busy: one process spinning on a core" if args.busy else "no spinner"
        print(f"\nMachine state for this run: {state}.")
        user_threads = torch.get_num_threads()
        for name in chosen_sections(args):
            start = time.perf_counter()
            try:
                REGISTRY[name](cfg)
            finally:
                # A section that changes torch's threads must not leak them.
                torch.set_num_threads(user_threads)
            print(f"\n({name}: {time.perf_counter() - start:.0f} s)")
    print(f"\nLoad average at the end: {load_average()}")


if __name__ == "__main__":
    main()
