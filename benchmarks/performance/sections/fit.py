"""``fit`` against the hand-written loop, per step of training.

LSTM and SimpleRNN, batch 32 and 256, no validation, the squared error on both
sides. The hand loop runs on torch's default number of threads, as a user's
script does; our fit runs on its own thread policy (``n_threads=None``).
"""

import numpy as np

from ..data import weather_windows
from ..harness import compared, interleaved, print_table


def run(cfg):
    import torch

    from sklearn_rnn import LSTMForecaster, SimpleRNNForecaster

    W, y, _, _ = weather_windows(cfg.fit_windows, 0)
    X_t = torch.from_numpy(np.ascontiguousarray(W))
    y_std = ((y - y.mean()) / y.std()).astype(np.float32)
    y_t = torch.from_numpy(y_std).reshape(-1, 1)
    rows, losses = [], []
    for cell, cls in (("lstm", LSTMForecaster), ("rnn", SimpleRNNForecaster)):
        for batch_size in cfg.batch_sizes:
            hand = _hand(X_t, y_t, cell, batch_size, cfg)
            ours = _ours(W, y, cls, batch_size, cfg)
            losses.append((cell, batch_size, hand(False)[-1], ours()[-1]))
            times = interleaved(
                {
                    "ours": ours,
                    "hand": lambda hand=hand: hand(False),
                    "hand_fused": lambda hand=hand: hand(True),
                },
                cfg.rounds,
            )
            label = f"{cls.__name__}({cfg.hidden}) fit, batch {batch_size}"
            rows.append(
                compared(label, times, "ours", "hand", "hand loop, default Adam")
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
        f"Training: {len(W)} windows x 24 steps x 5 features, {cfg.fit_epochs} "
        f"epochs, no validation; hand loop on torch's {torch.get_num_threads()} "
        "threads, ours on its thread policy"
    )
    print_table(title, rows)
    print("\nLast-epoch training loss (same work on both sides):")
    for cell, batch_size, hand_loss, our_loss in losses:
        print(f"- {cell} batch {batch_size}: hand {hand_loss:.4f}, ours {our_loss:.4f}")


def _hand(X_t, y_t, cell, batch_size, cfg):
    """The hand loop on these tensors; its per-epoch losses."""
    import torch

    from ..handloop import hand_fit

    def hand(fused):
        torch.manual_seed(0)
        _, epoch_losses = hand_fit(
            X_t,
            y_t,
            cell=cell,
            hidden_size=cfg.hidden,
            epochs=cfg.fit_epochs,
            batch_size=batch_size,
            fused=fused,
        )
        return epoch_losses

    return hand


def _ours(W, y, cls, batch_size, cfg):
    """Our fit on the same windows; its per-epoch training losses."""
    from ..handloop import matched_forecaster

    def ours():
        est = matched_forecaster(
            cls, cfg.hidden, epochs=cfg.fit_epochs, batch_size=batch_size
        ).fit(W, y)
        return [row["train_loss"] for row in est.history_]

    return ours
