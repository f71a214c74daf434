"""The training loop's own callbacks, and the check of the user's.

skorch documents one way for a callback to end training: raise KeyboardInterrupt
in ``on_epoch_end``, which ``partial_fit`` catches, as it catches Ctrl-C.
:class:`EpochEnds` tells the two apart: an epoch that reached its end was ended
by a callback, one that did not was interrupted.
"""

import copy
import math

from skorch.callbacks import Callback

# A training loss above this, on the standardized target, is divergence: there
# predicting the training mean scores at most 1 (squared or absolute error).
_DIVERGED_TRAIN_LOSS = 1e3


class StopOnDivergence(Callback):
    """Stop with an explanation as soon as an epoch's loss diverges.

    A loss that is not finite diverged. So did a training loss above
    ``_DIVERGED_TRAIN_LOSS``: the absolute error, whose gradients are bounded,
    can stay finite while the weights run away. The training loss is measured
    before each update, so an update that blows the weights up in the last
    batch shows first in the validation loss. The validation loss has no upper
    bound here: a validation tail may lie far from the training rows.
    """

    def __init__(self, estimator_name, lr):
        self.estimator_name = estimator_name
        self.lr = lr

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        for name, label in (("train_loss", "training"), ("valid_loss", "validation")):
            loss = row.get(name, 0.0)
            if not math.isfinite(loss):
                self._raise(f"the {label} loss became {loss}", row["epoch"])
        loss = row.get("train_loss", 0.0)
        if loss > _DIVERGED_TRAIN_LOSS:
            self._raise(
                f"the training loss reached {loss:.3g} on the standardized target, "
                f"above {_DIVERGED_TRAIN_LOSS:g} where predicting the mean scores at "
                "most 1,",
                row["epoch"],
            )

    def _raise(self, what, epoch):
        raise ValueError(
            f"{self.estimator_name} training diverged: {what} at epoch {epoch}. "
            f"Use a smaller learning rate (lr={self.lr} now, try 10 times smaller), "
            "and check X and y for outliers far from the rest of the data."
        )


class TailEarlyStopping(Callback):
    """Stop when the validation loss stops improving; keep the best epoch's weights.

    An epoch improves when its validation loss is below the best so far by more
    than `threshold` of that best. After `patience` epochs without improvement,
    training ends (by raising KeyboardInterrupt in ``on_epoch_end``, as skorch
    documents for callbacks), and at the end of training the module gets the
    weights of the best epoch back, whatever ended it.
    """

    def __init__(self, patience, threshold=1e-4, sink=None):
        self.patience = patience
        self.threshold = threshold
        self.sink = sink

    def on_train_begin(self, net, **kwargs):
        self.best_loss_ = math.inf
        self.bar_ = math.inf
        self.best_epoch_ = None
        self.best_state_ = None
        self.misses_ = 0
        self.stopped_ = False

    def on_epoch_end(self, net, **kwargs):
        row = net.history[-1]
        loss = row["valid_loss"]
        if loss < self.bar_:
            self.best_loss_, self.best_epoch_, self.misses_ = loss, row["epoch"], 0
            # The next epoch must beat this one by `threshold` of it.
            self.bar_ = loss - self.threshold * abs(loss)
            self.best_state_ = copy.deepcopy(net.module_.state_dict())
            return
        self.misses_ += 1
        if self.misses_ >= self.patience:
            self.stopped_ = True
            if self.sink is not None:
                self.sink(
                    f"Stopping: the validation loss has not improved for "
                    f"{self.patience} epochs; keeping epoch {self.best_epoch_}."
                )
            raise KeyboardInterrupt

    def on_train_end(self, net, **kwargs):
        if self.best_state_ is not None and self.best_epoch_ != len(net.history):
            net.module_.load_state_dict(self.best_state_)
        self.best_state_ = None

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("best_state_", None)
        return state


class EpochEnds(Callback):
    """Count the epochs that reached their end; first in line, so it sees every one.

    An epoch whose end was reached, followed by no further epoch, was ended by a
    callback (ours or the user's); one that never reached its end was
    interrupted (Ctrl-C, or a KeyboardInterrupt raised inside a batch).
    """

    def on_train_begin(self, net, **kwargs):
        self.n_ended_ = 0

    def on_epoch_end(self, net, **kwargs):
        self.n_ended_ = len(net.history)


class _Printer:
    """Sink for our messages when verbose, silent otherwise."""

    def __init__(self, verbose):
        self.verbose = verbose

    def __call__(self, text):
        if self.verbose:
            print(text, flush=True)


# Callback names the training loop uses itself (skorch's defaults and ours).
RESERVED_CALLBACK_NAMES = frozenset(
    {"epoch_timer", "train_loss", "valid_loss", "print_log"}
    | {"epoch_ends", "early_stopping", "stop_on_divergence", "progress"}
)


def check_callbacks(callbacks, n_valid, estimator_name, validation_settings):
    """Return deep copies of the user's `callbacks` as (name or None, callback) pairs.

    `validation_settings` is the text that says why there is no validation tail,
    for the message about callbacks that watch a validation score.
    """
    checked = []
    for item in callbacks or []:
        if isinstance(item, tuple):
            if not (len(item) == 2 and isinstance(item[0], str)):
                raise TypeError(
                    f"The 'callbacks' parameter of {estimator_name} takes skorch "
                    "callbacks or (name, callback) pairs with a str name; got "
                    f"{item!r}. Pass for example callbacks=[('lr', LRScheduler())]."
                )
            name, callback = item
        else:
            name, callback = None, item
        if not isinstance(callback, Callback):
            raise TypeError(
                f"The 'callbacks' parameter of {estimator_name} takes skorch "
                "callbacks (skorch.callbacks.Callback instances) or (name, "
                f"callback) pairs; got {item!r}. Pass an instance, for example "
                "callbacks=[LRScheduler()] rather than the class."
            )
        if name in RESERVED_CALLBACK_NAMES:
            raise ValueError(
                f"The callback name {name!r} in 'callbacks' of {estimator_name} is "
                "used by the training loop itself; choose another name."
            )
        monitor = getattr(callback, "monitor", None)
        if not n_valid and isinstance(monitor, str) and monitor.startswith("valid"):
            raise ValueError(
                f"The callback {name or type(callback).__name__} in 'callbacks' "
                f"of {estimator_name} watches {monitor!r}, which exists only with a "
                f"validation tail; now {validation_settings} turn validation off. "
                "Set both, or watch 'train_loss'."
            )
        checked.append((name, callback))
    try:
        return copy.deepcopy(checked)
    except Exception as error:
        raise TypeError(
            f"The 'callbacks' parameter of {estimator_name} holds a callback that "
            f"cannot be copied ({type(error).__name__}: {error}); every fit trains "
            "with copies of the callbacks. Pass callbacks without open files, "
            "locks or other live resources, or create those in on_train_begin."
        ) from None
