"""The glue between the forecasters and skorch's training loop.

skorch runs the epochs, callbacks and history. What it gets from here:

* a dataset that keeps the windows as the caller's (strided) array and hands
  out mini-batches gathered straight from it, so the windows of the whole series
  are never materialized;
* a split that holds out the chronological tail for validation;
* early stopping that ends the loop cleanly and restores the best weights, and a
  check that stops a diverging fit with an explanation.
"""

import contextvars
import copy
import math
import os
from contextlib import contextmanager

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback
from skorch.history import History
from skorch.utils import TeeGenerator

# Inference batches (prediction, validation) are cut so that their inputs and the
# recurrent layers' per-step values take about this many floats (8 MiB): the
# recurrent layers hold several times their input, and larger batches are no
# faster (docs/performance.md).
_INFERENCE_BATCH_VALUES = 1 << 21
_VALID_BATCH_SIZE = 1024


class WindowDataset(torch.utils.data.Dataset):
    """Windows, their padding counts and targets, sliced without copying."""

    def __init__(self, X, n_pad, y=None, pin_memory=False):
        self.X = X
        self.n_pad = n_pad
        self.y = y
        self.pin_memory = pin_memory
        self._padded = bool(n_pad.any())

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        return self.batch(np.asarray([index]))

    def subset(self, rows):
        y = None if self.y is None else self.y[rows]
        return WindowDataset(self.X[rows], self.n_pad[rows], y, self.pin_memory)

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
        return inputs, self._tensor(self.y[rows])


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


class EarlyStopping(Callback):
    """Stop when the validation loss has not improved for `patience` epochs.

    Improvement means a relative decrease of more than `threshold`. The weights
    of the best epoch are restored when training ends.
    """

    def __init__(self, patience, threshold=1e-4):
        self.patience = patience
        self.threshold = threshold

    def initialize(self):
        self.best_loss_ = math.inf
        self.best_epoch_ = None
        self._best_state = None
        return self

    def on_train_begin(self, net, **kwargs):
        # A warm-started fit begins from the weights restored at the end of the
        # previous one, the best so far: keep them unless an epoch beats them.
        # (Comparing across fits assumes the same validation tail.)
        if self.best_epoch_ is not None and self._best_state is None:
            self._best_state = copy.deepcopy(net.module_.state_dict())

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1, "valid_loss"]
        epoch = net.history[-1, "epoch"]
        if loss < self.best_loss_ * (1 - self.threshold) or self.best_epoch_ is None:
            self.best_loss_ = loss
            self.best_epoch_ = epoch
            self._best_state = copy.deepcopy(net.module_.state_dict())
        elif epoch - self.best_epoch_ >= self.patience:
            net.stop_training = True

    def on_train_end(self, net, **kwargs):
        if self._best_state is not None:
            net.module_.load_state_dict(self._best_state)
            self._best_state = None


