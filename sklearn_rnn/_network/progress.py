"""One plain line per epoch: "epoch k/N", losses, elapsed and estimated time left."""

import time

from skorch.callbacks import Callback


def _clock(seconds):
    seconds = int(round(seconds))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return (
        f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"
    )


class EpochProgress(Callback):
    """Print a line at each epoch's end, with no terminal escape codes.

    The time left assumes the remaining epochs run as long as the mean epoch so
    far, up to `max_epochs`; early stopping may end training sooner.
    """

    def __init__(self, max_epochs, sink):
        self.max_epochs = max_epochs
        self.sink = sink

    def on_train_begin(self, net, **kwargs):
        self.start_ = time.perf_counter()
        self.first_epoch_ = len(net.history)

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        done = len(net.history) - self.first_epoch_
        elapsed = time.perf_counter() - self.start_
        left = elapsed / done * (self.max_epochs - done)
        losses = f"train_loss {row['train_loss']:.4f}"
        if "valid_loss" in row:
            losses += f"  valid_loss {row['valid_loss']:.4f}"
        self.sink(
            f"epoch {done}/{self.max_epochs}  {losses}  "
            f"elapsed {_clock(elapsed)}  left <= {_clock(left)}"
        )
