"""The time axis of an input: row order, duplicated and missing time steps.

Every step that reads rows as consecutive time steps shares these checks:
:func:`make_supervised`, :class:`WindowTransformer` and
:class:`CalendarFeatures`. Also home of the column checks they share (unique
names, no date/time columns) and of "does this input continue the fitted rows".
"""

from numbers import Real

import numpy as np

# An index is taken as regular when at least this share of its steps equal the
# median step; then any longer step is a gap. Below it no step is "the" step.
_REGULAR_SHARE = 0.5
# Float steps that differ by less than this share of the step are equal: the
# labels of np.arange(n) * 0.1 differ by rounding, not by missing rows.
_FLOAT_RTOL = 1e-6


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


def check_no_missing_labels(index, input_name, owner):
    """Raise if a DatetimeIndex (or any index) holds NaT or NaN labels."""
    if index is None or isinstance(index, _multi_index()) or not index.hasnans:
        return
    rows = np.flatnonzero(index.isna())
    raise ValueError(
        f"The index of {input_name} has no time at row {int(rows[0])} "
        f"({index[rows[0]]}), {len(rows)} row(s) in all: {owner} reads the time "
        "of each row from the index. Set the missing times, or drop those rows: "
        f"{input_name}[{input_name}.index.notna()] (then put back any rows this "
        "leaves missing, as for a gap)."
    )


def _multi_index():
    import pandas as pd

    return pd.MultiIndex


def _check_single_series(index, input_name, owner):
    """Raise for a MultiIndex: rows of several series stacked, such as stations."""
    if not isinstance(index, _multi_index()):
        return
    names = list(index.names)
    outer = names[0] if names[0] is not None else 0
    example = index.get_level_values(0)[0]
    raise ValueError(
        f"The index of {input_name} is a MultiIndex (levels {names}), as when "
        "several series are stacked, one per group: "
        f"{owner} takes neighbouring rows as neighbouring time steps, so the last "
        "rows of one group would be paired with the first rows of the next. "
        f"Select one series first, for example {input_name}.xs({example!r}, "
        f"level={outer!r}), or fit one model per group: for key, group in "
        f"{input_name}.groupby(level={outer!r}): ..."
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


def _is_float(index):
    return index.dtype.kind == "f"


def _same_step(steps, step, index):
    """Which `steps` equal `step`: exactly, or within a relative tolerance for floats.

    Float labels such as ``np.arange(60) * 0.1`` step by 0.1 up to rounding.
    """
    if not _is_float(index):
        return steps == step
    return np.abs(steps - step) <= _FLOAT_RTOL * abs(step)


def _regular_step(index, kind, steps):
    """The step of the index in its own units (int ticks), or None if irregular."""
    if kind == "period":
        return 1
    if len(steps) == 0:
        return None
    median = np.median(steps)
    if np.mean(_same_step(steps, median, index)) < _REGULAR_SHARE:
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
    gaps = np.flatnonzero((steps > step) & ~_same_step(steps, step, index))
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
    _check_single_series(index, input_name, owner)
    check_no_missing_labels(index, input_name, owner)
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


def _same_kind(index, label):
    """Whether `index` holds labels of the kind, time zone and freq of `label`."""
    import pandas as pd

    if isinstance(label, pd.Timestamp):
        return isinstance(index, pd.DatetimeIndex) and _tz_name(index.tz) == _tz_name(
            label.tz
        )
    if isinstance(label, pd.Timedelta):
        return isinstance(index, pd.TimedeltaIndex)
    if isinstance(label, pd.Period):
        return isinstance(index, pd.PeriodIndex) and index.freqstr == label.freqstr
    kind, _ = _index_positions(index)
    is_number = isinstance(label, Real) and not isinstance(label, bool | np.bool_)
    return kind == "number" and is_number


def _follows(previous, label, step, index):
    """Whether `label` is one `step` after `previous` (within rounding for floats)."""
    expected = previous + step
    if _is_float(index) or isinstance(expected, float | np.floating):
        return bool(abs(label - expected) <= _FLOAT_RTOL * abs(step))
    return bool(label == expected)


def continues(index, last_label, step):
    """Whether `index` starts one `step` after `last_label` and goes on by `step`.

    False for labels of another kind, time zone or period frequency than
    `last_label` (a tz-aware index after a tz-naive fit), and for an index whose
    first two labels are not one `step` apart (half-hourly rows after an
    hourly fit): only rows at the fitted pace continue the fitted rows.
    """
    if index is None or len(index) == 0 or last_label is None or step is None:
        return False
    if not _same_kind(index, last_label):
        return False
    labels = [last_label, *index[:2]]
    try:
        return all(
            _follows(previous, label, step, index)
            for previous, label in zip(labels[:-1], labels[1:], strict=True)
        )
    except (TypeError, ValueError, OverflowError):
        # Labels that cannot be added to or compared with the fitted ones.
        return False


# -- labels and steps as plain values (pickle, skops) ------------------------------


def _pandas_to_plain(value):
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        ticks = int(value.asm8.view("i8"))
        return {"timestamp": ticks, "unit": value.unit, "tz": _tz_name(value.tz)}
    if isinstance(value, pd.Timedelta):
        return {"timedelta": int(value.asm8.view("i8")), "unit": value.unit}
    if isinstance(value, pd.Period):
        return {"period": int(value.ordinal), "freq": value.freqstr}
    if isinstance(value, pd.offsets.BaseOffset):
        return {"offset": value.freqstr}
    return None


def _tz_name(tz):
    return None if tz is None else str(tz)


def _pandas_from_plain(plain):
    import pandas as pd

    if "timestamp" in plain:
        moment = np.datetime64(plain["timestamp"], plain["unit"])
        if plain["tz"] is None:
            return pd.Timestamp(moment)
        return pd.Timestamp(moment).tz_localize("UTC").tz_convert(plain["tz"])
    if "timedelta" in plain:
        return pd.Timedelta(np.timedelta64(plain["timedelta"], plain["unit"]))
    if "period" in plain:
        return pd.Period(ordinal=plain["period"], freq=plain["freq"])
    from pandas.tseries.frequencies import to_offset

    return to_offset(plain["offset"])


def to_plain(value):
    """`value`, an index label or step, as builtins and NumPy scalars, or None.

    pandas scalars (Timestamp, Timedelta, Period, offsets) cannot be loaded by
    ``skops.io``; a dict of ints and strings can. None means `value` needs no
    conversion or has no faithful plain form (such as a fixed-offset time zone
    that pandas cannot name): it is then kept as it is.
    """
    try:
        plain = _pandas_to_plain(value)
        if plain is None:
            return None
        back = _pandas_from_plain(plain)
    except (TypeError, ValueError, OverflowError):
        return None
    same = back == value and _tz_name(getattr(back, "tz", None)) == _tz_name(
        getattr(value, "tz", None)
    )
    return plain if same else None


def from_plain(plain):
    """The inverse of :func:`to_plain`."""
    return _pandas_from_plain(plain)


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
    derive = " and add CalendarFeatures as the first step of the pipeline"
    if owner == "CalendarFeatures":
        derive = ", from which CalendarFeatures reads the time of each row"
    raise ValueError(
        f"{input_name} of {owner} must hold numbers, but column {name!r} holds "
        f"dates or times (dtype {dtype}); it would silently become a count of "
        f"time units. Drop it ({input_name}.drop(columns={[n for n, _ in found]!r})), "
        "or derive numbers from it first: make it the index "
        f"({input_name}.set_index({name!r})){derive}."
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
