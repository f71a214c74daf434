"""Training epochs of an LSTM on one and on two torch threads, and the policy.

Every figure comes through the forecaster: fits with ``n_threads=1`` and
``n_threads=2`` take turns, and each is timed by the duration of its last
epoch in ``history_``, per training step, so that the setup of a fit is left
out. What the default ``n_threads=None`` decides is read inside a fit, by a
callback that asks torch for its number of threads when an epoch begins.
"""

from ..harness import Row, interleaved, print_table, ratios

EPOCHS = 2  # the last one is timed: the first pays for the optimizer's state


def run(cfg):
    import numpy as np

    from sklearn_rnn import LSTMForecaster

    rows = []
    for hidden, batch_size in cfg.thread_sizes:
        rng = np.random.default_rng(0)
        n_windows = cfg.thread_steps * batch_size
        X = rng.standard_normal((n_windows, 24, 5), dtype=np.float32)
        y = rng.standard_normal(n_windows, dtype=np.float32)

        def forecaster(n_threads, hidden=hidden, batch_size=batch_size):
            return LSTMForecaster(
                hidden,
                batch_size=batch_size,
                max_epochs=EPOCHS,
                patience=None,
                random_state=0,
                n_threads=n_threads,
            )

        per_step = {1: [], 2: []}

        def epoch(n_threads, forecaster=forecaster, X=X, y=y, per_step=per_step):
            history = forecaster(n_threads).fit(X, y).history_
            per_step[n_threads].append(history[-1]["dur"] / cfg.thread_steps)

        forecaster(1).fit(X, y)  # warm-up
        interleaved({n: lambda n=n: epoch(n) for n in per_step}, cfg.thread_rounds)
        policy = _threads_in_fit(forecaster(None), X, y)
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
        "Threads: training steps of LSTMForecaster, 24 steps x 5 features, "
        "n_threads=2 against n_threads=1 (ratio < 1: two threads are faster)",
        rows,
    )
    _print_worker_threads()


def _threads_in_fit(estimator, X, y):
    """Fit `estimator` on `X`, `y`; the torch threads its epochs ran on."""
    import torch
    from skorch.callbacks import Callback

    class Threads(Callback):
        def on_epoch_begin(self, net, **kwargs):
            self.seen_ = torch.get_num_threads()

    estimator.set_params(callbacks=[("threads", Threads())]).fit(X, y)
    return dict(estimator.callbacks_)["threads"].seen_


def _print_worker_threads():
    """What a joblib (loky) worker is given, and what fits there run with."""
    from joblib import Parallel, delayed

    # Self-contained, so that joblib ships it by value to the workers.
    def probe():
        import os

        import numpy as np
        import torch
        from skorch.callbacks import Callback

        from sklearn_rnn import LSTMForecaster

        class Threads(Callback):
            def on_epoch_begin(self, net, **kwargs):
                self.seen_ = torch.get_num_threads()

        def threads_in_fit(hidden, batch_size, steps):
            X = np.zeros((batch_size, steps, 5), dtype=np.float32)
            y = np.arange(batch_size, dtype=np.float32)
            estimator = LSTMForecaster(
                hidden,
                batch_size=batch_size,
                max_epochs=1,
                patience=None,
                random_state=0,
                callbacks=[("threads", Threads())],
            ).fit(X, y)
            return dict(estimator.callbacks_)["threads"].seen_

        at_start = torch.get_num_threads()
        # A network large enough for several threads, and a small one.
        large = threads_in_fit(512, 512, 2)
        small = threads_in_fit(32, 32, 24)
        return os.environ.get("OMP_NUM_THREADS"), at_start, large, small

    workers = Parallel(n_jobs=2)(delayed(probe)() for _ in range(2))
    _, here_at_start, here_large, here_small = probe()
    print(
        "\nIn a loky worker of n_jobs=2: OMP_NUM_THREADS={}, torch threads at "
        "start {}, used by a fit of LSTM(512) at batch 512 {}, by a fit of "
        "LSTM(32) at batch 32 {}. In this process: torch threads {}, used by "
        "the same fits {} and {}.".format(
            *workers[0], here_at_start, here_large, here_small
        )
    )
