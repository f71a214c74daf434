"""Align a forecasting target with its inputs, once, before any pipeline step."""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_array


def _is_dataframe(data):
    return hasattr(data, "columns") and hasattr(data, "iloc")


def _check_horizons(horizon, n_rows):
    """Return the horizons as a tuple of ints and whether a single int was given."""
    single = isinstance(horizon, Integral) and not isinstance(horizon, bool)
    if single:
        horizons = (int(horizon),)
    else:
        try:
            horizons = tuple(horizon)
        except TypeError:
            raise TypeError(
                "The 'horizon' parameter of make_supervised must be an int >= 1 or "
                f"a sequence of ints >= 1, such as range(1, 25). Got {horizon!r}."
            ) from None
        if not horizons:
            raise ValueError(
                "The 'horizon' parameter of make_supervised must not be an empty "
                "sequence; pass an int such as 1 or a sequence such as range(1, 25)."
            )
    for h in horizons:
        if not isinstance(h, Integral) or isinstance(h, bool):
            raise TypeError(
                "The 'horizon' parameter of make_supervised must hold ints >= 1. "
                f"Got {h!r} of type {type(h).__name__}."
            )
        if h < 1:
            raise ValueError(
                "The 'horizon' parameter of make_supervised must be >= 1 (y[t] is "
                f"the target at t + horizon). Got {h}."
            )
    if len(set(horizons)) < len(horizons):
        raise ValueError(
            "The 'horizon' parameter of make_supervised must not repeat a horizon "
            f"(each gives one target column). Got {list(horizons)}."
        )
    longest = max(horizons)
    if longest >= n_rows:
        raise ValueError(
            f"The 'horizon' parameter of make_supervised reaches {longest} steps "
            f"ahead, but data has only {n_rows} rows, so no row would keep a target. "
            "Pass more rows or a shorter horizon."
        )
    return tuple(int(h) for h in horizons), single


def _target_position(data, target, columns):
    if columns is not None:
        if target in columns:
            return list(columns).index(target)
        raise KeyError(
            f"The 'target' parameter of make_supervised must name a column of data. "
            f"Got {target!r}; the columns are {list(columns)}."
        )
    n_columns = data.shape[1]
    if (
        not isinstance(target, Integral)
        or isinstance(target, bool)
        or not -n_columns <= target < n_columns
    ):
        raise KeyError(
            "The 'target' parameter of make_supervised must be a column position "
            f"in [0, {n_columns}) when data is an array. Got {target!r}."
        )
    return int(target) % n_columns


def make_supervised(data, target, horizon=1):
    """Pair each row of a time series with the target value ``horizon`` steps later.

    Forecasting needs ``y[t] = target[t + horizon]``. Doing that shift once, here,
    means no pipeline step ever has to change ``y`` or drop rows, so scaling,
    :class:`WindowTransformer` and a forecaster fit in a plain
    :class:`~sklearn.pipeline.Pipeline` and cross-validate with
    :class:`~sklearn.model_selection.TimeSeriesSplit` (use ``gap=max(horizon)``).

    Parameters
    ----------
    data : DataFrame or array-like of shape (n_rows, n_columns)
        The series, one row per time step, oldest first. All columns, the target
        included, become input features.
    target : str or int
        Column name of the target (DataFrame) or its column position (array).
    horizon : int or sequence of int, default=1
        How many steps ahead to forecast. A sequence such as ``range(1, 25)``
        gives one target column per horizon (direct multi-step forecasting).

    Returns
    -------
    X : DataFrame or ndarray of shape (n_rows - max(horizon), n_columns)
        The first ``n_rows - max(horizon)`` rows of ``data``, unchanged; a
        DataFrame keeps its index and columns.
    y : Series, DataFrame or ndarray
        Shape ``(n_rows - max(horizon),)`` for an int ``horizon``, otherwise
        ``(n_rows - max(horizon), len(horizon))``. ``y[t]`` (column ``j``) is the
        target at row ``t + horizon[j]``. pandas input gives a Series named
        ``"<target>_t+<h>"`` (a DataFrame with one such column per horizon)
        aligned with the index of ``X``.

    See Also
    --------
    WindowTransformer : Turns the rows of ``X`` into windows of past values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import make_supervised
    >>> series = np.arange(12.0).reshape(6, 2)
    >>> X, y = make_supervised(series, target=0, horizon=1)
    >>> X.shape, y
    ((5, 2), array([ 2.,  4.,  6.,  8., 10.]))
    >>> X, Y = make_supervised(series, target=0, horizon=[1, 2])
    >>> Y
    array([[ 2.,  4.],
           [ 4.,  6.],
           [ 6.,  8.],
           [ 8., 10.]])
    """
    is_frame = _is_dataframe(data)
    if is_frame:
        columns = data.columns
        values = data
    else:
        columns = None
        values = check_array(
            data, dtype=None, ensure_all_finite=False, input_name="data"
        )
    n_rows = values.shape[0]
    horizons, single = _check_horizons(horizon, n_rows)
    position = _target_position(values, target, columns)
    n_kept = n_rows - max(horizons)

    if is_frame:
        X = data.iloc[:n_kept]
        series = data.iloc[:, position]
        shifted = {
            f"{columns[position]}_t+{h}": series.iloc[h : h + n_kept].to_numpy()
            for h in horizons
        }
        import pandas as pd

        y = pd.DataFrame(shifted, index=X.index)
        return X, (y.iloc[:, 0] if single else y)

    X = values[:n_kept]
    column = values[:, position]
    y = np.stack([column[h : h + n_kept] for h in horizons], axis=1)
    return X, (y[:, 0] if single else y)
