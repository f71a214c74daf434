"""Align a forecasting target with its inputs, once, before any pipeline step."""

from collections.abc import Hashable, Iterable
from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_array

from ._compat import InvalidParameterError, validate_params
from ._time_axis import (
    as_narwhals,
    check_no_time_columns,
    check_not_series_or_lazy,
    check_time_axis,
    check_unique_columns,
    is_dataframe,
)

# -- make_supervised ------------------------------------------------------------


def _check_horizons(horizon, n_rows):
    """Return the horizons as a tuple of ints and whether a single int was given."""
    single = isinstance(horizon, Integral) and not isinstance(horizon, bool)
    if single:
        horizons = (int(horizon),)
    else:
        try:
            horizons = tuple(horizon)
        except TypeError:
            raise InvalidParameterError(
                "The 'horizon' parameter of make_supervised must be an int >= 1 or "
                f"a sequence of ints >= 1, such as range(1, 25). Got {horizon!r}."
            ) from None
        if not horizons:
            raise InvalidParameterError(
                "The 'horizon' parameter of make_supervised must not be an empty "
                "sequence; pass an int such as 1 or a sequence such as range(1, 25)."
            )
    for h in horizons:
        if not isinstance(h, Integral) or isinstance(h, bool):
            raise InvalidParameterError(
                "The 'horizon' parameter of make_supervised must hold ints >= 1. "
                f"Got {h!r} of type {type(h).__name__}."
            )
        if h < 1:
            raise InvalidParameterError(
                "The 'horizon' parameter of make_supervised must be >= 1 (y[t] is "
                f"the target at t + horizon). Got {h}."
            )
    if len(set(horizons)) < len(horizons):
        raise InvalidParameterError(
            "The 'horizon' parameter of make_supervised must not repeat a horizon "
            f"(each gives one target column). Got {list(horizons)}; pass each "
            f"once: {sorted(set(horizons))}."
        )
    longest = max(horizons)
    if longest >= n_rows:
        raise InvalidParameterError(
            f"The 'horizon' parameter of make_supervised reaches {longest} steps "
            f"ahead, but data has only {n_rows} rows, so no row would keep a target. "
            "Pass more rows or a shorter horizon."
        )
    return tuple(int(h) for h in horizons), single


def _target_position(data, target, columns):
    if columns is not None:
        if target in columns:
            return list(columns).index(target)
        raise InvalidParameterError(
            f"The 'target' parameter of make_supervised must name a column of data. "
            f"Got {target!r}; the columns are {list(columns)}. Pass one of them "
            "(names are case-sensitive)."
        )
    n_columns = data.shape[1]
    if (
        not isinstance(target, Integral)
        or isinstance(target, bool)
        or not -n_columns <= target < n_columns
    ):
        raise InvalidParameterError(
            "The 'target' parameter of make_supervised must be a column position "
            f"in [0, {n_columns}) when data is an array. Got {target!r}."
        )
    return int(target) % n_columns


def _array_data(data):
    """`data` as a 2-D NumPy array of real values, with a clear error otherwise."""
    expected = (
        "data of make_supervised must be a DataFrame (pandas, polars) or a 2-D "
        "array of shape (n_rows, n_columns), one row per time step"
    )
    if data is None:
        raise TypeError(f"{expected}; got None.")
    try:
        array = np.asarray(data)
    except ValueError as error:
        raise ValueError(
            f"{expected}; got rows of different lengths ({error}). Give every row "
            "the same columns."
        ) from error
    if array.ndim == 1:
        raise ValueError(
            f"{expected}; got a 1-D array of shape {array.shape}. For a single "
            "series, make it one column: data.reshape(-1, 1) (and target=0)."
        )
    if array.ndim == 0:
        raise ValueError(f"{expected}; got a scalar, {data!r}.")
    if array.ndim != 2:
        raise ValueError(
            f"{expected}; got an array with {array.ndim} dimensions of shape "
            f"{array.shape}. make_supervised takes the series itself: windows are "
            "made after it, by WindowTransformer."
        )
    if array.dtype.kind == "c":
        raise ValueError(
            f"{expected}, of real numbers; got complex values (dtype {array.dtype})."
            " Pass the real part (data.real), or the real and imaginary parts as "
            "two columns: np.hstack([data.real, data.imag])."
        )
    if array.dtype.kind in "mM":
        raise ValueError(
            f"{expected}, of numbers; got dates or times (dtype {array.dtype}), "
            "which would silently become counts of time units. Drop them, or "
            "derive features from them first."
        )
    return check_array(array, dtype=None, ensure_all_finite=False, input_name="data")


def _check_pandas_data(data):
    check_unique_columns(data, "data", "make_supervised")
    check_no_time_columns(data, "data", "make_supervised")
    complex_columns = [
        name for name, dtype in data.dtypes.items() if getattr(dtype, "kind", "") == "c"
    ]
    if complex_columns:
        raise ValueError(
            "data of make_supervised must hold real numbers; column "
            f"{complex_columns[0]!r} holds complex values. Pass the real part, or "
            "the real and imaginary parts as two columns."
        )
    check_time_axis(data.index, "data", "make_supervised")


def _supervised_pandas(data, position, horizons, single, n_kept):
    import pandas as pd

    X = data.iloc[:n_kept]
    series = data.iloc[:, position]
    name = data.columns[position]
    shifted = {
        f"{name}_t+{h}": series.iloc[h : h + n_kept].to_numpy() for h in horizons
    }
    y = pd.DataFrame(shifted, index=X.index)
    return X, (y.iloc[:, 0] if single else y)


