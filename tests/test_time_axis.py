"""Rows out of time order, repeated time steps and gaps are refused, not windowed."""

import re

import numpy as np
import pandas as pd
import pytest
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.linear_model import Ridge
from sklearn.model_selection import HalvingGridSearchCV, learning_curve
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import WindowTransformer, make_supervised


def _hourly(n_rows=48):
    index = pd.date_range("2024-03-01", periods=n_rows, freq="h", name="time")
    values = np.arange(n_rows, dtype=float)
    return pd.DataFrame({"temp": values, "wind": values / 10}, index=index)


def _supervise(frame):
    return make_supervised(frame, target="temp")


def _window_fit(frame):
    return WindowTransformer(window_length=3).fit(frame)


def _window_transform(frame):
    # Fitted on a well-formed series; the bad rows only reach transform.
    return WindowTransformer(window_length=3).fit(_hourly()).transform(frame)


CALLERS = pytest.mark.parametrize(
    "call, input_name",
    [(_supervise, "data"), (_window_fit, "X"), (_window_transform, "X")],
    ids=["make_supervised", "fit", "transform"],
)


@CALLERS
def test_shuffled_rows_are_refused_with_the_searcher_to_use(call, input_name):
    shuffled = _hourly().iloc[[0, 1, 3, 2, 4, 5]]
    with pytest.raises(ValueError) as error:
        call(shuffled)
    message = str(error.value)
    assert message.startswith(
        f"The rows of {input_name} are not in increasing order of its index: "
        "row 2 (2024-03-01 03:00:00) is followed by row 3 (2024-03-01 02:00:00)."
    )
    assert "HalvingGridSearchCV with its default resource='n_samples'" in message
    assert "learning_curve(shuffle=True)" in message
    assert "resource='<step>__max_epochs'" in message
    assert f"{input_name}.sort_index()" in message


@CALLERS
def test_duplicated_timestamps_are_refused(call, input_name):
    frame = _hourly(6)
    repeated = pd.concat([frame.iloc[:3], frame.iloc[2:]])
    with pytest.raises(
        ValueError,
        match=re.escape(
            f"The index of {input_name} holds 2024-03-01 02:00:00 twice, at rows 2 "
            "and 3: "
        )
        + r".*expects one row per time step.*groupby\(level=0\)\.mean\(\)",
    ):
        call(repeated)


@CALLERS
def test_missing_hours_are_refused_with_the_fix(call, input_name):
    frame = _hourly(24)
    holed = frame.drop(frame.index[5:11])
    assert holed.index.freq is None
    with pytest.raises(ValueError) as error:
        call(holed)
    assert str(error.value).startswith(
        f"The index of {input_name} steps by h but jumps by 7h between row 4 "
        "(2024-03-01 04:00:00) and row 5 (2024-03-01 11:00:00), 1 gap(s) in all."
    )
    assert f'{input_name}.asfreq("h").interpolate()' in str(error.value)


def test_refilled_series_passes_and_shifts_by_hours():
    frame = _hourly(24)
    holed = frame.drop(frame.index[5:11])
    X, y = make_supervised(holed.asfreq("h").interpolate(), target="temp")
    # With the hours back, y[t] is the temperature one hour later.
    assert y.loc["2024-03-01 04:00"] == frame.loc["2024-03-01 05:00", "temp"]
    assert len(X) == 23


def test_gap_in_a_range_like_integer_index():
    frame = _hourly(10).reset_index(drop=True).drop(index=[4, 5])
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The index of data steps by 1 but jumps by 3 between row 3 (3) and row "
            "4 (6), 1 gap(s) in all."
        )
        + r".*data\.reindex\(range\(0, 10, 1\)\)\.interpolate\(\)",
    ):
        make_supervised(frame, target="temp")


def test_gap_in_a_period_index():
    frame = _hourly(10).to_period("h")
    with pytest.raises(ValueError, match=r"steps by 1 period\(s\) of h but jumps by 2"):
        make_supervised(frame.drop(frame.index[3]), target="temp")


def test_reversed_range_index_is_refused():
    frame = _hourly(5).reset_index(drop=True).iloc[::-1]
    with pytest.raises(ValueError, match=r"row 0 \(4\) is followed by row 1 \(3\)"):
        WindowTransformer(window_length=2).fit(frame)


@pytest.mark.parametrize(
    "index",
    [
        # A calendar freq pandas infers: weekends are not gaps.
        pd.DatetimeIndex(pd.bdate_range("2024-03-01", periods=12).to_list()),
        pd.DatetimeIndex(pd.date_range("2024-01-01", periods=12, freq="MS").to_list()),
        # Irregular steps: no regular step to have gaps in.
        pd.Index([0.0, 0.5, 2.0, 2.1, 7.0, 7.5]),
        # Not a time axis: not checked.
        pd.Index(["c", "a", "b", "d", "e", "f"]),
    ],
    ids=["business-days", "month-starts", "irregular", "text"],
)
def test_indexes_without_gaps_or_not_time_pass(index):
    frame = pd.DataFrame({"temp": np.arange(len(index), dtype=float)}, index=index)
    X, y = make_supervised(frame, target="temp")
    assert len(X) == len(index) - 1
    windows = WindowTransformer(window_length=2).fit_transform(frame)
    assert windows.shape == (len(index), 2, 1)


def test_arrays_carry_no_index_and_are_not_checked():
    frame = _hourly(6).iloc[[0, 1, 3, 2, 4, 5]]
    X, y = make_supervised(frame.to_numpy(), target=0)
    assert y[2] == 2.0  # taken as given: rows are the time order


def test_halving_search_on_samples_is_refused_with_the_alternative():
    X, y = make_supervised(_hourly(200), target="temp")
    # pandas output carries the index through the scaler to WindowTransformer.
    pipe = make_pipeline(
        StandardScaler(), WindowTransformer(3, flatten=True, fill_value=0.0), Ridge()
    ).set_output(transform="pandas")
    search = HalvingGridSearchCV(
        pipe, {"ridge__alpha": [0.1, 1.0]}, cv=2, min_resources=60, error_score="raise"
    )
    with pytest.raises(ValueError, match=r"HalvingGridSearchCV\(resource="):
        search.fit(X, y)


def test_shuffled_learning_curve_is_refused():
    X, y = make_supervised(_hourly(120), target="temp")
    pipe = make_pipeline(WindowTransformer(3, flatten=True, fill_value=0.0), Ridge())
    with pytest.raises(ValueError, match=r"not in increasing order"):
        learning_curve(
            pipe, X, y, cv=2, shuffle=True, random_state=0, error_score="raise"
        )


# -- column names ---------------------------------------------------------------


@pytest.mark.parametrize("call", [_supervise, _window_fit, _window_transform])
def test_duplicated_column_names_are_refused(call):
    frame = _hourly(6).set_axis(["temp", "temp"], axis=1)
    with pytest.raises(
        ValueError,
        match=r"must have unique names.*\['temp'\] appear more than once.*"
        r"duplicated\(\)",
    ):
        call(frame)


def test_duplicated_names_refused_before_flat_pandas_output():
    frame = _hourly(6).set_axis(["temp", "temp"], axis=1)
    transformer = WindowTransformer(2, flatten=True).set_output(transform="pandas")
    with pytest.raises(ValueError, match="The columns of X must have unique names"):
        transformer.fit_transform(frame)
