"""The machinery behind ConformalForecaster.

Forecasts and conformity scores, the adaptive walks along the rows (ACI and
its multiplicative variant), and the rows kept so that input continuing the
rows given to ``fit`` gets its history.
"""

import copy
import math
from numbers import Integral, Real

import numpy as np
from sklearn.pipeline import Pipeline
from sklearn.utils.validation import check_array

from ._compat import InvalidParameterError
from ._time_axis import check_time_axis, continues, from_plain, to_plain
from ._time_axis import is_dataframe as _is_dataframe
from ._window import WindowTransformer

# The width factor of method="multiplicative" stays within these bounds.
_MIN_FACTOR, _MAX_FACTOR = 0.2, 5.0


def _final_step(estimator):
    return estimator[-1] if isinstance(estimator, Pipeline) else estimator


def _take_rows(value, rows):
    if _is_dataframe(value) or hasattr(value, "iloc"):
        return value.iloc[rows]
    if isinstance(value, np.ndarray):
        return value[rows]
    return np.asarray(value)[rows]


def _n_rows(value):
    shape = getattr(value, "shape", None)
    if shape is not None and len(shape) > 0:
        return shape[0]
    try:
        return len(value)
    except TypeError:
        return None


def _forecast(estimator, conformity, n_outputs, X, skip=0):
    """(n, n_outputs) forecasts, or (n, n_outputs, 2) bounds for CQR.

    The first `skip` rows of `X` are history only and get no forecast: a
    pipeline transforms them with the rest and its final step never sees them.
    """
    final, kept = estimator, slice(skip, None)
    if isinstance(estimator, Pipeline):
        final = estimator[-1]
        # What estimator[:-1].transform(X) does (no routed parameters at
        # prediction), without the wrapper's checks at every call: about a
        # millisecond, which predict_interval's own work does not cost.
        for _, step in estimator.steps[:-1]:
            if step is not None and not isinstance(step, str):  # "passthrough"
                X = step.transform(X)
        X = _take_rows(X, kept)
        kept = slice(None)
    method = final.predict_quantiles if conformity == "cqr" else final.predict
    values = np.asarray(method(X), dtype=float)[kept]
    shape = (n_outputs, 2) if conformity == "cqr" else (n_outputs,)
    return values.reshape(len(values), *shape)


def continuing_estimator(estimator, rows):
    """The fitted pipeline `estimator`, its windows continuing from `rows`.

    A shallow copy whose WindowTransformer holds the last rows of `rows` (as
    the steps before it transform them) as the history of input that
    continues them; the other steps are the estimator's own. The same windows
    as transforming `rows` followed by the input, without transforming `rows`
    again at every call. None where that does not hold: no pipeline, other
    than one WindowTransformer before the final step, one that ignores its
    history, or steps before it that drop the time index.
    """
    if rows is None or not isinstance(estimator, Pipeline):
        return None
    positions = [
        position
        for position, (_, step) in enumerate(estimator.steps[:-1])
        if isinstance(step, WindowTransformer)
    ]
    if len(positions) != 1:
        return None
    position = positions[0]
    name, window = estimator.steps[position]
    n_history = window.window_length - 1
    if not window.keep_history or not n_history:
        return None
    inputs = estimator[:position].transform(rows) if position else rows
    if not _is_dataframe(inputs) or not len(inputs):
        return None
    values = inputs.to_numpy(dtype=np.float32)
    if len(values) < n_history:
        # `rows` start right after the fitted rows, whose end is the history.
        values = np.concatenate([window.last_rows_, values])
    window = copy.copy(window)
    window.last_rows_ = values[-n_history:].copy()
    window.last_label_ = inputs.index[-1]
    pipeline = copy.copy(estimator)
    pipeline.steps = [
        (step_name, window if step_name == name else step)
        for step_name, step in estimator.steps
    ]
    return pipeline


def kept_rows(parts, estimator):
    """The kept rows as a DataFrame, the step of their index, and the estimator
    that continues them (None where it cannot be built)."""
    frame = _frame_from_parts(parts)
    if frame is None:
        return None, None, None
    return frame, _frame_step(frame), continuing_estimator(estimator, frame)


def window_lookback(estimator):
    """Rows of history the estimator's windows reach back, None if unknown."""
    steps = estimator.steps if isinstance(estimator, Pipeline) else []
    lengths = [
        step.window_length for _, step in steps if isinstance(step, WindowTransformer)
    ]
    return max(lengths) if lengths else None


