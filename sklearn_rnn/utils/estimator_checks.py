"""Checks of what a forecaster promises about time, on top of scikit-learn's checks.

:func:`sklearn.utils.estimator_checks.check_estimator` proves that an estimator
follows the scikit-learn API. It cannot know that the rows of `X` are time steps,
so it never asks the questions a forecaster must answer:

* does the prediction for row ``t`` depend on rows after ``t``?
  (:func:`check_no_lookahead`);
* is there exactly one prediction per input row, in the input order?
  (:func:`check_one_prediction_per_row`);
* does the same seed give the same predictions, without touching the caller's
  random state? (:func:`check_same_seed_same_predictions`).

Each check takes an estimator, usually a whole
:class:`~sklearn.pipeline.Pipeline` such as ``StandardScaler`` ->
:class:`~sklearn_rnn.WindowTransformer` -> forecaster, and data ``X, y`` as
returned by :func:`~sklearn_rnn.make_supervised`. It returns None when the
estimator passes and raises an :class:`AssertionError` that says what went wrong
when it does not.
"""

import sys
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.utils.validation import check_is_fitted

from .._compat import _num_samples

__all__ = [
    "check_no_lookahead",
    "check_one_prediction_per_row",
    "check_same_seed_same_predictions",
]


def _name(estimator):
    return type(estimator).__name__


def _show(prediction):
    return repr(np.asarray(prediction).tolist())


def _fitted(estimator, X, y):
    """A fitted clone of `estimator`, or `estimator` itself when y is None."""
    if y is None:
        check_is_fitted(estimator)
        return estimator
    return clone(estimator).fit(X, y)


def _head(X, n_rows):
    return X.iloc[:n_rows] if hasattr(X, "iloc") else X[:n_rows]


def _as_float(X):
    """`X` with float values, a DataFrame kept a DataFrame (index and columns)."""
    if hasattr(X, "iloc"):
        return X.astype(np.float64)
    return np.asarray(X, dtype=np.float64)


def _with_new_future(X, t, rng):
    """A copy of float `X` whose rows after `t` hold unrelated values.

    The new values are drawn around the column means with three times the column
    spread, so any dependence on them shows; NaN entries stay NaN, so inputs with
    missing history keep their padding.
    """
    values = X.to_numpy() if hasattr(X, "iloc") else X
    flat = values.reshape(len(values), -1)
    with warnings.catch_warnings():
        # Columns that are all NaN (padding only) have no mean; they stay NaN.
        warnings.simplefilter("ignore", category=RuntimeWarning)
        center = np.nan_to_num(np.nanmean(flat, axis=0))
        spread = np.nan_to_num(np.nanstd(flat, axis=0)) + 1.0
    future = flat[t + 1 :]
    noise = rng.standard_normal(future.shape) * 3.0 * spread + center
    new = flat.copy()
    new[t + 1 :] = np.where(np.isnan(future), np.nan, noise)
    new = new.reshape(values.shape)
    if hasattr(X, "iloc"):
        return X.__class__(new, index=X.index, columns=X.columns)
    return new


def _check_count(predictions, X, name):
    n_samples = _num_samples(X)
    if _num_samples(predictions) != n_samples:
        raise AssertionError(
            f"{name}.predict returned {_num_samples(predictions)} predictions for "
            f"{n_samples} rows of X. A forecaster must return one prediction per "
            "input row, in the input order (pad missing history instead of "
            "dropping rows)."
        )


def _predict_rows(fitted, X, name):
    """``fitted.predict(X)`` as an array, checked to hold one row per row of `X`."""
    predictions = fitted.predict(X)
    _check_count(predictions, X, name)
    return np.asarray(predictions)


def _first_difference(reference, other, rtol, atol):
    """Row index of the first prediction that differs beyond tolerance, or None."""
    reference = reference.reshape(len(reference), -1)
    other = other.reshape(len(other), -1)
    close = np.isclose(other, reference, rtol=rtol, atol=atol, equal_nan=True)
    rows = np.flatnonzero(~close.all(axis=1))
    return None if len(rows) == 0 else int(rows[0])


