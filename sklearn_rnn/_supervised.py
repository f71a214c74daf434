"""Align a forecasting target with its inputs, once, before any pipeline step.

Also home of the input checks that every step working on the time axis shares:
row order, duplicated time steps, gaps, column names and date/time columns.
"""

from numbers import Integral

import numpy as np
from sklearn.utils.validation import check_array

# An index is taken as regular when at least this share of its steps equal the
# median step; then any longer step is a gap. Below it no step is "the" step.
_REGULAR_SHARE = 0.5


def _is_dataframe(data):
    # iloc first: asking a polars LazyFrame for its columns warns.
    return hasattr(data, "iloc") and hasattr(data, "columns")


def pandas_index(data):
    """The index of a pandas DataFrame, or None for any other input."""
    return data.index if _is_dataframe(data) else None


# -- time axis -------------------------------------------------------------------


def _index_positions(index):
    """Return ``(kind, values)``: the index as numbers, or ``(None, None)``.

    `kind` is "time" (DatetimeIndex, TimedeltaIndex: int64 ticks in the index's
    unit), "period" (PeriodIndex: ordinals) or "number" (a numeric index).
    """
    import pandas as pd

    if isinstance(index, pd.MultiIndex):
        return None, None
    if isinstance(index, pd.PeriodIndex):
        return "period", index.asi8
    if isinstance(index, pd.DatetimeIndex | pd.TimedeltaIndex):
        return "time", index.asi8
    dtype = index.dtype
    if pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype):
        return "number", index.to_numpy()
    return None, None


def _sort_hint(input_name, owner):
    return (
        f"{owner} takes neighbouring rows as neighbouring time steps, so shuffled "
        "rows, or a shuffled subset of them, give meaningless windows and targets. "
        "This happens for example inside HalvingGridSearchCV with its default "
        "resource='n_samples' and in learning_curve(shuffle=True): search with "
        "HalvingGridSearchCV(resource='<step>__max_epochs'), such as "
        "resource='lstmforecaster__max_epochs', and keep learning_curve's "
        f"default shuffle=False. Otherwise sort the rows first: "
        f"{input_name}.sort_index()."
    )


def _check_order(index, steps, input_name, owner):
    """Raise if the index decreases somewhere or repeats a label."""
    if not index.is_monotonic_increasing:
        # `not >= 0` also catches NaN and NaT, which compare as unordered.
        row = int(np.flatnonzero(~(steps >= 0))[0]) if len(steps) else 0
        raise ValueError(
            f"The rows of {input_name} are not in increasing order of its index: "
            f"row {row} ({index[row]}) is followed by row {row + 1} "
            f"({index[row + 1]}). " + _sort_hint(input_name, owner)
        )
    if index.has_duplicates:
        row = int(np.flatnonzero(steps == 0)[0])
        raise ValueError(
            f"The index of {input_name} holds {index[row]} twice, at rows {row} "
            f"and {row + 1}: {owner} expects one row per time step. Aggregate "
            f"duplicated time steps first, for example "
            f"{input_name}.groupby(level=0).mean()."
        )


def _regular_step(index, kind, steps):
    """The step of the index in its own units (int ticks), or None if irregular."""
    if kind == "period":
        return 1
    if len(steps) == 0:
        return None
    median = np.median(steps)
    if np.mean(steps == median) < _REGULAR_SHARE:
        return None
    return median.item()


def _describe_step(kind, index, ticks):
    import pandas as pd

    if kind == "time":
        from pandas.tseries.frequencies import to_offset

        return to_offset(pd.Timedelta(int(ticks), unit=index.unit)).freqstr
    if kind == "period":
        return f"{int(ticks)} period(s) of {index.freqstr}"
    return f"{ticks:g}"


def _refill_hint(kind, index, step, input_name):
    if kind == "time":
        import pandas as pd
        from pandas.tseries.frequencies import to_offset

        freq = to_offset(pd.Timedelta(int(step), unit=index.unit)).freqstr
        return f'{input_name}.asfreq("{freq}").interpolate()'
    if kind == "period":
        return (
            f"{input_name}.reindex(pd.period_range({input_name}.index[0], "
            f'{input_name}.index[-1], freq="{index.freqstr}")).interpolate()'
        )
    first, last = index[0].item(), index[-1].item()
    if index.dtype.kind in "iu":
        labels = f"range({first}, {last + int(step)}, {int(step)})"
    else:
        labels = f"np.arange({first!r}, {last!r} + {step / 2!r}, {step!r})"
    return f"{input_name}.reindex({labels}).interpolate()"


def _check_gaps(index, kind, steps, step, input_name, owner):
    gaps = np.flatnonzero(steps > step)
    if not len(gaps):
        return
    row = int(gaps[0])
    raise ValueError(
        f"The index of {input_name} steps by {_describe_step(kind, index, step)} "
        f"but jumps by {_describe_step(kind, index, steps[row])} between row {row} "
        f"({index[row]}) and row {row + 1} ({index[row + 1]}), {len(gaps)} gap(s) "
        f"in all. {owner} counts rows, not time, so windows and targets across a "
        "gap would silently join time steps that are not neighbours. Put the "
        "missing rows back first, for example "
        f"{_refill_hint(kind, index, step, input_name)}."
    )


def _time_freq(index):
    """The freq of a DatetimeIndex or TimedeltaIndex, set or inferred, or None."""
    if index.freq is not None or len(index) < 3:
        return index.freq
    # freq="infer" gives an offset on every pandas version; infer_freq gives a
    # string that pandas 3 warns about.
    return type(index)(index, freq="infer").freq


