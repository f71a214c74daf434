"""Building and running the network: the glue between the forecasters and skorch.

skorch runs the epochs, callbacks and history, driven only through its public
extension points:

* the dataset is a :class:`WindowDataset`, which skorch passes through as it is,
  and the iterators are :class:`WindowBatches`, which gather mini-batches
  straight from the caller's strided windows (the windows of the whole series
  are never materialized);
* ``train_split`` is :class:`TailSplit`, which holds out the chronological tail;
* the criterion is :class:`ForecastLoss`, which reads the sample weights that
  travel with the targets;
* early stopping is skorch's own ``EarlyStopping(load_best=True)``, and
  :class:`StopOnDivergence` is a plain callback.

No NeuralNet method is overridden.
"""

import math
import os
import threading
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, EarlyStopping
from torch import nn
from torch.nn import functional as F

from ._modules import GATES

# Inference batches (prediction, validation) are cut so that their inputs and the
# recurrent layers' per-step values take about this many floats (8 MiB): the
# recurrent layers hold several times their input, and larger batches are no
# faster (docs/performance.md).
_INFERENCE_BATCH_VALUES = 1 << 21


class WindowDataset(torch.utils.data.Dataset):
    """Windows, their padding counts, targets and weights, sliced without copying."""

    def __init__(self, X, n_pad, y=None, sample_weight=None, pin_memory=False):
        self.X = X
        self.n_pad = n_pad
        self.y = y
        self.sample_weight = sample_weight
        self.pin_memory = pin_memory
        self._padded = bool(n_pad.any())

    def __len__(self):
        return len(self.X)

    def subset(self, rows):
        def part(values):
            return None if values is None else values[rows]

        return WindowDataset(
            self.X[rows],
            self.n_pad[rows],
            part(self.y),
            part(self.sample_weight),
            self.pin_memory,
        )

    def _tensor(self, array, dtype=None):
        array = np.ascontiguousarray(array, dtype=dtype)
        if not array.flags.writeable:
            # Windows are read-only views; torch wants memory it may write to.
            array = array.copy()
        tensor = torch.from_numpy(array)
        return tensor.pin_memory() if self.pin_memory else tensor

    def batch(self, rows):
        """Gather windows `rows` into one float32 batch (a copy of the batch only)."""
        inputs = {"X": self._tensor(self.X[rows], np.float32)}
        if self._padded:
            n_pad = self.n_pad[rows]
            if n_pad.any():
                inputs["n_pad"] = self._tensor(n_pad)
        if self.y is None:
            return inputs, None
        target = self._tensor(self.y[rows], np.float32)
        if self.sample_weight is None:
            return inputs, target
        weight = self._tensor(self.sample_weight[rows], np.float32)
        return inputs, {"y": target, "sample_weight": weight}


class WindowBatches:
    """Mini-batches over a :class:`WindowDataset`, optionally reshuffled each epoch.

    skorch builds this once per fit and iterates it once per epoch, so the
    random generator carries over from epoch to epoch.
    """

    def __init__(self, dataset, batch_size, shuffle=False, random_state=None):
        self.dataset = dataset
        self.batch_size = batch_size
        self.shuffle = shuffle
        self._rng = np.random.default_rng(random_state)

    def __len__(self):
        return math.ceil(len(self.dataset) / self.batch_size)

    def __iter__(self):
        n_samples = len(self.dataset)
        order = self._rng.permutation(n_samples) if self.shuffle else None
        for start in range(0, n_samples, self.batch_size):
            stop = min(start + self.batch_size, n_samples)
            rows = slice(start, stop) if order is None else order[start:stop]
            yield self.dataset.batch(rows)


class TailSplit:
    """Hold out the last `n_valid` windows, in time order, for validation."""

    def __init__(self, n_valid):
        self.n_valid = n_valid

    def __call__(self, dataset, y=None, **fit_params):
        n_train = len(dataset) - self.n_valid
        return dataset.subset(slice(0, n_train)), dataset.subset(slice(n_train, None))