def _supervised_narwhals(frame, position, horizons, single, n_kept):
    import narwhals.stable.v2 as nw

    name = frame.columns[position]
    y = frame.select(
        [nw.col(name).shift(-h).alias(f"{name}_t+{h}") for h in horizons]
    ).head(n_kept)
    X = frame.head(n_kept)
    y = y.get_column(y.columns[0]) if single else y
    return X.to_native(), y.to_native()


@validate_params(
    {
        # `data` is the input, checked by the function itself: its messages
        # give the fix for each kind of input (a Series, a lazy frame, 1-D).
        "data": "no_validation",
        # Loose on purpose: the function's own checks name the columns, the
        # range of a horizon and the fix.
        "target": [Hashable],
        "horizon": [Integral, Iterable],
    },
    prefer_skip_nested_validation=True,
)
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
        The series, one row per time step, oldest first: a pandas or polars
        DataFrame (or another eager dataframe that narwhals supports), or a 2-D
        array. All columns, the target included, become input features, so
        they must be numbers: date/time columns are refused.
    target : str or int
        Column name of the target (DataFrame) or its column position (array).
    horizon : int or sequence of int, default=1
        How many steps ahead to forecast. A sequence such as ``range(1, 25)``
        gives one target column per horizon (direct multi-step forecasting).

    Returns
    -------
    X : DataFrame or ndarray of shape (n_rows - max(horizon), n_columns)
        The first ``n_rows - max(horizon)`` rows of ``data``, unchanged and of
        the same kind; a pandas DataFrame keeps its index and columns.
    y : Series, DataFrame or ndarray
        Shape ``(n_rows - max(horizon),)`` for an int ``horizon``, otherwise
        ``(n_rows - max(horizon), len(horizon))``. ``y[t]`` (column ``j``) is the
        target at row ``t + horizon[j]``. DataFrame input gives a Series of the
        same library named ``"<target>_t+<h>"`` (a DataFrame with one such
        column per horizon); with pandas it is aligned with the index of ``X``.

    Raises
    ------
    InvalidParameterError
        If `target` is not a column of `data`, or `horizon` is not an int
        >= 1 or a sequence of distinct ones shorter than `data`. It is
        scikit-learn's exception, both a ``ValueError`` and a ``TypeError``.
    ValueError
        If the rows of a pandas DataFrame are not one per time step in
        increasing order of its index (see Notes), if column names repeat, or
        if a column holds dates, times or complex numbers.
    TypeError
        If `data` is None, a Series (use ``data.to_frame()``) or a lazy frame
        (use ``data.collect()``).

    See Also
    --------
    WindowTransformer : Turns the rows of ``X`` into windows of past values.

    Notes
    -----
    The shift counts rows, so it is a shift in time only if the rows are one
    per time step, in order. Where a pandas DataFrame carries an index that
    says so, it is checked, and each of these is an error rather than a
    warning, because the targets would be silently wrong:

    - rows not in increasing order of a DatetimeIndex, PeriodIndex,
      TimedeltaIndex or numeric index (a RangeIndex included), as after
      shuffling;
    - the same label twice;
    - a gap in a regular index: one with a ``freq`` (set, or inferred by
      :func:`pandas.infer_freq`), or whose steps are mostly equal (at least
      half of them equal the median step); a longer step means missing rows.
      Fill them first, for example with ``data.asfreq("h").interpolate()``.
      An irregular index is checked for order and duplicates only.

    Other indexes (text labels, a MultiIndex) are not checked, nor are NumPy
    arrays and polars DataFrames, which carry no index: their rows are taken
    as consecutive time steps.

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

    A pandas DataFrame keeps its index and names the target column:

    >>> import pandas as pd
    >>> hours = pd.date_range("2024-01-01", periods=4, freq="h")
    >>> frame = pd.DataFrame({"temp": [1.0, 2.0, 3.0, 4.0]}, index=hours)
    >>> X, y = make_supervised(frame, target="temp", horizon=2)
    >>> y
    2024-01-01 00:00:00    3.0
    2024-01-01 01:00:00    4.0
    Freq: h, Name: temp_t+2, dtype: float64

    Shuffled rows are refused:

    >>> make_supervised(frame.iloc[[1, 0, 2, 3]], target="temp")
    Traceback (most recent call last):
    ...
    ValueError: The rows of data are not in increasing order of its index: ...
    """
    wrapped = as_narwhals(data)
    if wrapped is not None:
        check_not_series_or_lazy(data, wrapped, "data", "make_supervised")
    if is_dataframe(data):
        _check_pandas_data(data)
        values, columns = data, list(data.columns)
    elif wrapped is not None:
        check_no_time_columns(wrapped, "data", "make_supervised")
        values, columns = wrapped, wrapped.columns
    else:
        values, columns = _array_data(data), None
    n_rows = values.shape[0]
    horizons, single = _check_horizons(horizon, n_rows)
    position = _target_position(values, target, columns)
    n_kept = n_rows - max(horizons)

    if is_dataframe(data):
        return _supervised_pandas(data, position, horizons, single, n_kept)
    if wrapped is not None:
        return _supervised_narwhals(wrapped, position, horizons, single, n_kept)
    X = values[:n_kept]
    column = values[:, position]
    y = np.stack([column[h : h + n_kept] for h in horizons], axis=1)
    return X, (y[:, 0] if single else y)
