"""One first fit in this fresh process, timed; run by the cold-start section.

Usage: ``python -m benchmarks.performance.probes.cold_fit {ours,hand} N_WINDOWS
HIDDEN_SIZE``. Prints the seconds of the fit. torch is imported and set to one
thread before the clock on both sides, so both pay the same lazy imports inside
it (the first optimizer's).
"""

import sys
import time

import numpy as np
import torch


def main(side, n_windows, hidden_size):
    X = np.random.default_rng(0).standard_normal((n_windows, 24, 5), dtype=np.float32)
    y = np.random.default_rng(1).standard_normal(n_windows, dtype=np.float32)
    torch.set_num_threads(1)
    if side == "hand":
        from ..handloop import hand_fit

        X_t, y_t = torch.from_numpy(X), torch.from_numpy(y).reshape(-1, 1)
        start = time.perf_counter()
        hand_fit(
            X_t, y_t, cell="lstm", hidden_size=hidden_size, epochs=1, batch_size=32
        )
    else:
        from sklearn_rnn import LSTMForecaster

        estimator = LSTMForecaster(
            hidden_size,
            max_epochs=1,
            loss="squared_error",
            patience=None,
            random_state=0,
        )
        start = time.perf_counter()
        estimator.fit(X, y)
    print(time.perf_counter() - start)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