class ForecastLoss(nn.Module):
    """Mean absolute, squared or pinball loss, weighted by sample where given.

    With `quantiles`, the outputs are ``n_outputs * len(quantiles)`` values per
    window, quantiles varying fastest, and the loss is the pinball loss averaged
    over outputs and quantiles. A target given as a dict carries
    ``"sample_weight"`` next to ``"y"``: the loss is then the weighted mean of
    the per-window losses.
    """

    def __init__(self, loss, quantiles=None):
        super().__init__()
        self.loss = loss
        self.quantiles = None if quantiles is None else tuple(quantiles)

    def per_value(self, y_pred, y):
        if self.quantiles is not None:
            levels = torch.tensor(self.quantiles, dtype=y.dtype, device=y.device)
            y_pred = y_pred.view(len(y), y.shape[1], len(self.quantiles))
            diff = y.unsqueeze(-1) - y_pred
            return torch.maximum(levels * diff, (levels - 1) * diff).flatten(1)
        if self.loss == "squared_error":
            return (y_pred - y).square()
        return (y_pred - y).abs()

    def forward(self, y_pred, target):
        if not isinstance(target, dict):
            if self.quantiles is None:
                loss = F.mse_loss if self.loss == "squared_error" else F.l1_loss
                return loss(y_pred, target)
            return self.per_value(y_pred, target).mean()
        weight = target["sample_weight"]
        per_window = self.per_value(y_pred, target["y"]).mean(dim=1)
        return (per_window * weight).sum() / weight.sum().clamp_min(1e-12)


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
            f"Use a smaller learning rate (lr={self.lr} now, try 10 times smaller) "
            "and scale the inputs, for example with StandardScaler before "
            "WindowTransformer."
        )


def _silent(text):
    """Sink for early stopping's messages when the forecaster is not verbose."""


# Callback names the training loop uses itself (skorch's defaults and ours).
RESERVED_CALLBACK_NAMES = frozenset(
    {"epoch_timer", "train_loss", "valid_loss", "print_log"}
    | {"early_stopping", "stop_on_divergence"}
)


@dataclass
class Training:
    """What a finished training run hands back to the estimator."""

    module: nn.Module
    history: list
    best_epoch: int | None
    optimizer_state: dict
    callbacks: list


_HISTORY_KEYS = ("epoch", "train_loss", "valid_loss", "dur")


def train(module, dataset, *, spec, optimizer_state=None):
    """Train `module` on `dataset` with skorch and return a :class:`Training`.

    `spec` is a :class:`TrainingSpec`. The module is trained in place; the
    caller passes a copy when the original must survive a failure. A
    KeyboardInterrupt (Ctrl-C, or raised by a callback) propagates: skorch
    would end the fit early and quietly, which a scikit-learn user would take
    for a finished fit.
    """
    # The user's callbacks come first: they see every epoch's end, also the one
    # at which early stopping ends the loop (by raising KeyboardInterrupt).
    callbacks = list(spec.callbacks)
    callbacks.append(("stop_on_divergence", StopOnDivergence(spec.name, spec.lr)))
    if spec.n_valid:
        stopper = EarlyStopping(
            patience=spec.patience,
            threshold=1e-4,
            load_best=True,
            sink=print if spec.verbose else _silent,
        )
        callbacks.append(("early_stopping", stopper))
    optimizer_kwargs = dict(spec.optimizer_kwargs)
    net = NeuralNet(
        module=module,
        criterion=spec.criterion,
        optimizer=spec.optimizer,
        lr=spec.lr,
        **{f"optimizer__{key}": value for key, value in optimizer_kwargs.items()},
        max_epochs=spec.max_epochs,
        batch_size=spec.batch_size,
        iterator_train=WindowBatches,
        iterator_train__shuffle=spec.shuffle,
        iterator_train__random_state=spec.shuffle_seed,
        iterator_valid=WindowBatches,
        iterator_valid__batch_size=spec.valid_batch_size,
        train_split=TailSplit(spec.n_valid) if spec.n_valid else None,
        callbacks=callbacks,
        device=spec.device,
        verbose=spec.verbose,
    )
    net.initialize()
    if optimizer_state is not None:
        net.optimizer_.load_state_dict(optimizer_state)
        # The saved state brings the first fit's settings; this fit's win.
        for group in net.optimizer_.param_groups:
            group["lr"] = spec.lr
            group.update(optimizer_kwargs)
    module.generator = torch.Generator(device=spec.device).manual_seed(
        spec.dropout_seed
    )
    try:
        net.partial_fit(dataset)
    finally:
        module.generator = None
    history = [
        {key: row[key] for key in _HISTORY_KEYS if key in row} for row in net.history
    ]
    stopper = dict(net.callbacks_).get("early_stopping")
    stopped = stopper is not None and stopper.misses_ >= stopper.patience
    if len(history) < spec.max_epochs and not stopped:
        raise KeyboardInterrupt(
            f"{spec.name}.fit was interrupted at epoch {len(history)} of "
            f"{spec.max_epochs}; the estimator is left as it was before the call."
        )
    module.eval()
    return Training(
        module=module,
        history=history,
        best_epoch=None if stopper is None else stopper.best_epoch_,
        optimizer_state=net.optimizer_.state_dict(),
        callbacks=[
            (name, cb) for name, cb in net.callbacks_ if name not in _OWN_CALLBACKS
        ],
    )


