"""PyTorch modules behind the forecasters: recurrent layers and a linear head.

The three families (simple RNN, LSTM, GRU) share everything but the recurrent
cell, so they share one class. A module maps a batch of windows
``(batch, timesteps, features)`` to ``(batch, n_outputs)``.

Windows may start with missing history (left padding). ``n_pad[i]`` says how many
leading steps of window ``i`` are padding; those windows are run over their
observed suffix only, with :func:`torch.nn.utils.rnn.pack_padded_sequence`, so a
padded window gives the same output as the same window without its padding.

Randomness comes only from generators the caller hands in (:func:`build_module`
for the initial weights, the ``generator`` attribute for dropout): two fits in
two threads never share a random stream, and torch's global generator is never
drawn from.
"""

import math

import torch
from torch import nn
from torch.nn import functional as F
from torch.nn.utils.rnn import pack_padded_sequence

CELLS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}
# Rows of a layer's input weight matrix per unit of hidden size.
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


class QuickModeMixin:
    """A torch module's ``train(mode)`` that does nothing when nothing changes.

    skorch calls ``train`` on the module and the criterion before every batch;
    when the module is already in `mode`, its submodules are too (only
    ``train`` sets them, all at once), so nothing is set again: walking the
    submodules and setting their attributes is slow next to a small network's
    step.
    """

    def train(self, mode=True):
        if self.training is mode:
            return self
        return super().train(mode)


class RecurrentRegressor(QuickModeMixin, nn.Module):
    """Stacked recurrent layers, dropout, and a linear head on the last state.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
        Recurrent cell; "rnn" is the Elman cell with tanh (Keras' SimpleRNN).
    n_features : int
        Number of features per time step.
    n_outputs : int
        Number of outputs.
    hidden_size : int
        Width of the recurrent state.
    num_layers : int
        Number of stacked recurrent layers.
    dropout : float
        Dropout between stacked layers and on the last hidden state.
    highway : int, default=0
        Number of last time steps that a linear layer (the "highway", as in
        LSTNet) maps to the outputs, added to the head's; 0 for none. Missing
        steps (padding, or a window shorter than `highway`) count as zeros.
    """

    def __init__(
        self, cell, n_features, n_outputs, hidden_size, num_layers, dropout, highway=0
    ):
        super().__init__()
        self.cell = cell
        sizes = [n_features] + [hidden_size] * (num_layers - 1)
        # One torch layer per level, so that dropout between levels draws from
        # this module's generator (torch's own inter-layer dropout cannot).
        self.layers = nn.ModuleList(
            CELLS[cell](size, hidden_size, batch_first=True) for size in sizes
        )
        self.head = nn.Linear(hidden_size, n_outputs)
        self.highway_steps = int(highway)
        if self.highway_steps:
            self.highway = nn.Linear(self.highway_steps * n_features, n_outputs)
        self.p = float(dropout)
        self.generator = None
        # Each input feature is standardized with its training mean and
        # standard deviation inside the network, so inputs may come in their own
        # units, and an exported network carries its scaling with it.
        self.register_buffer("input_mean", torch.zeros(n_features))
        self.register_buffer("input_scale", torch.ones(n_features))

    def _drop(self, values):
        if not self.training or self.p == 0:
            return values
        keep = torch.empty_like(values).bernoulli_(1 - self.p, generator=self.generator)
        return values * keep / (1 - self.p)

    def _last_hidden(self, X):
        out = X
        for level, layer in enumerate(self.layers):
            if level:
                packed = not isinstance(out, torch.Tensor)
                out = (
                    out._replace(data=self._drop(out.data))
                    if packed
                    else self._drop(out)
                )
            out, state = layer(out)
        # An LSTM returns (h_n, c_n); the other cells return h_n alone.
        h_n = state[0] if isinstance(state, tuple) else state
        return h_n[-1]

    def _last_hidden_padded(self, X, n_pad):
        n_steps = X.shape[1]
        # Shift each window left by its padding so the observed steps come first,
        # then let packing stop each sequence at its own length.
        steps = torch.arange(n_steps, device=X.device)
        index = (steps.unsqueeze(0) + n_pad.unsqueeze(1)).clamp_(max=n_steps - 1)
        shifted = torch.take_along_dim(X, index.unsqueeze(2), dim=1)
        lengths = (n_steps - n_pad).cpu()
        packed = pack_padded_sequence(
            shifted, lengths, batch_first=True, enforce_sorted=False
        )
        return self._last_hidden(packed)

    def set_input_scaling(self, mean, scale):
        """Standardize each input feature with `mean` and `scale` (arrays)."""
        with torch.no_grad():
            self.input_mean.copy_(torch.as_tensor(mean, dtype=torch.float32))
            self.input_scale.copy_(torch.as_tensor(scale, dtype=torch.float32))

    def forward(self, X, n_pad=None):
        X = (X - self.input_mean) / self.input_scale
        padded = None if n_pad is None else n_pad > 0
        if padded is None or not padded.any():
            hidden = self._last_hidden(X)
        elif padded.all():
            hidden = self._last_hidden_padded(X, n_pad)
        else:
            hidden = X.new_empty((X.shape[0], self.head.in_features))
            hidden[~padded] = self._last_hidden(X[~padded])
            hidden[padded] = self._last_hidden_padded(X[padded], n_pad[padded])
        out = self.head(self._drop(hidden))
        if self.highway_steps:
            out = out + self.highway(self.highway_inputs(X, n_pad))
        return out

    def highway_inputs(self, X, n_pad):
        """What the highway reads from standardized windows `X`, flattened.

        The last `highway_steps` steps of each window, missing ones as zeros.
        """
        recent = X[:, -self.highway_steps :]
        if n_pad is not None:
            # Only padding can be NaN: the forecasters refuse NaN anywhere else.
            recent = torch.nan_to_num(recent, nan=0.0)
        missing = self.highway_steps - recent.shape[1]
        if missing > 0:
            recent = F.pad(recent, (0, 0, missing, 0))
        return recent.flatten(1)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["generator"] = None
        return state


