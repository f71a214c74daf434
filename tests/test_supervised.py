"""make_supervised: y[t] is the target h steps after row t, for arrays and pandas."""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_array_equal
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import make_supervised


def _series(n_rows=8, n_columns=3):
    # Column j of row t holds 100 * j + t: every value says where it came from.
    return np.arange(n_rows)[:, None] + 100.0 * np.arange(n_columns)[None, :]


@pytest.mark.parametrize("horizon", [1, 3, np.int64(2)])
def test_int_horizon_shifts_target_and_drops_last_rows(horizon):
    data = _series()
    X, y = make_supervised(data, target=1, horizon=horizon)

    n_kept = 8 - int(horizon)
    assert_array_equal(X, data[:n_kept])
    assert y.shape == (n_kept,)
    assert_array_equal(y, 100.0 + np.arange(int(horizon), 8))


def test_negative_position_counts_from_the_last_column():
    X, y = make_supervised(_series(), target=-1, horizon=1)
    assert_array_equal(y, 200.0 + np.arange(1, 8))


def test_sequence_horizon_gives_one_column_per_horizon():
    data = _series(n_rows=30, n_columns=2)
    X, Y = make_supervised(data, target=0, horizon=range(1, 25))

    assert X.shape == (6, 2)
    assert Y.shape == (6, 24)
    assert_array_equal(X, data[:6])
    # Y[t, j] is the target at row t + j + 1.
    assert_array_equal(Y, np.arange(6)[:, None] + np.arange(1, 25)[None, :])


def test_single_horizon_in_a_list_stays_two_dimensional():
    X, Y = make_supervised(_series(), target=0, horizon=[2])
    assert Y.shape == (6, 1)
    assert_array_equal(Y[:, 0], np.arange(2, 8))


def test_unordered_horizons_keep_their_order():
    X, Y = make_supervised(_series(), target=0, horizon=[3, 1])
    assert X.shape == (5, 3)
    assert_array_equal(Y, np.column_stack([np.arange(3, 8), np.arange(1, 6)]))


def test_dataframe_keeps_index_and_names_the_target(weather):
    X, y = make_supervised(weather, target="temp", horizon=1)

    assert isinstance(X, pd.DataFrame)
    assert isinstance(y, pd.Series)
    assert list(X.columns) == ["temp", "pressure"]
    assert X.index.equals(weather.index[:-1])
    assert y.index.equals(X.index)
    assert y.name == "temp_t+1"
    assert_array_equal(y.to_numpy(), weather["temp"].to_numpy()[1:])
    pd.testing.assert_frame_equal(X, weather.iloc[:-1])


def test_dataframe_with_horizons_gives_aligned_dataframe(weather):
    X, Y = make_supervised(weather, target="pressure", horizon=[1, 6])

    assert isinstance(Y, pd.DataFrame)
    assert list(Y.columns) == ["pressure_t+1", "pressure_t+6"]
    assert Y.index.equals(X.index)
    assert len(X) == len(weather) - 6
    # The target at t + 6 of row t, looked up by timestamp.
    stamp = X.index[10]
    assert Y.loc[stamp, "pressure_t+6"] == weather["pressure"].iloc[16]
    assert Y.loc[stamp, "pressure_t+1"] == weather["pressure"].iloc[11]


def test_input_is_not_modified(weather):
    before = weather.copy()
    make_supervised(weather, target="temp", horizon=[1, 2])
    pd.testing.assert_frame_equal(weather, before)


@given(
    n_rows=st.integers(2, 40),
    n_columns=st.integers(1, 4),
    data=st.data(),
)
@settings(max_examples=50, deadline=None)
def test_every_target_value_comes_from_row_t_plus_h(n_rows, n_columns, data):
    horizons = data.draw(
        st.lists(st.integers(1, n_rows - 1), min_size=1, max_size=4, unique=True),
        label="horizons",
    )
    target = data.draw(st.integers(0, n_columns - 1), label="target")
    series = np.random.default_rng(n_rows).normal(size=(n_rows, n_columns))

    X, Y = make_supervised(series, target=target, horizon=horizons)

    n_kept = n_rows - max(horizons)
    assert X.shape == (n_kept, n_columns)
    assert Y.shape == (n_kept, len(horizons))
    for j, h in enumerate(horizons):
        assert_array_equal(Y[:, j], series[h : h + n_kept, target])