_OWN_CALLBACKS = RESERVED_CALLBACK_NAMES


@dataclass
class TrainingSpec:
    """The settings of one training run, resolved by the estimator."""

    name: str
    criterion: nn.Module
    optimizer: type
    optimizer_kwargs: dict
    lr: float
    max_epochs: int
    batch_size: int
    valid_batch_size: int
    shuffle: bool
    shuffle_seed: object
    dropout_seed: int
    n_valid: int
    patience: int | None
    callbacks: list
    device: str
    verbose: int


def resolve_device(device):
    """Map ``"auto"`` to a device and refuse ``"cuda"`` where it is missing."""
    cuda = torch.cuda.is_available()
    if device == "auto":
        return "cuda" if cuda else "cpu"
    if device == "cuda" and not cuda:
        raise ValueError(
            "device='cuda' was requested, but CUDA is not available "
            f"(torch {torch.__version__}, torch.cuda.is_available() is False). "
            "Use device='cpu', or device='auto' to take a GPU only when present."
        )
    return device


_OPTIMIZER_NAMES = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
}
# Optimizers that need what these networks do not give (sparse gradients).
_UNSUITED_OPTIMIZERS = (torch.optim.SparseAdam,)


def optimizer_class(optimizer, weight_decay, estimator_name):
    """Return the torch optimizer class and the keyword arguments it needs."""
    if isinstance(optimizer, str):
        cls = _OPTIMIZER_NAMES[optimizer]
        kwargs = {"weight_decay": weight_decay}
        # The fused kernels take a third of the time of the default per step.
        if optimizer in ("adam", "adamw"):
            kwargs["fused"] = True
        return cls, kwargs
    if not (
        isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer)
    ):
        raise ValueError(
            f"The 'optimizer' parameter of {estimator_name} must be one of 'adam', "
            "'adamw', 'sgd', 'rmsprop' or a subclass of torch.optim.Optimizer. Got "
            f"{optimizer!r} instead."
        )
    if issubclass(optimizer, _UNSUITED_OPTIMIZERS):
        raise ValueError(
            f"The 'optimizer' parameter of {estimator_name} got "
            f"{optimizer.__name__}, which needs sparse gradients; recurrent layers "
            "give dense ones. Use 'adam' or another dense optimizer."
        )
    import inspect

    accepted = inspect.signature(optimizer.__init__).parameters
    if "weight_decay" in accepted:
        return optimizer, {"weight_decay": weight_decay}
    if weight_decay:
        raise ValueError(
            f"{estimator_name} got weight_decay={weight_decay}, but "
            f"{optimizer.__name__} takes no weight_decay argument. Set "
            "weight_decay=0.0 or choose an optimizer that has one, such as 'adamw'."
        )
    return optimizer, {}


