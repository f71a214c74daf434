"""The time axis of an input: row order, duplicated and missing time steps.

Every step that reads rows as consecutive time steps shares these checks:
:func:`make_supervised`, :class:`WindowTransformer` and
:class:`CalendarFeatures`. Also home of the column checks they share (unique
names, no date/time columns) and of "does this input continue the fitted rows".
"""

import numpy as np

# An index is taken as regular when at least this share of its steps equal the
# median step; then any longer step is a gap. Below it no step is "the" step.
_REGULAR_SHARE = 0.5


def is_dataframe(data):
    # iloc first: asking a polars LazyFrame for its columns warns.
    return hasattr(data, "iloc") and hasattr(data, "columns")


def pandas_index(data):
    """The index of a pandas DataFrame, or None for any other input."""
    return data.index if is_dataframe(data) else None


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
    if not is_dataframe(data) or not data.columns.has_duplicates:
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
    if is_dataframe(data):
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
    if data is None or is_dataframe(data) or isinstance(data, np.ndarray):
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