class RecurrentNet(NeuralNet):
    """skorch's NeuralNet with a lean batch loop and a clean early stop.

    skorch still runs the fit: epochs, callbacks and history are its own. What
    changes is the work done around each mini-batch, which for the small
    recurrent networks of this package is a large share of a training step:

    * train/eval mode is set once per epoch phase, not once per batch;
    * callbacks are notified of batch events only if they override the hook
      (skorch's default callbacks work at epoch level);
    * batch losses stay on the device until the end of the epoch and are then
      written to the history in one transfer, unless a callback listens to
      ``on_batch_end`` and may read them there;
    * the optimizers of this package take a plain ``step()``; the closure that
      skorch builds for every batch is kept for optimizers that may need it;
    * tensors already on the device are not moved.
    """

    stop_training = False

    def get_dataset(self, X, y=None):
        return X

    def infer(self, x, **fit_params):
        if self._moves_tensors():
            x = {name: t.to(self.device, non_blocking=True) for name, t in x.items()}
        return self.module_(**x)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        if self._moves_tensors():
            y_true = y_true.to(self.device, non_blocking=True)
        return self.criterion_(y_pred, y_true)

    def _moves_tensors(self):
        return self.device != "cpu" and torch.device(self.device).type != "cpu"

    def _listeners(self, hook):
        """The callbacks' `hook` methods that do something (not Callback's no-op)."""
        noop = getattr(Callback, hook)
        return [
            getattr(cb, hook)
            for _, cb in self.callbacks_
            if getattr(type(cb), hook, noop) is not noop
        ]

    def train_step_single(self, batch, **fit_params):
        Xi, yi = batch
        y_pred = self.infer(Xi, **fit_params)
        loss = self.get_loss(y_pred, yi, X=Xi, training=True)
        loss.backward()
        return {"loss": loss, "y_pred": y_pred}

    def train_step(self, batch, **fit_params):
        optimizers = [getattr(self, name + "_") for name in self._optimizers]
        if not all(type(opt) in _CLOSURE_FREE for opt in optimizers):
            return super().train_step(batch, **fit_params)
        for optimizer in optimizers:
            optimizer.zero_grad()
        step = self.train_step_single(batch, **fit_params)
        on_grad_computed = getattr(self, "_grad_listeners_", None)
        if on_grad_computed is None:
            on_grad_computed = self._listeners("on_grad_computed")
        if on_grad_computed:
            named_parameters = TeeGenerator(self.get_all_learnable_params())
            for listener in on_grad_computed:
                listener(
                    self, named_parameters=named_parameters, batch=batch, training=True
                )
        for optimizer in optimizers:
            optimizer.step()
        return step

    def validation_step(self, batch, **fit_params):
        Xi, yi = batch
        with torch.no_grad():
            y_pred = self.infer(Xi, **fit_params)
            loss = self.get_loss(y_pred, yi, X=Xi, training=False)
        return {"loss": loss, "y_pred": y_pred}

    def run_single_epoch(self, iterator, training, prefix, step_fn, **fit_params):
        if iterator is None:
            return
        self._set_training(training)
        on_batch_begin = self._listeners("on_batch_begin")
        on_batch_end = self._listeners("on_batch_end")
        history = self.history
        loss_key, size_key = prefix + "_loss", prefix + "_batch_size"
        # A listener may read the batch's loss from the history; skorch's
        # distributed history takes batch records through its own methods only.
        deferred = not on_batch_end and type(history) is History
        pending = []
        n_batches = 0
        for batch in iterator:
            history.new_batch()
            for listener in on_batch_begin:
                listener(self, batch=batch, training=training)
            step = step_fn(batch, **fit_params)
            history.record_batch(size_key, len(batch[1]))
            if deferred:
                pending.append(step["loss"].detach())
            else:
                history.record_batch(loss_key, step["loss"].item())
                for listener in on_batch_end:
                    listener(self, batch=batch, training=training, **step)
            n_batches += 1
            # Free this batch before the iterator gathers the next one.
            del batch, step
        if pending:
            # One device-to-host transfer per epoch instead of one per batch.
            losses = torch.stack(pending).tolist()
            records = history[-1]["batches"][-n_batches:]
            for record, loss in zip(records, losses, strict=True):
                record[loss_key] = loss
        history.record(prefix + "_batch_count", n_batches)

    def fit_loop(self, X, y=None, epochs=None, _routing_method=None, **fit_params):
        self.check_training_readiness()
        epochs = self.max_epochs if epochs is None else epochs
        dataset_train, dataset_valid = self.get_split_datasets(X, y)
        epoch_kwargs = {"dataset_train": dataset_train, "dataset_valid": dataset_valid}
        iterator_train = self.get_iterator(dataset_train, training=True)
        iterator_valid = None
        if dataset_valid is not None:
            iterator_valid = self.get_iterator(dataset_valid, training=False)
            if isinstance(iterator_valid, WindowBatches):
                _, n_steps, n_features = dataset_valid.X.shape
                iterator_valid.batch_size = min(
                    iterator_valid.batch_size,
                    inference_batch_size(self.module_, n_steps, n_features),
                )
        self.stop_training = False
        batch_size = getattr(iterator_train, "batch_size", self.batch_size)
        # Looked up once per fit rather than once per batch.
        self._grad_listeners_ = self._listeners("on_grad_computed")
        try:
            with _useful_threads(self.module_, batch_size, self.device):
                self._run_epochs(epochs, iterator_train, iterator_valid, epoch_kwargs)
        finally:
            del self._grad_listeners_
        # Predictions follow; they need eval mode and need not switch to it.
        self._set_training(False)
        return self

    def _run_epochs(self, epochs, iterator_train, iterator_valid, epoch_kwargs):
        for _ in range(epochs):
            self.notify("on_epoch_begin", **epoch_kwargs)
            self.run_single_epoch(
                iterator_train, training=True, prefix="train", step_fn=self.train_step
            )
            self.run_single_epoch(
                iterator_valid,
                training=False,
                prefix="valid",
                step_fn=self.validation_step,
            )
            self.notify("on_epoch_end", **epoch_kwargs)
            if self.stop_training:
                break


# Optimizers whose step() needs no closure: the batch loop calls them directly.
_CLOSURE_FREE = (
    torch.optim.Adam,
    torch.optim.AdamW,
    torch.optim.SGD,
    torch.optim.RMSprop,
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


def optimizer_class(optimizer):
    """Return the torch optimizer class and the keyword arguments it needs."""
    names = {
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
        "sgd": torch.optim.SGD,
        "rmsprop": torch.optim.RMSprop,
    }
    if isinstance(optimizer, str):
        cls = names[optimizer]
        # The fused kernels take a third of the time of the default per step.
        fused = optimizer in ("adam", "adamw") and _fused_adam_supported()
        return cls, ({"fused": True} if fused else {})
    if isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer):
        return optimizer, {}
    raise ValueError(
        "The 'optimizer' parameter must be one of 'adam', 'adamw', 'sgd', 'rmsprop' "
        f"or a subclass of torch.optim.Optimizer. Got {optimizer!r} instead."
    )


