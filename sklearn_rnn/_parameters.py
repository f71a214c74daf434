"""The forecasters' parameter checks beyond the declared constraints.

Booleans where ints are meant, the quantile levels, the validation tail, the
seeds of a fit, and what a warm start may not change. Each function takes the
estimator and raises scikit-learn's ``InvalidParameterError`` or a
``ValueError`` that names the parameter and the fix.
"""

import math
from numbers import Real

import numpy as np
from sklearn.utils import check_random_state

from ._compat import InvalidParameterError

# Integer parameters: bools are ints to Python, never to a user.
_INT_PARAMETERS = (
    "hidden_size",
    "num_layers",
    "max_epochs",
    "batch_size",
    "patience",
    "n_threads",
    "highway",
)
# Parameters that shape the network or what it learns: a warm start cannot
# change them.
ARCHITECTURE = (
    "hidden_size",
    "num_layers",
    "highway",
    "optimizer",
    "baseline",
    "device",
)


def _name(estimator):
    return type(estimator).__name__


def _is_number(value):
    return isinstance(value, Real) and not isinstance(value, bool | np.bool_)


def setting(value):
    """A parameter's value as compared between warm-started fits."""
    return value if isinstance(value, str | type | None) else int(value)


def check_parameters(estimator):
    """Checks the declared constraints cannot express; return the quantiles."""
    for name in (*_INT_PARAMETERS, "baseline"):
        value = getattr(estimator, name)
        if isinstance(value, bool | np.bool_):
            expected = (
                "'auto', a feature position or None" if name == "baseline" else "an int"
            )
            raise InvalidParameterError(
                f"The '{name}' parameter of {_name(estimator)} must be {expected}. "
                f"Got the boolean {value!r} instead."
            )
    return quantile_levels(estimator)


def quantile_levels(estimator):
    """The sorted quantile levels the network forecasts, or None for one value."""
    if estimator.loss != "quantile":
        return None
    levels = estimator.quantile
    if isinstance(levels, np.ndarray) and levels.ndim == 0:
        levels = levels.item()
    levels = [levels] if _is_number(levels) else list(levels)
    if not levels or not all(_is_number(q) and 0 < q < 1 for q in levels):
        raise InvalidParameterError(
            f"The 'quantile' parameter of {_name(estimator)} must be a float in "
            f"(0, 1) or a non-empty sequence of them. Got {estimator.quantile!r} "
            "instead."
        )
    if len(set(levels)) < len(levels):
        raise InvalidParameterError(
            f"The 'quantile' parameter of {_name(estimator)} must not repeat a "
            f"level. Got {estimator.quantile!r} instead."
        )
    return tuple(sorted(float(q) for q in levels))


def n_validation(estimator, n_samples):
    """Number of trailing windows held out for early stopping (0 for none)."""
    if estimator.patience is None or estimator.validation_fraction is None:
        return 0
    n_valid = math.ceil(estimator.validation_fraction * n_samples)
    if n_samples - n_valid < 1:
        raise ValueError(
            f"{_name(estimator)} cannot hold out a validation tail: "
            f"validation_fraction={estimator.validation_fraction} of {n_samples} "
            f"sample(s) leaves {n_samples - n_valid} for training. Pass more "
            "windows, or set patience=None to train on all windows without "
            "early stopping."
        )
    return n_valid


def draw_seeds(estimator):
    """Three seeds (weights, dropout, shuffling) drawn from `random_state`.

    None draws from fresh OS entropy rather than NumPy's global generator, so
    fitting never moves the caller's random state.
    """
    if estimator.random_state is None:
        return np.random.default_rng().integers(2**31 - 1, size=3).tolist()
    rng = check_random_state(estimator.random_state)
    return rng.randint(2**31 - 1, size=3).tolist()


def check_continuation(estimator, config, quantiles):
    fitted = estimator._fitted_settings
    changed = [
        name
        for name in ARCHITECTURE
        if setting(getattr(estimator, name)) != fitted[name]
    ]
    if quantiles != fitted["quantiles"]:
        changed.append("loss/quantile")
    if config["n_outputs"] != estimator._module_config["n_outputs"]:
        changed.append("the number of outputs")
    if changed:
        raise ValueError(
            f"warm_start=True continues the fitted network of {_name(estimator)}, "
            f"but {', '.join(changed)} changed since it was fitted; those need a "
            "new network. Restore them, or set warm_start=False to train a new "
            "one."
        )


def has_quantiles(estimator):
    """`predict_quantiles` follows what was fitted, or before fit, the settings."""
    fitted = estimator.__sklearn_is_fitted__()
    if fitted and estimator._quantile_levels is not None:
        return True
    if not fitted and estimator.loss == "quantile":
        return True
    loss = estimator._fitted_settings["loss"] if fitted else estimator.loss
    raise AttributeError(
        f"predict_quantiles needs a {_name(estimator)} "
        f"{'fitted' if fitted else 'set'} with loss='quantile'; this one "
        f"{'was fitted' if fitted else 'is set'} with loss={loss!r}. Set "
        "loss='quantile' and the levels, for example quantile=[0.1, 0.5, 0.9], "
        "then fit again."
    )
