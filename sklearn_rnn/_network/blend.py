"""A ridge regression on the highway's steps, mixed into a trained network.

After training, each output's forecast becomes ``(1 - w) * network + w *
ridge``: the ridge is a closed-form linear least-squares fit (with an L2
penalty) of the training targets on the same inputs as the highway layer (the
last ``highway_steps`` standardized steps of each window, missing ones as zeros),
and ``w`` is the weight in ``[0, 0.5]`` that scores best on the validation tail
under the training loss. The ridge is then refitted on the training windows and
the validation tail together, and the mixture is folded into the module: the
head's rows are scaled by ``1 - w`` and the highway becomes ``(1 - w) * highway +
w * ridge``, so the fitted network keeps its structure (pickling, ONNX export
and warm starts see an ordinary module).

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


def _recent_steps(module, X, rows):
    """The highway's inputs of windows `rows`, float64, (n, steps * features)."""
    steps = module.highway_steps
    recent = torch.from_numpy(np.array(X[rows, -steps:], dtype=np.float64))
    mean = module.input_mean.detach().cpu().double()
    scale = module.input_scale.detach().cpu().double()
    recent = torch.nan_to_num((recent - mean) / scale, nan=0.0)
    missing = steps - recent.shape[1]
    if missing > 0:
        recent = torch.nn.functional.pad(recent, (0, 0, missing, 0))
    return recent.flatten(1)


def _normal_equations(module, X, target, weight, start, stop):
    """``(Z'WZ, Z'Wy)`` over windows ``start:stop``, Z with a column of ones."""
    gram = rhs = None
    for first in range(start, stop, _CHUNK):
        rows = slice(first, min(first + _CHUNK, stop))
        Z = _recent_steps(module, X, rows)
        Z = torch.cat([Z, torch.ones(len(Z), 1, dtype=Z.dtype)], dim=1)
        Y = torch.from_numpy(np.asarray(target[rows], dtype=np.float64))
        WZ = Z if weight is None else Z * torch.from_numpy(weight[rows]).unsqueeze(1)
        part_gram, part_rhs = WZ.T @ Z, WZ.T @ Y
        gram = part_gram if gram is None else gram + part_gram
        rhs = part_rhs if rhs is None else rhs + part_rhs
    return gram, rhs


def _solve(gram, rhs):
    """Ridge coefficients (features + 1, outputs); the intercept is not penalized."""
    penalty = torch.full((len(gram),), _ALPHA, dtype=gram.dtype)
    penalty[-1] = 0.0
    return torch.linalg.lstsq(gram + torch.diag(penalty), rhs).solution


def _ridge_forecast(module, X, coef, start, stop):
    parts = []
    for first in range(start, stop, _CHUNK):
        Z = _recent_steps(module, X, slice(first, min(first + _CHUNK, stop)))
        parts.append(Z @ coef[:-1] + coef[-1])
    return torch.cat(parts).numpy()


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


def blend_ridge(module, config, data, n_valid, spec):
    """Mix a ridge regression into trained `module`; return the weights per output.

    `data` is ``(X, n_pad, target, sample_weight)`` as the network was trained
    on them (the target encoded), the last `n_valid` windows the validation
    tail. `module` is changed in place. The network's validation forecasts are
    the ones ``predict`` would give; the ridge runs on one thread, so its
    rounding never depends on the process's thread budget.
    """
    X, n_pad, target, sample_weight = data
    n_samples = len(X)
    n_train = n_samples - n_valid
    valid_rows = slice(n_train, n_samples)
    network = predict_windows(
        module, config, X[valid_rows], n_pad[valid_rows], spec.device, spec.n_threads
    ).astype(np.float64)
    weight = None
    if sample_weight is not None:
        weight = np.asarray(sample_weight, dtype=np.float64)
        weight = weight / max(weight[:n_train].mean(), 1e-12)
    with torch_threads(1):
        return _blend(module, X, target, weight, n_train, network, spec.loss)


def _blend(module, X, target, weight, n_train, network, loss):
    n_samples = len(X)
    valid_rows = slice(n_train, n_samples)
    train = _normal_equations(module, X, target, weight, 0, n_train)
    valid = _normal_equations(module, X, target, weight, n_train, n_samples)
    coef = _solve(*train)
    ridge = _ridge_forecast(module, X, coef, n_train, n_samples)
    weights = _best_weights(
        network,
        ridge,
        np.asarray(target[valid_rows], dtype=np.float64),
        None if weight is None else weight[valid_rows],
        loss,
    )
    if weights.any():
        coef = _solve(train[0] + valid[0], train[1] + valid[1])
        _fold(module, weights, coef.to(module.head.weight.device))
    return weights