def _default_cuts(n_samples, n_cuts):
    if n_samples < 2:
        raise ValueError(
            f"check_no_lookahead needs X with at least 2 rows to change a future; "
            f"got {n_samples}."
        )
    return np.unique(np.linspace(0, n_samples - 2, num=n_cuts).astype(int)).tolist()


def check_no_lookahead(
    estimator, X, y=None, *, cuts=None, random_state=0, rtol=1e-5, atol=1e-8
):
    """Check that rows after ``t`` never change the prediction for row ``t``.

    A forecast for time ``t`` may use the rows up to ``t`` only. The check fits
    the estimator once, predicts every row of `X`, then, for each cut ``t``:

    1. replaces the rows after ``t`` with unrelated values and predicts again;
    2. cuts `X` after row ``t`` (the future does not exist yet) and predicts
       again.

    The predictions for rows ``0 .. t`` must not change in either case. A scaler
    fitted on the training rows is fine; a step that looks at the rows it is
    applied to (a centered window, statistics of the batch, a shift backwards)
    fails.

    Parameters
    ----------
    estimator : estimator object
        The forecaster or pipeline to check. Give the whole pipeline: look-ahead
        usually hides in a preprocessing step.
    X : DataFrame or array-like of shape (n_samples, ...)
        Input rows in time order, oldest first, with at least 2 rows; floats or
        values convertible to floats. 3-D windows are perturbed window by window.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Target used to fit a clone of `estimator` on `X`. If None, `estimator`
        must be fitted already; it is used as is and not modified.
    cuts : list of int or None, default=None
        Rows ``t`` after which the future is changed. None takes 4 rows spread
        from the first to the second last.
    random_state : int, default=0
        Seed of the values written into the future.
    rtol, atol : float, default=1e-5, 1e-8
        Tolerance of :func:`numpy.isclose` when comparing predictions; float32
        networks may round differently when the batch size changes.

    Raises
    ------
    AssertionError
        If a prediction for a row up to ``t`` changed; the message names the
        row, the cut and both values.

    See Also
    --------
    check_one_prediction_per_row : One prediction per input row, in order.
    check_same_seed_same_predictions : Reproducible fits.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import FunctionTransformer, StandardScaler
    >>> from sklearn_rnn import WindowTransformer, make_supervised
    >>> from sklearn_rnn.utils.estimator_checks import check_no_lookahead
    >>> series = np.sin(np.arange(100) / 5.0).reshape(-1, 1)
    >>> X, y = make_supervised(series, target=0)
    >>> model = make_pipeline(
    ...     StandardScaler(),
    ...     WindowTransformer(window_length=5, flatten=True, fill_value=0.0),
    ...     Ridge(),
    ... )
    >>> check_no_lookahead(model, X, y)  # passes silently

    A step that reads the next row is caught:

    >>> peek = FunctionTransformer(lambda X: np.roll(X, -1, axis=0))
    >>> check_no_lookahead(make_pipeline(peek, Ridge()), X, y)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    AssertionError: Pipeline looks ahead: changing rows 1 to 98 of X changed ...
    """
    X = _as_float(X)
    n_samples = _num_samples(X)
    fitted = _fitted(estimator, X, y)
    name = _name(estimator)
    reference = _predict_rows(fitted, X, name)
    rng = np.random.default_rng(random_state)
    cuts = _default_cuts(n_samples, 4) if cuts is None else list(cuts)

    for t in cuts:
        if not 0 <= t < n_samples - 1:
            raise ValueError(
                f"Each cut of check_no_lookahead must be a row in [0, "
                f"{n_samples - 1}) so that a future exists; got {t}."
            )
        changed = _predict_rows(fitted, _with_new_future(X, t, rng), name)
        row = _first_difference(reference[: t + 1], changed[: t + 1], rtol, atol)
        if row is not None:
            raise AssertionError(
                f"{name} looks ahead: changing rows {t + 1} to "
                f"{n_samples - 1} of X changed its prediction for row {row} from "
                f"{_show(reference[row])} to {_show(changed[row])}. A forecast for "
                "row t may use rows up to t only."
            )
        cut = _predict_rows(fitted, _head(X, t + 1), name)
        row = _first_difference(reference[: t + 1], cut[: t + 1], rtol, atol)
        if row is not None:
            raise AssertionError(
                f"{name} looks ahead: cutting X after row {t} changed "
                f"its prediction for row {row} from {_show(reference[row])} to "
                f"{_show(cut[row])}. A forecast for row t may use rows up to t only."
            )


