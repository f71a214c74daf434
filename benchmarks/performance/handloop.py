"""The reference: the training loop a PyTorch user writes by hand.

Nothing here is tuned. It is the honest baseline the forecasters are compared
with: the same network (one recurrent layer, a linear head on the last hidden
state, PyTorch's default initialization), the same windows and targets, epochs,
batch size and learning rate, and the plainest loop over tensors built before
the clock starts:

* ``torch.optim.Adam`` with its default settings (``fused=True`` only when
  asked, to separate the optimizer from the rest of the loop);
* every epoch a ``torch.randperm`` of the rows, then for each batch
  ``X[rows]``, ``zero_grad``, forward, ``MSELoss``, ``backward``, ``step``;
* ``loss.item()`` per batch to report the epoch's mean loss, as users do;
* no DataLoader, no validation, no early stopping, no callbacks.
"""

import torch
from torch import nn

CELLS = {"lstm": nn.LSTM, "rnn": nn.RNN, "gru": nn.GRU}


class HandNet(nn.Module):
    """A recurrent layer and a linear head on its last hidden state."""

    def __init__(self, cell, n_features, hidden_size):
        super().__init__()
        self.rnn = CELLS[cell](n_features, hidden_size, batch_first=True)
        self.head = nn.Linear(hidden_size, 1)

    def forward(self, X):
        _, state = self.rnn(X)
        h_n = state[0] if isinstance(state, tuple) else state
        return self.head(h_n[-1])


def hand_fit(X, y, *, cell, hidden_size, epochs, batch_size, lr=1e-3, fused=False):
    """Train a :class:`HandNet` on tensors `X` (n, steps, features) and `y` (n, 1).

    Returns the network and the mean training loss of each epoch.
    """
    model = HandNet(cell, X.shape[2], hidden_size)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, fused=fused or None)
    loss_fn = nn.MSELoss()
    n_samples = len(X)
    epoch_losses = []
    for _ in range(epochs):
        order = torch.randperm(n_samples)
        total = 0.0
        for start in range(0, n_samples, batch_size):
            rows = order[start : start + batch_size]
            X_batch, y_batch = X[rows], y[rows]
            optimizer.zero_grad()
            loss = loss_fn(model(X_batch), y_batch)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(rows)
        epoch_losses.append(total / n_samples)
    return model, epoch_losses


def hand_predict(model, X):
    """One forward pass over all windows `X`, without autograd."""
    model.eval()
    with torch.inference_mode():
        return model(X)


def matched_forecaster(cls, hidden_size, *, epochs, batch_size, lr=1e-3):
    """Our forecaster `cls` set to do the work of :func:`hand_fit`.

    The squared error, the same learning rate, epochs and batches, no early
    stopping, no linear highway beside the recurrent layer and no dropout on
    the last hidden state.
    """
    return cls(
        hidden_size,
        max_epochs=epochs,
        batch_size=batch_size,
        lr=lr,
        highway=None,
        dropout=0.0,
        loss="squared_error",
        patience=None,
        random_state=0,
    )
