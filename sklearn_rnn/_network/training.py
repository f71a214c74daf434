"""Training the network with skorch, driven only through its public hooks.

* the dataset is a :class:`WindowDataset`, which skorch passes through as it is,
  and the iterators are :class:`WindowBatches`, which gather mini-batches
  straight from the caller's strided windows (the windows of the whole series
  are never materialized);
* ``train_split`` is :class:`TailSplit`, which holds out the chronological tail;
* the criterion is :class:`ForecastLoss`, which reads the sample weights that
  travel with the targets;
* :class:`TailEarlyStopping` and :class:`StopOnDivergence` are plain callbacks,
  and :class:`EpochEnds` records which epochs ran to their end, so that the
  reason the loop stopped is known from skorch's documented behaviour alone:
  a callback ends training by raising KeyboardInterrupt in ``on_epoch_end``,
  which ``partial_fit`` catches, as it catches Ctrl-C.

No NeuralNet method is overridden. :func:`fit_network` is the one entry point
the estimators call.
"""

import copy
import math
from dataclasses import dataclass

import numpy as np
import torch
from skorch import NeuralNet
from torch import nn
from torch.nn import functional as F

from .callbacks import (
    RESERVED_CALLBACK_NAMES,
    EpochEnds,
    StopOnDivergence,
    TailEarlyStopping,
    _Printer,
)
from .modules import QuickModeMixin, build_module
from .state import optimizer_state_from_arrays, optimizer_state_to_arrays
from .threads import thread_count, torch_threads


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
        """Gather windows `rows` into one float32 batch (a copy of the batch only).

        The inputs are the windows as one tensor, or a dict with their padding
        counts too (``{"X": ..., "n_pad": ...}``) when some window of the batch
        is padded: skorch hands a tensor to the module directly, which costs
        less per step than unpacking a dict.
        """
        inputs = self._tensor(self.X[rows], np.float32)
        if self._padded:
            n_pad = self.n_pad[rows]
            if n_pad.any():
                inputs = {"X": inputs, "n_pad": self._tensor(n_pad)}
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


class ForecastLoss(QuickModeMixin, nn.Module):
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


@dataclass
class TrainingSpec:
    """The settings of one training run, as plain values resolved by the estimator."""

    name: str
    loss: str
    quantiles: tuple | None
    optimizer: object
    weight_decay: float
    lr: float
    max_epochs: int
    batch_size: int
    shuffle: bool
    n_valid: int
    patience: int | None
    callbacks: list
    device: str
    n_threads: int | None
    verbose: int
    weight_seed: int
    dropout_seed: int
    shuffle_seed: object
    input_scaling: tuple
    ridge_blend: bool = False


@dataclass
class Training:
    """What a finished training run hands back to the estimator.

    ``stop_reason`` is "max_epochs", "early_stopping" or "callback" (a callback
    of the user's ended training). ``optimizer_state`` is plain lists, dicts and
    arrays, ready to pickle. ``blend_weights`` is the ridge's share of each
    output (:mod:`.blend`), None when none was mixed in.
    """

    module: nn.Module
    device: str
    history: list
    best_epoch: int | None
    stop_reason: str
    optimizer_state: dict
    callbacks: list
    blend_weights: object = None


_HISTORY_KEYS = ("epoch", "train_loss", "valid_loss", "dur")


def fit_network(X, n_pad, target, sample_weight, *, config, spec, warm=None):
    """Build (or copy) the network, train it on the windows and return a Training.

    `warm` is ``(module, optimizer_state)`` of a fitted estimator to continue; the
    module is copied, so a failed fit leaves it as it was.
    """
    from .blend import blend_ridge
    from .inference import inference_batch_size

    if warm is None:
        module = build_module(config, spec.weight_seed, spec.device, spec.input_scaling)
        optimizer_state = None
    else:
        module = copy.deepcopy(warm[0])
        module.p = config["dropout"]
        optimizer_state = optimizer_state_from_arrays(warm[1])
    dataset = WindowDataset(
        X, n_pad, target, sample_weight, pin_memory=spec.device.startswith("cuda")
    )
    valid_batch_size = max(spec.batch_size, inference_batch_size(config, X.shape[1]))
    threads = thread_count(spec.n_threads, module, spec.batch_size, spec.device)
    with torch_threads(threads):
        result = _train(module, dataset, spec, valid_batch_size, optimizer_state)
    data = (X, n_pad, target, sample_weight)
    result.blend_weights = blend_ridge(module, config, data, spec)
    return result


def _train(module, dataset, spec, valid_batch_size, optimizer_state):
    """Run skorch's loop over `dataset`; raise KeyboardInterrupt if interrupted."""
    from .progress import EpochProgress

    sink = _Printer(spec.verbose)
    epoch_ends = EpochEnds()
    callbacks = [("epoch_ends", epoch_ends)]
    # Unnamed callbacks are named by skorch, after their class.
    callbacks += [cb if name is None else (name, cb) for name, cb in spec.callbacks]
    callbacks.append(("stop_on_divergence", StopOnDivergence(spec.name, spec.lr)))
    if spec.verbose:
        callbacks.append(("progress", EpochProgress(spec.max_epochs, sink)))
    stopper = None
    if spec.n_valid:
        stopper = TailEarlyStopping(spec.patience, sink=sink)
        callbacks.append(("early_stopping", stopper))
    optimizer, optimizer_kwargs = optimizer_class(
        spec.optimizer, spec.weight_decay, spec.name
    )
    net = NeuralNet(
        module=module,
        criterion=ForecastLoss(spec.loss, spec.quantiles),
        optimizer=optimizer,
        lr=spec.lr,
        **{f"optimizer__{key}": value for key, value in optimizer_kwargs.items()},
        max_epochs=spec.max_epochs,
        batch_size=spec.batch_size,
        iterator_train=WindowBatches,
        iterator_train__shuffle=spec.shuffle,
        iterator_train__random_state=spec.shuffle_seed,
        iterator_valid=WindowBatches,
        iterator_valid__batch_size=valid_batch_size,
        train_split=TailSplit(spec.n_valid) if spec.n_valid else None,
        callbacks=callbacks,
        # Our own progress line replaces skorch's table (ANSI colours, no ETA).
        verbose=0,
        device=spec.device,
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
    n_epochs = len(net.history)
    if epoch_ends.n_ended_ < n_epochs:
        raise KeyboardInterrupt(
            f"{spec.name}.fit was interrupted in epoch {n_epochs} of "
            f"{spec.max_epochs}; the estimator is left as it was before the call."
        )
    if stopper is not None and stopper.stopped_:
        reason = "early_stopping"
    elif n_epochs == spec.max_epochs:
        reason = "max_epochs"
    else:
        reason = "callback"
    module.eval()
    return Training(
        module=module,
        device=spec.device,
        history=[
            {key: row[key] for key in _HISTORY_KEYS if key in row}
            for row in net.history
        ],
        best_epoch=None if stopper is None else stopper.best_epoch_,
        stop_reason=reason,
        optimizer_state=optimizer_state_to_arrays(net.optimizer_.state_dict()),
        callbacks=[
            (name, cb)
            for name, cb in net.callbacks_
            if name not in RESERVED_CALLBACK_NAMES
        ],
    )


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