def _fused_adam_supported():
    major, minor = (int(part) for part in torch.__version__.split(".")[:2])
    return (major, minor) >= (2, 4)


# True inside torch_threads(n_threads) with an explicit count: no capping then.
_EXPLICIT_THREADS = contextvars.ContextVar(
    "sklearn_rnn_explicit_threads", default=False
)


@contextmanager
def torch_threads(n_threads=None):
    """Run the block with the thread budget of this process; restore it after.

    joblib workers are granted a share of the cores through OMP_NUM_THREADS;
    torch reads it only when it starts, so it is applied here for each fit.
    Within the budget, :func:`_useful_threads` decides how many threads a fit
    or a prediction actually takes. An explicit `n_threads` (the estimators'
    parameter) is used as it is, budget and cap aside.
    """
    before = torch.get_num_threads()
    if n_threads is None:
        budget = os.environ.get("OMP_NUM_THREADS", "")
        wanted = int(budget) if budget.isdigit() and int(budget) > 0 else before
    else:
        wanted = n_threads
    token = _EXPLICIT_THREADS.set(n_threads is not None)
    try:
        if wanted != before:
            torch.set_num_threads(int(wanted))
        yield
    finally:
        _EXPLICIT_THREADS.reset(token)
        if torch.get_num_threads() != before:
            torch.set_num_threads(before)


# Multiply-adds per time step that one more intra-op thread needs to pay off.
_WORK_PER_THREAD = 1 << 25


@contextmanager
def _useful_threads(module, batch_size, device):
    """Cap torch's intra-op threads to what a batch of `module` can use.

    A recurrent step is a chain of small operations, each a parallel region
    whose threads meet at a barrier. On free cores a second thread speeds a
    small network up by 1.0x-1.9x; on cores busy with other work (other fits of
    a grid search, other processes) every barrier waits for a descheduled
    thread, and the same step was measured up to hundreds of times slower
    (docs/performance.md). So a network takes one thread per
    ``_WORK_PER_THREAD`` multiply-adds per time step (the batch size times its
    weights), at least one. One thread also makes a small fit bit-identical
    whatever the core count, ``n_jobs`` or load: the thread count changes
    floating-point results.
    """
    before = torch.get_num_threads()
    cpu = torch.device(device).type == "cpu"
    if before == 1 or not cpu or _EXPLICIT_THREADS.get():
        yield
        return
    weights = sum(p.numel() for p in module.parameters() if p.dim() == 2)
    wanted = min(before, max(1, batch_size * weights // _WORK_PER_THREAD))
    if wanted == before:
        yield
        return
    torch.set_num_threads(wanted)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@contextmanager
def seeded(seed, device):
    """Seed torch inside the block and give the caller's RNG state back after it."""
    devices = [torch.device(device).index or 0] if device.startswith("cuda") else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield


def inference_batch_size(module, n_steps, n_features):
    """Windows per inference batch that keep it near ``_INFERENCE_BATCH_VALUES``."""
    rnn = module.rnn
    gates = rnn.weight_ih_l0.shape[0]  # 4 * hidden_size for an LSTM, 3 * for a GRU
    values_per_window = n_steps * (n_features + gates * rnn.num_layers)
    return max(1, _INFERENCE_BATCH_VALUES // values_per_window)


def predict_windows(module, X, n_pad, device):
    """Run `module` over all windows of `X` in large batches, without autograd."""
    n_samples, n_steps, n_features = X.shape
    chunk = inference_batch_size(module, n_steps, n_features)
    on_cpu = torch.device(device).type == "cpu"
    dataset = WindowDataset(X, n_pad, pin_memory=not on_cpu)
    outputs = []
    was_training = module.training
    if was_training:
        module.eval()
    try:
        with (
            torch.inference_mode(),
            _useful_threads(module, min(chunk, n_samples), device),
        ):
            for start in range(0, n_samples, chunk):
                inputs, _ = dataset.batch(slice(start, start + chunk))
                if not on_cpu:
                    inputs = {
                        name: t.to(device, non_blocking=True)
                        for name, t in inputs.items()
                    }
                outputs.append(module(**inputs))
                del inputs
            # One transfer (and synchronization) for all chunks.
            y_pred = torch.cat(outputs) if len(outputs) > 1 else outputs[0]
            return y_pred.cpu().numpy()
    finally:
        if was_training:
            module.train()