def check_time_axis(index, input_name, owner):
    """Raise unless `index` has one row per time step, in increasing order.

    Checked: DatetimeIndex, TimedeltaIndex, PeriodIndex and numeric indexes
    (RangeIndex included). Rows must increase strictly, and where the index is
    regular no step may be longer than the regular one. Regular means a
    `freq` (set, or inferred by pandas for a DatetimeIndex), or a step that at
    least half of the steps share (the median step). Other indexes are not checked.

    Parameters
    ----------
    index : pandas Index or None
        The index of the input, None for inputs without one.
    input_name, owner : str
        How the input and the function or class are named in messages.

    Returns
    -------
    step : pandas offset, Timedelta, int, float or None
        What to add to a label to get the next one; None when the index is
        irregular, too short or not checked.
    """
    import pandas as pd

    if index is None:
        return None
    if isinstance(index, pd.RangeIndex) and (index.step > 0 or len(index) < 2):
        return index.step
    kind, positions = _index_positions(index)
    if kind is None:
        return None
    steps = np.diff(positions)
    _check_order(index, steps, input_name, owner)
    if kind == "time":
        freq = _time_freq(index)
        if freq is not None:
            # The index conforms to the freq (business days, month starts...).
            return freq
    step = _regular_step(index, kind, steps)
    if step is None:
        return None
    _check_gaps(index, kind, steps, step, input_name, owner)
    if kind == "time":
        return pd.Timedelta(int(step), unit=index.unit)
    return step


def continues(index, last_label, step):
    """Whether `index` starts one `step` after `last_label`."""
    if index is None or len(index) == 0 or last_label is None or step is None:
        return False
    try:
        return bool(index[0] == last_label + step)
    except (TypeError, ValueError):
        # Labels of another kind (or time zone) than the fitted ones.
        return False


# -- columns ----------------------------------------------------------------------


def check_unique_columns(data, input_name, owner):
    """Raise if a pandas DataFrame repeats a column name."""
    if not _is_dataframe(data) or not data.columns.has_duplicates:
        return
    columns = data.columns
    repeated = list(dict.fromkeys(columns[columns.duplicated()]))
    raise ValueError(
        f"The columns of {input_name} must have unique names, as {owner} names "
        f"its output after them; {repeated} appear more than once. Rename the "
        f"columns first, or drop the repeated ones: "
        f"{input_name}.loc[:, ~{input_name}.columns.duplicated()]."
    )


def _time_columns(data):
    """Names and dtypes of the date/time columns of a pandas or narwhals frame."""
    if _is_dataframe(data):
        import pandas as pd

        def is_time(dtype):
            return (
                pd.api.types.is_datetime64_any_dtype(dtype)
                or pd.api.types.is_timedelta64_dtype(dtype)
                or isinstance(dtype, pd.PeriodDtype)
            )

        return [(name, dtype) for name, dtype in data.dtypes.items() if is_time(dtype)]
    return [(name, dtype) for name, dtype in data.schema.items() if dtype.is_temporal()]


def check_no_time_columns(data, input_name, owner):
    """Raise if a pandas or narwhals frame holds date, time or duration columns."""
    found = _time_columns(data)
    if not found:
        return
    name, dtype = found[0]
    raise ValueError(
        f"{input_name} of {owner} must hold numbers, but column {name!r} holds "
        f"dates or times (dtype {dtype}); it would silently become a count of "
        f"time units. Drop it ({input_name}.drop(columns={[n for n, _ in found]!r})), "
        "or derive numbers from it first: make it the index "
        f"({input_name}.set_index({name!r})) and add CalendarFeatures as the "
        "first step of the pipeline."
    )


def as_narwhals(data):
    """`data` as a narwhals object when it is a dataframe-like of another library.

    Returns None for pandas DataFrames (kept on their own path), NumPy arrays
    and anything narwhals does not know.
    """
    if data is None or _is_dataframe(data) or isinstance(data, np.ndarray):
        return None
    import narwhals.stable.v2 as nw

    wrapped = nw.from_native(data, pass_through=True, allow_series=True)
    return None if wrapped is data else wrapped


def check_not_series_or_lazy(data, wrapped, input_name, owner):
    """Raise a clear error for a Series or a lazy frame passed as the data."""
    import narwhals.stable.v2 as nw

    kind = type(data).__module__.split(".")[0]
    if isinstance(wrapped, nw.Series):
        raise TypeError(
            f"{input_name} of {owner} must be a DataFrame or a 2-D array, one "
            f"column per feature; got a {kind} Series. Make it a one-column "
            f"DataFrame first: {input_name}.to_frame()."
        )
    if isinstance(wrapped, nw.LazyFrame):
        raise TypeError(
            f"{input_name} of {owner} must be an eager DataFrame or a 2-D array; "
            f"got a lazy {kind} frame, whose rows are not computed yet. Compute it "
            f"first: {input_name}.{'compute' if kind == 'dask' else 'collect'}()."
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
    if _is_dataframe(data):
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

    if _is_dataframe(data):
        return _supervised_pandas(data, position, horizons, single, n_kept)
    if wrapped is not None:
        return _supervised_narwhals(wrapped, position, horizons, single, n_kept)
    X = values[:n_kept]
    column = values[:, position]
    y = np.stack([column[h : h + n_kept] for h in horizons], axis=1)
    return X, (y[:, 0] if single else y)
