"""Training steps of an LSTM on one and on two torch threads, and the policy.

Reads the package's private thread helpers (``_network.threads.torch_threads`` and
``_network.threads.thread_count``) to print what the policy decides: they are what
is measured here, so this section follows them when they change.
"""

from ..harness import Row, interleaved, print_table, ratios


def run(cfg):
    import torch

    from sklearn_rnn._network import threads as _training

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
            policy = _training.thread_count(None, module, batch_size, "cpu")
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
    _print_worker_threads(before)


def _print_worker_threads(before):
    """What a joblib (loky) worker is given, and what a fit there runs with."""
    import torch
    from joblib import Parallel, delayed

    from sklearn_rnn._network import threads as _training

    module = torch.nn.LSTM(5, 32, batch_first=True)

    # Defined here so that joblib ships it by value to the workers.
    def probe():
        import os as os_

        import torch as torch_

        from sklearn_rnn._network import threads as training

        at_start = torch_.get_num_threads()
        lstm = torch_.nn.LSTM(5, 32, batch_first=True)
        # A network large enough to take the whole budget shows the budget.
        large = torch_.nn.LSTM(512, 2048)
        budget = training.thread_count(None, large, 4096, "cpu")
        in_fit = training.thread_count(None, lstm, 32, "cpu")
        return os_.environ.get("OMP_NUM_THREADS"), at_start, budget, in_fit

    def here():
        return before, _training.thread_count(None, module, 32, "cpu")

    workers = Parallel(n_jobs=2)(delayed(probe)() for _ in range(2))
    print(
        "\nIn a loky worker of n_jobs=2: OMP_NUM_THREADS={}, torch threads at "
        "start {}, budget in fit {}, used by a small fit {}. In this process: "
        "torch threads {}, used by a small fit {}.".format(*workers[0], *here())
    )