# -- errors --------------------------------------------------------------------


def test_unknown_column_name_lists_the_columns(weather):
    with pytest.raises(ValueError, match=r"Got 'tmp'; the columns are \['temp', "):
        make_supervised(weather, target="tmp")


def test_position_out_of_range_for_an_array():
    with pytest.raises(ValueError, match=r"column position in \[0, 3\).*Got 3"):
        make_supervised(_series(), target=3)


def test_column_name_for_an_array_is_refused():
    with pytest.raises(ValueError, match=r"when data is an array. Got 'temp'"):
        make_supervised(_series(), target="temp")


@pytest.mark.parametrize("horizon", [0, -2, [1, 0]])
def test_horizon_below_one(horizon):
    with pytest.raises(ValueError, match=r"'horizon' parameter .* must be >= 1"):
        make_supervised(_series(), target=0, horizon=horizon)


@pytest.mark.parametrize("horizon", [8, 9, [1, 8]])
def test_horizon_reaching_past_the_data(horizon):
    with pytest.raises(
        ValueError, match=r"reaches \d+ steps ahead, but data has only 8 rows"
    ):
        make_supervised(_series(), target=0, horizon=horizon)


@pytest.mark.parametrize(
    "horizon, shown",
    [
        # The declared constraint (an int or an iterable of them) answers first.
        (1.5, "must be an instance of 'int' or an instance of "),
        (1.5, "Got 1.5 instead."),
        # The function's own checks answer the cases the constraint lets through.
        (True, "Got True."),
        ([1, 2.0], "Got 2.0 of type float"),
    ],
)
def test_non_int_horizon(horizon, shown):
    with pytest.raises(InvalidParameterError, match=re.escape(shown)) as error:
        make_supervised(_series(), target=0, horizon=horizon)
    assert "The 'horizon' parameter of make_supervised" in str(error.value)
    assert isinstance(error.value, TypeError)


@pytest.mark.parametrize("target", [["temp"], {"temp": 0}])
def test_unhashable_target_is_a_parameter_error(weather, target):
    with pytest.raises(
        InvalidParameterError,
        match=r"The 'target' parameter of make_supervised must be an instance of "
        r"'collections.abc.Hashable'",
    ):
        make_supervised(weather, target=target)


def test_a_generator_of_horizons_is_read_once(weather):
    X, Y = make_supervised(weather, target="temp", horizon=(h for h in (1, 3)))
    assert list(Y.columns) == ["temp_t+1", "temp_t+3"]


@pytest.mark.parametrize("as_frame", [False, True], ids=["array", "frame"])
def test_repeated_horizon(weather, as_frame):
    # pandas would merge the two equally named columns into one.
    data = weather if as_frame else weather.to_numpy()
    with pytest.raises(
        ValueError, match=re.escape("must not repeat a horizon") + r".*Got \[1, 1, 2\]"
    ):
        make_supervised(data, target="temp" if as_frame else 0, horizon=[1, 1, 2])


def test_empty_horizon_sequence():
    with pytest.raises(ValueError, match="must not be an empty sequence"):
        make_supervised(_series(), target=0, horizon=[])


def test_one_dimensional_data_is_refused():
    with pytest.raises(
        ValueError,
        match=r"data of make_supervised must be .* a 2-D array .* got a 1-D array "
        r"of shape \(10,\)\. For a single series, make it one column: "
        r"data\.reshape\(-1, 1\)",
    ):
        make_supervised(np.arange(10.0), target=0)


