"""``predict`` against one forward pass of the fitted module, one torch thread."""

import numpy as np

from ..data import weather_windows
from ..harness import compared, interleaved, print_table, torch_threads


def run(cfg):
    import torch

    from sklearn_rnn import LSTMForecaster

    W, y, W_test, _ = weather_windows(cfg.n_train, cfg.n_predict)
    with torch_threads(1):
        est = LSTMForecaster(
            cfg.hidden, max_epochs=1, patience=None, random_state=0
        ).fit(W, y)
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
        )
    ]
    print_table(
        "Prediction: 1 torch thread, inputs ready as a tensor for the reference", rows
    )
