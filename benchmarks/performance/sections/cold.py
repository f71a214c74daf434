"""The first fit of a process, ours and the hand loop's, in fresh interpreters."""

from ..harness import Row, print_table, ratios, run_script


def run(cfg):
    ours, hand, first, second = [], [], [], []
    for _ in range(cfg.cold_rounds):
        for side, times in (("ours", ours), ("hand", hand)):
            out = run_script("cold_fit", side, cfg.n_train, cfg.hidden).stdout
            times.append(float(out))
        a, b = run_script("first_optimizer").stdout.split()
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