def _frame_parts(frame):
    """`frame` as arrays and builtins that pickle and skops.io both load.

    pandas labels (time-zone-aware timestamps, periods) go in the plain form
    of :func:`to_plain`: skops cannot rebuild pandas scalars.
    """
    labels = frame.index.tolist()
    plain = [to_plain(label) for label in labels]
    return {
        "values": frame.to_numpy(),
        "index": [
            label if form is None else form
            for label, form in zip(labels, plain, strict=True)
        ],
        "columns": list(frame.columns),
    }


def _frame_from_parts(parts):
    if parts is None:
        return None
    import pandas as pd

    labels = [
        from_plain(label) if isinstance(label, dict) else label
        for label in parts["index"]
    ]
    return pd.DataFrame(
        parts["values"], index=pd.Index(labels), columns=parts["columns"]
    )


def _frame_step(frame):
    """The step of a kept frame's index, to test continuation against."""
    return check_time_axis(frame.index, "X", "ConformalForecaster")


def _continues_frame(before, X, step):
    """Whether DataFrame `X` starts one `step` after the last row of `before`."""
    if not (_is_dataframe(X) and len(X) and len(before)):
        return False
    return continues(X.index, before.index[-1], step)


def _check_2d(X):
    """scikit-learn's errors for 1-D and scalar inputs ("Reshape your data")."""
    if not _is_dataframe(X):
        check_array(
            X, ensure_all_finite=False, dtype=None, allow_nd=True, input_name="X"
        )


def _scores(forecast, truths, conformity):
    if conformity == "cqr":
        return np.maximum(forecast[..., 0] - truths, truths - forecast[..., 1])
    return np.abs(truths - forecast)


def _quantile_index(n, alpha):
    """Index of the ``1 - alpha`` conformal quantile of `n` sorted scores."""
    return min(n, max(1, math.ceil((n + 1) * (1 - alpha)))) - 1


def _walk_aci(low, high, truths, h, scores, alpha, gamma):
    """Adaptive conformal inference along the rows: (lower, upper) lists.

    A pure-Python loop over floats, with comparisons rather than calls to
    min, max and ceil: per row it costs well under a microsecond, far less
    than NumPy calls on single values.
    """
    n_scores = len(scores)
    scores = scores.tolist()
    # The state is u = (n + 1) * (1 - running miscoverage): the conformal
    # quantile is scores[ceil(u) - 1], and keeping the miscoverage within
    # [1 / (n + 1), n / (n + 1)] keeps u within [1, n]. A miss raises u, a hit
    # lowers it, so each branch meets only one of the bounds.
    u = (n_scores + 1) * (1 - alpha)
    rise, fall = (n_scores + 1) * gamma * (1 - alpha), (n_scores + 1) * gamma * alpha
    top = float(n_scores)
    lower, upper = [], []
    append_lower, append_upper = lower.append, upper.append
    q = scores[_quantile_index(n_scores, alpha)]
    # Row t reads the truth of row t - h; the first h rows have none, and at
    # row t >= h the interval of row t - h is h back from the end of the lists.
    observed = ([float("nan")] * h + truths[h:])[: len(low)]
    back = -h
    for low_t, high_t, truth in zip(low, high, observed, strict=True):
        # NaN fails every comparison: a missing truth is neither hit nor miss,
        # and a NaN bound counts as a hit.
        if truth == truth:
            if truth < lower[back] or truth > upper[back]:
                u += rise
                if u > top:
                    u = top
            else:
                u -= fall
                if u < 1.0:
                    u = 1.0
            index = int(u)
            q = scores[index - 1] if index == u else scores[index]
        a, b = low_t - q, high_t + q
        if a > b:
            a = b = (low_t + high_t) / 2
        append_lower(a)
        append_upper(b)
    return lower, upper


def _walk_multiplicative(low, high, truths, h, scores, alpha, gamma):
    """The calibrated half-width times a factor that grows after each miss."""
    q = float(scores[_quantile_index(len(scores), alpha)])
    factor = 1.0
    up, down = math.exp(gamma * (1 - alpha) / alpha), math.exp(-gamma)
    lower, upper = [0.0] * len(low), [0.0] * len(low)
    for t in range(len(low)):
        if t >= h:
            truth = truths[t]
            if truth == truth:  # not NaN
                if truth < lower[t - h] or truth > upper[t - h]:
                    factor *= up
                    if factor > _MAX_FACTOR:
                        factor = _MAX_FACTOR
                else:
                    factor *= down
                    if factor < _MIN_FACTOR:
                        factor = _MIN_FACTOR
        centre = (low[t] + high[t]) / 2
        half = (high[t] - low[t]) / 2 + q
        half = half * factor if half > 0.0 else 0.0
        lower[t], upper[t] = centre - half, centre + half
    return lower, upper