def build_module(config, seed, device, input_scaling):
    """A :class:`RecurrentRegressor` from `config`, initialized from `seed`.

    The weights are drawn as torch draws them by default (uniform on
    ``[-1/sqrt(hidden_size), 1/sqrt(hidden_size)]`` for the recurrent layers and
    the head alike), but from a generator of this fit's own. `input_scaling` is
    the ``(mean, scale)`` of each input feature.
    """
    with torch.device("meta"):
        module = RecurrentRegressor(**config)
    module.to_empty(device=device)
    generator = torch.Generator(device=device).manual_seed(seed)
    bound = 1.0 / math.sqrt(config["hidden_size"])
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.uniform_(-bound, bound, generator=generator)
        if module.highway_steps:
            # The linear path starts at zero: the first steps train the
            # recurrent path as without it.
            module.highway.weight.zero_()
            module.highway.bias.zero_()
    module.set_input_scaling(*input_scaling)
    for layer in module.layers:
        layer.flatten_parameters()
    return module


def count_weights(config):
    """Number of trainable values of the module that `config` describes."""
    gates = GATES[config["cell"]] * config["hidden_size"]
    hidden = config["hidden_size"]
    total = 0
    size = config["n_features"]
    for _ in range(config["num_layers"]):
        total += gates * (size + hidden) + 2 * gates
        size = hidden
    total += hidden * config["n_outputs"] + config["n_outputs"]
    steps = config.get("highway", 0)
    if steps:
        total += (steps * config["n_features"] + 1) * config["n_outputs"]
    return total


def check_memory(config, batch_size, n_steps, estimator_name):
    """Refuse, before allocating, a network that cannot fit in this machine's memory.

    `batch_size` is the number of windows per step actually used (at most the
    number of training windows).
    """
    import os

    weights = count_weights(config)
    # Weights, gradients and two Adam moments; per batch the layers keep
    # their gates' values at every step for the backward pass.
    per_batch = (
        batch_size
        * n_steps
        * (config["n_features"] + GATES[config["cell"]] * config["hidden_size"])
        * config["num_layers"]
    )
    need = 4 * (4 * weights + 2 * per_batch)
    try:
        have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return
    if need > have:
        raise ValueError(
            f"{estimator_name} with hidden_size={config['hidden_size']}, num_layers="
            f"{config['num_layers']} and batch_size={batch_size} on windows of "
            f"{n_steps} steps would need about {need / 2**30:.3g} GiB "
            f"({weights:,} weights), more than this machine's "
            f"{have / 2**30:.3g} GiB. Use a smaller hidden_size, batch_size or "
            "window_length."
        )
