"""A ridge regression on the highway's steps, mixed into a trained network.

After training, each output's forecast becomes ``(1 - w) * network + w *
ridge``: the ridge is a closed-form linear least-squares fit (with an L2
penalty) of the training targets on the same inputs as the highway layer
(:meth:`RecurrentRegressor.highway_inputs`), and ``w`` is the weight in
``[0, 0.5]`` that scores best on the validation tail under the training loss.
The ridge is then refitted on the training windows and the validation tail
together, and the mixture is folded into the module: the head's rows are scaled
by ``1 - w`` and the highway becomes ``(1 - w) * highway + w * ridge``, so the
fitted network keeps its structure (pickling, ONNX export and warm starts see
an ordinary module).

A linear model of the recent steps is what wins at long horizons, where the
network's own fit is noisiest; the validation tail decides, per output, how much
of it to take. Memory grows with the series only: the ridge's normal equations
are summed over chunks of windows.
"""

import numpy as np
import torch

from .inference import predict_windows
from .threads import torch_threads

# Windows per chunk when summing the normal equations.
_CHUNK = 4096
# Candidate shares of the ridge, from none to half: the network keeps at least
# half of every forecast. A validation tail that prefers the ridge more than
# that can be one that differs from the months after it (the accuracy page).
_GRID = np.linspace(0.0, 0.5, 11)
# Highway inputs (steps x features) beyond which no ridge is fitted: its normal
# equations grow with their square and its solve with their cube.
MAX_INPUTS = 1024
# L2 penalty on the ridge's coefficients (inputs standardized, the intercept
# free), as scikit-learn's Ridge(alpha=1.0) on standardized lag windows.
_ALPHA = 1.0


def _design(module, X, n_pad, start, stop):
    """Yield ``(rows, Z)`` over windows ``start:stop``: the highway's inputs in
    float64 with a last column of ones, a chunk at a time."""
    mean = module.input_mean.detach().cpu().double()
    scale = module.input_scale.detach().cpu().double()
    steps = module.highway_steps
    for first in range(start, stop, _CHUNK):
        rows = slice(first, min(first + _CHUNK, stop))
        windows = torch.from_numpy(np.array(X[rows, -steps:], dtype=np.float64))
        Z = module.highway_inputs((windows - mean) / scale, n_pad[rows])
        yield rows, torch.cat([Z, torch.ones(len(Z), 1, dtype=Z.dtype)], dim=1)


def _normal_equations(chunks, target, weight):
    """``(Z'WZ, Z'Wy)`` summed over `chunks` of :func:`_design`."""
    gram = rhs = 0.0
    for rows, Z in chunks:
        Y = torch.from_numpy(np.asarray(target[rows], dtype=np.float64))
        WZ = Z if weight is None else Z * torch.from_numpy(weight[rows]).unsqueeze(1)
        gram = gram + WZ.T @ Z
        rhs = rhs + WZ.T @ Y
    return gram, rhs


def _solve(gram, rhs):
    """Ridge coefficients (features + 1, outputs); the intercept is not penalized."""
    penalty = torch.full((len(gram),), _ALPHA, dtype=gram.dtype)
    penalty[-1] = 0.0
    return torch.linalg.lstsq(gram + torch.diag(penalty), rhs).solution


def _best_weights(network, ridge, target, weight, loss):
    """Per output, the grid weight whose mixture has the least validation loss."""
    losses = []
    for w in _GRID:
        error = (1.0 - w) * network + w * ridge - target
        error = np.square(error) if loss == "squared_error" else np.abs(error)
        if weight is not None:
            error = error * weight[:, None]
        losses.append(error.sum(axis=0))
    # argmin takes the first of equal losses: the smallest weight.
    return _GRID[np.argmin(np.array(losses), axis=0)]


def _fold(module, weights, coef):
    """Make `module` compute the mixture itself."""
    device = module.head.weight.device
    keep = torch.as_tensor(1.0 - weights, dtype=torch.float32, device=device)
    mix = torch.as_tensor(weights, dtype=torch.float32, device=device)
    ridge_weight = coef[:-1].T.to(device, torch.float32)
    ridge_bias = coef[-1].to(device, torch.float32)
    with torch.no_grad():
        module.head.weight.mul_(keep.unsqueeze(1))
        module.head.bias.mul_(keep)
        highway = module.highway
        highway.weight.mul_(keep.unsqueeze(1)).add_(mix.unsqueeze(1) * ridge_weight)
        highway.bias.mul_(keep).add_(mix * ridge_bias)


def blend_ridge(module, config, data, spec):
    """Mix a ridge regression into trained `module`; return the shares per output.

    `data` is ``(X, n_pad, target, sample_weight)`` as the network was trained
    on them (the target encoded); the last ``spec.n_valid`` windows are the
    validation tail. Returns None, and leaves `module` alone, when the spec or
    the network rules the mixture out (see ``ridge_blend``); otherwise `module`
    is changed in place. The network's validation forecasts are the ones
    ``predict`` would give; the ridge runs on one thread, so its rounding never
    depends on the process's thread budget.
    """
    inputs = module.highway_steps * config["n_features"]
    wanted = spec.ridge_blend and spec.n_valid and not spec.quantiles
    if not (wanted and 0 < inputs <= MAX_INPUTS):
        return None
    X, n_pad, target, sample_weight = data
    n_samples = len(X)
    n_train = n_samples - spec.n_valid
    tail = slice(n_train, n_samples)
    network = predict_windows(
        module, config, X[tail], n_pad[tail], spec.device, spec.n_threads
    ).astype(np.float64)
    weight = None
    if sample_weight is not None:
        weight = np.asarray(sample_weight, dtype=np.float64)
        weight = weight / max(weight[:n_train].mean(), 1e-12)
    with torch_threads(1):
        train = _normal_equations(_design(module, X, n_pad, 0, n_train), target, weight)
        tail_chunks = list(_design(module, X, n_pad, n_train, n_samples))
        valid = _normal_equations(tail_chunks, target, weight)
        coef = _solve(*train)
        ridge = torch.cat([Z @ coef for _, Z in tail_chunks]).numpy()
        weights = _best_weights(
            network,
            ridge,
            np.asarray(target[tail], dtype=np.float64),
            None if weight is None else weight[tail],
            spec.loss,
        )
        if weights.any():
            _fold(module, weights, _solve(train[0] + valid[0], train[1] + valid[1]))
    return weights