@pytest.mark.parametrize(
    "data, error, shown",
    [
        (None, TypeError, "got None."),
        (np.zeros((4, 3, 2)), ValueError, "got an array with 3 dimensions of shape "),
        (np.float64(3.0), ValueError, "got a scalar, np.float64(3.0)."),
        ([[1.0, 2.0], [3.0]], ValueError, "got rows of different lengths"),
        (np.zeros((500, 2)) + 1j, ValueError, "got complex values (dtype complex128)"),
        (
            np.array(["2024-01-01", "2024-01-02"], dtype="datetime64[D]")[:, None],
            ValueError,
            "got dates or times (dtype datetime64[D])",
        ),
    ],
    ids=["none", "3-d", "scalar", "ragged", "complex", "datetime64"],
)
def test_unusable_arrays_are_refused_clearly(data, error, shown):
    with pytest.raises(error) as raised:
        make_supervised(data, target=0)
    message = str(raised.value)
    assert message.startswith(
        "data of make_supervised must be a DataFrame (pandas, polars) or a 2-D array"
    )
    assert shown in message
    assert "[[" not in message  # the values themselves are not printed


def test_pandas_series_is_refused_with_to_frame(weather):
    with pytest.raises(
        TypeError,
        match=r"got a pandas Series\. Make it a one-column DataFrame "
        r"first: data\.to_frame\(\)\.",
    ):
        make_supervised(weather["temp"], target="temp")


def test_pandas_datetime_column_is_refused(weather):
    with pytest.raises(
        ValueError,
        match=r"column 'time_hour' holds dates or times \(dtype datetime64.*"
        r"Drop it \(data\.drop\(columns=\['time_hour'\]\)\)",
    ):
        make_supervised(weather.reset_index(), target="temp")


def test_pandas_complex_column_is_refused(weather):
    frame = weather.assign(phase=weather["temp"] * 1j)
    with pytest.raises(ValueError, match="column 'phase' holds complex values"):
        make_supervised(frame, target="temp")


# -- polars ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def polars_weather(weather):
    pl = pytest.importorskip("polars")
    return pl.from_pandas(weather.reset_index(drop=True))


def test_polars_frame_gives_polars_frames_with_names(weather, polars_weather):
    import polars as pl

    X, Y = make_supervised(polars_weather, target="pressure", horizon=[1, 6])

    assert isinstance(X, pl.DataFrame)
    assert isinstance(Y, pl.DataFrame)
    assert X.columns == ["temp", "pressure"]
    assert Y.columns == ["pressure_t+1", "pressure_t+6"]
    assert X.height == Y.height == len(weather) - 6
    assert_array_equal(X.to_numpy(), weather.to_numpy()[:-6])
    assert_array_equal(Y["pressure_t+6"].to_numpy(), weather["pressure"].to_numpy()[6:])
    assert Y["pressure_t+1"].null_count() == 0


def test_polars_single_horizon_gives_a_named_series(weather, polars_weather):
    import polars as pl

    X, y = make_supervised(polars_weather, target="temp", horizon=2)
    assert isinstance(y, pl.Series)
    assert y.name == "temp_t+2"
    assert_array_equal(y.to_numpy(), weather["temp"].to_numpy()[2:])


def test_polars_unknown_column_lists_the_columns(polars_weather):
    with pytest.raises(ValueError, match=r"Got 'tmp'; the columns are \['temp', "):
        make_supervised(polars_weather, target="tmp")


@pytest.mark.parametrize("kind", ["Datetime", "Date"])
def test_polars_date_columns_are_refused(weather, kind):
    import polars as pl

    frame = pl.from_pandas(weather.reset_index())
    if kind == "Date":
        frame = frame.with_columns(pl.col("time_hour").dt.date())
    with pytest.raises(
        ValueError,
        match=rf"column 'time_hour' holds dates or times \(dtype {kind}.*"
        r"CalendarFeatures",
    ):
        make_supervised(frame, target="temp")


def test_polars_lazy_frame_and_series_are_refused(polars_weather):
    with pytest.raises(TypeError, match=r"got a lazy polars frame.*data\.collect\(\)"):
        make_supervised(polars_weather.lazy(), target="temp")
    with pytest.raises(TypeError, match=r"got a polars Series.*data\.to_frame\(\)"):
        make_supervised(polars_weather["temp"], target="temp")
