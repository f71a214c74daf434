"""PyTorch modules behind the forecasters: one recurrent layer stack and a linear head.

The three families (simple RNN, LSTM, GRU) share everything but the recurrent
cell, so they share one base class. Each module maps a batch of windows
``(batch, timesteps, features)`` to ``(batch, n_outputs)``.

Windows may start with missing history (left padding). ``n_pad[i]`` says how many
leading steps of window ``i`` are padding; those windows are run over their
observed suffix only, with :func:`torch.nn.utils.rnn.pack_padded_sequence`, so a
padded window gives the same output as the same window without its padding.
"""

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence


class _RecurrentRegressor(nn.Module):
    """Recurrent layers, dropout on the last hidden state, and a linear head.

    Parameters
    ----------
    n_features : int
        Number of features per time step.
    n_outputs : int
        Number of regression targets.
    hidden_size : int
        Width of the recurrent state.
    num_layers : int
        Number of stacked recurrent layers.
    dropout : float
        Dropout between stacked layers and on the last hidden state.
    """

    rnn_class = None
    rnn_kwargs = {}

    def __init__(self, n_features, n_outputs, hidden_size, num_layers, dropout):
        super().__init__()
        self.rnn = self.rnn_class(
            input_size=n_features,
            hidden_size=hidden_size,
            num_layers=num_layers,
            batch_first=True,
            # torch warns when inter-layer dropout is set on a single layer.
            dropout=dropout if num_layers > 1 else 0.0,
            **self.rnn_kwargs,
        )
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden_size, n_outputs)

    def _final_state(self, X):
        _, state = self.rnn(X)
        return state

    def _last_hidden(self, X):
        state = self._final_state(X)
        # LSTM returns (h_n, c_n); the other cells return h_n alone.
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

    def forward(self, X, n_pad=None):
        padded = None if n_pad is None else n_pad > 0
        if padded is None or not padded.any():
            hidden = self._last_hidden(X)
        elif padded.all():
            hidden = self._last_hidden_padded(X, n_pad)
        else:
            hidden = X.new_empty((X.shape[0], self.head.in_features))
            hidden[~padded] = self._last_hidden(X[~padded])
            hidden[padded] = self._last_hidden_padded(X[padded], n_pad[padded])
        if self.dropout.p > 0:
            # Skipped, not run as identity, at p=0: a module call costs a few
            # microseconds in every training step of a small network.
            hidden = self.dropout(hidden)
        return self.head(hidden)


class SimpleRNNModule(_RecurrentRegressor):
    """Elman RNN with tanh activation (Keras' ``SimpleRNN``) and a linear head."""

    rnn_class = nn.RNN
    rnn_kwargs = {"nonlinearity": "tanh"}


class LSTMModule(_RecurrentRegressor):
    """LSTM layers and a linear head."""

    rnn_class = nn.LSTM


class GRUModule(_RecurrentRegressor):
    """GRU layers and a linear head."""

    rnn_class = nn.GRU