def check_one_prediction_per_row(estimator, X, y=None, *, rtol=1e-5, atol=1e-8):
    """Check that `predict` returns one prediction per input row, in the input order.

    Transformers of scikit-learn never drop or reorder samples, and
    :func:`~sklearn.model_selection.cross_val_score` compares ``predict(X)`` with
    ``y`` row by row, so a forecaster that drops the rows without full history, or
    returns its forecasts in another order, is silently scored against the wrong
    targets. The check predicts all of `X` and the first rows of `X` (1 row, half
    of the rows, all rows but one) and requires:

    * as many predictions as rows, shaped like `y` when `y` is given;
    * a pandas index, if the predictions have one, equal to that of `X`;
    * the last prediction for a prefix of `X` equal to the prediction for the
      same row when all of `X` is predicted, so prediction ``i`` belongs to row
      ``i``.

    Parameters
    ----------
    estimator : estimator object
        The forecaster or pipeline to check.
    X : DataFrame or array-like of shape (n_samples, ...)
        Input rows in time order, oldest first.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs), default=None
        Target used to fit a clone of `estimator`. If None, `estimator` must be
        fitted already and is used as is.
    rtol, atol : float, default=1e-5, 1e-8
        Tolerance of :func:`numpy.isclose` when comparing predictions.

    Raises
    ------
    AssertionError
        If a count, shape, index or row order is wrong.

    See Also
    --------
    check_no_lookahead : Rows after t never change the prediction for t.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import WindowTransformer, make_supervised
    >>> from sklearn_rnn.utils.estimator_checks import check_one_prediction_per_row
    >>> series = np.cos(np.arange(60) / 4.0).reshape(-1, 1)
    >>> X, Y = make_supervised(series, target=0, horizon=[1, 2, 3])
    >>> model = make_pipeline(
    ...     WindowTransformer(window_length=6, flatten=True, fill_value=0.0),
    ...     Ridge(),
    ... )
    >>> check_one_prediction_per_row(model, X, Y)  # passes silently
    """
    fitted = _fitted(estimator, X, y)
    n_samples = _num_samples(X)
    name = _name(estimator)
    full = fitted.predict(X)
    _check_count(full, X, name)
    if y is not None and np.shape(full) != np.shape(y):
        raise AssertionError(
            f"{name}.predict returned predictions of shape {np.shape(full)}, but y "
            f"has shape {np.shape(y)}: one prediction per row, shaped like y, was "
            "expected."
        )
    if (
        hasattr(full, "index")
        and hasattr(X, "index")
        and not full.index.equals(X.index)
    ):
        raise AssertionError(
            f"{name}.predict returned a pandas object whose index differs from the "
            "index of X; predictions must be aligned with the input rows."
        )
    full = np.asarray(full)

    for n_rows in sorted({1, max(1, n_samples // 2), max(1, n_samples - 1)}):
        head = _predict_rows(fitted, _head(X, n_rows), name)
        last = n_rows - 1
        if _first_difference(full[last : last + 1], head[-1:], rtol, atol) is not None:
            raise AssertionError(
                f"{name}.predict is not in row order: for the first {n_rows} rows of "
                f"X its last prediction is {_show(head[-1])}, but for all of X row "
                f"{last} is predicted as {_show(full[last])}. Prediction i must "
                "belong to row i (if the order is right, the estimator looks ahead: "
                "see check_no_lookahead)."
            )


def _random_state_params(estimator):
    return [
        name
        for name in estimator.get_params(deep=True)
        if name == "random_state" or name.endswith("__random_state")
    ]


def _global_random_states():
    # The legacy global generator is exactly what must stay untouched.
    states = {"NumPy": np.random.get_state()}  # noqa: NPY002
    torch = sys.modules.get("torch")
    if torch is not None:
        states["torch"] = torch.get_rng_state()
    return states


def _same_state(before, after):
    if isinstance(before, tuple):
        return all(_same_state(a, b) for a, b in zip(before, after, strict=True))
    return bool(np.array_equal(np.asarray(before), np.asarray(after)))


def check_same_seed_same_predictions(
    estimator, X, y, *, random_state=0, check_global_state=True
):
    """Check that two fits with the same seed give bit-identical predictions.

    Every parameter named ``random_state`` (of the estimator or, with the
    ``<step>__random_state`` names of :meth:`get_params`, of the steps of a
    pipeline) is set to `random_state` on two clones; both are fitted on `X, y`
    and must predict exactly the same values on `X` (compared with
    :func:`numpy.array_equal`, not a tolerance). With `check_global_state`, the
    fits must also leave NumPy's global random state (and PyTorch's, when torch
    is imported) as they found it: an estimator that draws from the global
    generator makes the caller's other results depend on it.

    Parameters
    ----------
    estimator : estimator object
        The forecaster or pipeline to check; it is cloned, never fitted.
    X : DataFrame or array-like of shape (n_samples, ...)
        Training rows, also predicted.
    y : array-like of shape (n_samples,) or (n_samples, n_outputs)
        Target.
    random_state : int, default=0
        The seed given to both clones.
    check_global_state : bool, default=True
        Whether to require the global NumPy and torch random states unchanged.

    Raises
    ------
    AssertionError
        If the predictions differ, or if a global random state moved.

    See Also
    --------
    check_no_lookahead : Rows after t never change the prediction for t.

    Notes
    -----
    The two fits run in this process, one after the other. Fits in different
    processes must agree too; test that with a subprocess, as this package's
    own test suite does.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import LSTMForecaster, WindowTransformer
    >>> from sklearn_rnn.utils.estimator_checks import (
    ...     check_same_seed_same_predictions,
    ... )
    >>> rng = np.random.default_rng(0)
    >>> windows = WindowTransformer(window_length=4).fit_transform(
    ...     rng.normal(size=(40, 2))
    ... )
    >>> y = rng.normal(size=40)
    >>> forecaster = LSTMForecaster(hidden_size=4, max_epochs=2)
    >>> check_same_seed_same_predictions(forecaster, windows, y)  # passes silently
    """
    names = _random_state_params(estimator)
    seeded = {name: random_state for name in names}
    before = _global_random_states()
    first = clone(estimator).set_params(**seeded).fit(X, y)
    second = clone(estimator).set_params(**seeded).fit(X, y)
    after = _global_random_states()
    predictions = np.asarray(first.predict(X))
    again = np.asarray(second.predict(X))
    if not np.array_equal(predictions, again, equal_nan=True):
        difference = np.nanmax(np.abs(predictions - again))
        raise AssertionError(
            f"Two fits of {_name(estimator)} with the same seed "
            f"({', '.join(names) or 'no random_state parameter'} = {random_state}) "
            f"gave different predictions (max abs difference {difference:.3g}). "
            "Draw every random number from the estimator's random_state."
        )
    if check_global_state:
        for source, state in before.items():
            if not _same_state(state, after[source]):
                raise AssertionError(
                    f"Fitting {_name(estimator)} changed {source}'s global random "
                    "state; draw from generators seeded by random_state instead, so "
                    "that fitting does not change the caller's random numbers."
                )