# -- parameters -------------------------------------------------------------


def parse_horizons(horizon):
    """The horizons as a tuple of ints, and whether a single int was given."""
    if isinstance(horizon, bool):
        raise InvalidParameterError(
            "The 'horizon' parameter of ConformalForecaster must be an int >= 1 "
            f"or a sequence of them, as passed to make_supervised; got {horizon!r}."
        )
    if isinstance(horizon, Integral):
        return (int(horizon),), True
    horizons = tuple(horizon)
    if not horizons:
        raise InvalidParameterError(
            "The 'horizon' parameter of ConformalForecaster must not be empty; "
            "pass the horizon(s) given to make_supervised, such as 6 or "
            "range(1, 25)."
        )
    for h in horizons:
        if not isinstance(h, Integral) or isinstance(h, bool) or h < 1:
            raise InvalidParameterError(
                "The 'horizon' parameter of ConformalForecaster must hold ints "
                f">= 1, as passed to make_supervised; got {h!r} in {horizon!r}."
            )
    if len(set(horizons)) < len(horizons):
        raise InvalidParameterError(
            "The 'horizon' parameter of ConformalForecaster must not repeat a "
            f"horizon; got {list(horizons)}."
        )
    return tuple(int(h) for h in horizons), False


def parse_levels(confidence_level):
    """The confidence levels as a float array."""
    levels = np.atleast_1d(np.asarray(confidence_level, dtype=object))
    if levels.ndim != 1 or len(levels) == 0:
        raise InvalidParameterError(
            "The 'confidence_level' parameter of ConformalForecaster must be a "
            "float in (0, 1) or a non-empty sequence of them; got "
            f"{confidence_level!r}."
        )
    for level in levels:
        if not isinstance(level, Real) or isinstance(level, bool) or not 0 < level < 1:
            raise InvalidParameterError(
                "The 'confidence_level' parameter of ConformalForecaster must "
                f"hold floats in (0, 1), such as 0.8; got {level!r} in "
                f"{confidence_level!r}."
            )
    return levels.astype(float)


def conformity_of(estimator):
    """ "cqr" for a two-level quantile forecaster, "absolute_error" otherwise."""
    final = _final_step(estimator)
    if getattr(final, "loss", None) != "quantile" or not hasattr(
        final, "predict_quantiles"
    ):
        return "absolute_error"
    levels = np.atleast_1d(final.quantile)
    if len(levels) == 1:
        return "absolute_error"
    if len(levels) != 2:
        raise ValueError(
            "ConformalForecaster takes a quantile forecaster with two levels, "
            "the bounds of the band to calibrate, such as quantile=[0.1, 0.9]; "
            f"got quantile={final.quantile!r}. Keep the two outer levels, or "
            "use a point forecaster."
        )
    return "cqr"


def target_values(X, target):
    """The target's values, one per row of `X` (its last time step for windows)."""
    if _is_dataframe(X):
        columns = list(X.columns)
        if target not in columns:
            raise ValueError(
                f"The 'target' parameter of ConformalForecaster must name a "
                f"column of X, as passed to make_supervised; got "
                f"{target!r}, but the columns are {columns[:20]}."
            )
        return np.asarray(X[target], dtype=float)
    if isinstance(target, str):
        raise ValueError(
            f"The 'target' parameter of ConformalForecaster is the column name "
            f"{target!r}, but X has no column names (got "
            f"{type(X).__name__}). Pass the DataFrame that make_supervised "
            "returned, or the target's column position."
        )
    array = check_array(
        X, ensure_all_finite=False, allow_nd=True, input_name="X", dtype=None
    )
    n_columns = array.shape[-1]
    if not -n_columns <= target < n_columns:
        raise ValueError(
            "The 'target' parameter of ConformalForecaster must be a column "
            f"position in [0, {n_columns}) of X; got {target!r}."
        )
    column = array[..., target]
    column = column[:, -1] if column.ndim == 2 else column
    return np.asarray(column, dtype=float)