# Multiply-adds per time step that one more intra-op thread needs to pay off.
_WORK_PER_THREAD = 1 << 25


def thread_count(n_threads, module, batch_size, device):
    """Torch intra-op threads for a fit or prediction of `module`, None for GPUs.

    An explicit `n_threads` is used as it is. Otherwise the budget is what
    joblib grants a worker through OMP_NUM_THREADS (torch reads it only when it
    starts), else torch's own setting, and a network takes one thread per
    ``_WORK_PER_THREAD`` multiply-adds per time step (the batch size times its
    weights), at least one. A recurrent step is a chain of small operations,
    each a parallel region whose threads meet at a barrier: on free cores a
    second thread speeds a small network up by 1.0x-1.9x, on cores busy with
    other work every barrier waits for a descheduled thread, and the same step
    was measured up to hundreds of times slower (docs/performance.md). One
    thread also makes a small fit bit-identical whatever the core count,
    ``n_jobs`` or load.
    """
    if torch.device(device).type != "cpu":
        return None
    if n_threads is not None:
        return int(n_threads)
    budget = os.environ.get("OMP_NUM_THREADS", "")
    budget = int(budget) if budget.isdigit() and int(budget) > 0 else _user_threads()
    weights = sum(p.numel() for p in module.parameters() if p.dim() == 2)
    return min(budget, max(1, batch_size * weights // _WORK_PER_THREAD))


_THREADS_LOCK = threading.Lock()
_threads_in_use = 0
_threads_before = None


def _user_threads():
    """The caller's torch thread setting, also while another fit has changed it."""
    with _THREADS_LOCK:
        return _threads_before if _threads_in_use else torch.get_num_threads()


@contextmanager
def torch_threads(count):
    """Run the block on `count` torch threads; give the caller's setting back after.

    The setting is process-wide: fits running at once in several Python threads
    share it, and the caller's value comes back when the last of them ends.
    None leaves the setting alone.
    """
    global _threads_in_use, _threads_before
    if count is None:
        yield
        return
    with _THREADS_LOCK:
        if not _threads_in_use:
            _threads_before = torch.get_num_threads()
        _threads_in_use += 1
        if torch.get_num_threads() != count:
            torch.set_num_threads(count)
    try:
        yield
    finally:
        with _THREADS_LOCK:
            _threads_in_use -= 1
            if not _threads_in_use and torch.get_num_threads() != _threads_before:
                torch.set_num_threads(_threads_before)


def inference_batch_size(config, n_steps):
    """Windows per inference batch that keep it near ``_INFERENCE_BATCH_VALUES``."""
    gates = GATES[config["cell"]] * config["hidden_size"]
    values_per_window = n_steps * (config["n_features"] + gates * config["num_layers"])
    return max(1, _INFERENCE_BATCH_VALUES // values_per_window)


def predict_windows(module, config, X, n_pad, device, n_threads):
    """Run `module` over all windows of `X` in large batches, without autograd."""
    n_samples, n_steps, _ = X.shape
    chunk = inference_batch_size(config, n_steps)
    on_cpu = torch.device(device).type == "cpu"
    dataset = WindowDataset(X, n_pad, pin_memory=not on_cpu)
    threads = thread_count(n_threads, module, min(chunk, n_samples), device)
    outputs = []
    module.eval()
    with torch.inference_mode(), torch_threads(threads):
        for start in range(0, n_samples, chunk):
            inputs, _ = dataset.batch(slice(start, start + chunk))
            if not on_cpu:
                inputs = {
                    name: t.to(device, non_blocking=True) for name, t in inputs.items()
                }
            outputs.append(module(**inputs))
            del inputs
        # One transfer (and synchronization) for all chunks.
        y_pred = torch.cat(outputs) if len(outputs) > 1 else outputs[0]
        return y_pred.cpu().numpy()
