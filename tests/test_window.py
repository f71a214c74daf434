"""WindowTransformer: one window per row, ending at that row, over one padded copy."""

import re
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from numpy.testing import assert_array_equal
from sklearn.utils._param_validation import InvalidParameterError

from sklearn_rnn import ShortHistoryWarning, WindowTransformer


def _expected_window(X, t, window_length, fill_value):
    """Rows t - window_length + 1 .. t of X, rows before the start set to fill_value."""
    window = np.full((window_length, X.shape[1]), fill_value, dtype=np.float32)
    for k in range(window_length):
        row = t - window_length + 1 + k
        if row >= 0:
            window[k] = X[row]
    return window


def _buffer_of(view):
    """The array that owns the memory behind a chain of numpy views."""
    owner, base = view, view.base
    while base is not None:
        if isinstance(base, np.ndarray):
            owner = base
        base = getattr(base, "base", None)
    return owner


def test_small_example_values():
    X = np.arange(8.0).reshape(4, 2)
    windows = WindowTransformer(window_length=3).fit_transform(X)

    assert windows.shape == (4, 3, 2)
    assert windows.dtype == np.float32
    assert np.isnan(windows[0, :2]).all()
    assert_array_equal(windows[0, 2], [0, 1])
    assert_array_equal(windows[3], [[2, 3], [4, 5], [6, 7]])


finite_floats = st.floats(-1e6, 1e6, allow_nan=False, width=32)


@given(
    X=st.integers(1, 30).flatmap(
        lambda n: st.integers(1, 4).flatmap(
            lambda f: arrays(np.float32, (n, f), elements=finite_floats)
        )
    ),
    window_length=st.integers(1, 35),
    fill_value=st.one_of(st.just(np.nan), st.floats(-5, 5, width=32)),
)
@settings(max_examples=80, deadline=None)
def test_row_t_holds_rows_up_to_t_left_padded(X, window_length, fill_value):
    transformer = WindowTransformer(window_length=window_length, fill_value=fill_value)
    windows = transformer.fit_transform(X)
    n, f = X.shape

    assert windows.shape == (n, window_length, f)
    assert windows.dtype == np.float32
    for t in range(n):
        assert_array_equal(
            windows[t], _expected_window(X, t, window_length, fill_value)
        )

    flat = transformer.set_params(flatten=True).transform(X)
    assert flat.shape == (n, window_length * f)
    assert_array_equal(flat, windows.reshape(n, -1))


@given(
    n_rows=st.integers(1, 40),
    n_features=st.integers(1, 5),
    window_length=st.integers(1, 50),
)
@settings(max_examples=40, deadline=None)
def test_windows_are_a_view_over_one_padded_copy(n_rows, n_features, window_length):
    X = np.random.default_rng(0).normal(size=(n_rows, n_features))
    windows = WindowTransformer(window_length=window_length).fit_transform(X)

    owner = _buffer_of(windows)
    assert owner.nbytes == (n_rows + window_length - 1) * n_features * 4
    assert np.shares_memory(windows, windows[0])
    assert not windows.flags.writeable
    if n_rows > 1 and window_length > 1:
        # Consecutive windows overlap in memory: no per-window copy was made.
        assert np.shares_memory(windows[0], windows[1])


def test_large_windows_do_not_multiply_memory():
    X = np.zeros((2000, 3))
    windows = WindowTransformer(window_length=500).fit_transform(X)

    assert windows.shape == (2000, 500, 3)
    assert _buffer_of(windows).nbytes == (2000 + 499) * 3 * 4
    with pytest.raises(ValueError, match="read-only"):
        windows[0, 0, 0] = 1.0


def _traced_peak(function, *args):
    """Peak bytes that NumPy allocates while `function` runs (tracemalloc sees them)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        result = function(*args)
        return result, tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_transform_allocates_only_the_padded_copy(dtype):
    # float64 input is cast while it is copied into the padded series; an
    # intermediate float32 copy of the whole series would add half as much again.
    X = np.random.default_rng(0).normal(size=(50_000, 8)).astype(dtype)
    transformer = WindowTransformer(window_length=24).fit(X)
    windows, peak = _traced_peak(transformer.transform, X)
    padded_bytes = _buffer_of(windows).nbytes
    assert padded_bytes == (50_000 + 23) * 8 * 4
    assert peak < padded_bytes * 1.1
    assert_array_equal(windows[:, -1, :], X.astype(np.float32))


def test_input_is_copied_not_viewed():
    X = np.arange(6.0, dtype=np.float32).reshape(3, 2)
    windows = WindowTransformer(window_length=2).fit_transform(X)
    X[:] = -1
    assert_array_equal(windows[2], [[2, 3], [4, 5]])


def test_nan_in_the_input_passes_through():
    X = np.array([[1.0], [np.nan], [3.0]])
    windows = WindowTransformer(window_length=2, fill_value=0.0).fit_transform(X)
    assert_array_equal(windows[:, :, 0], [[0, 1], [1, np.nan], [np.nan, 3]])


def test_transform_windows_any_series_with_the_same_columns():
    transformer = WindowTransformer(window_length=2, keep_history=False)
    transformer.fit(np.zeros((50, 2)))
    windows = transformer.transform(np.array([[1.0, 2.0], [3.0, 4.0]]))
    assert_array_equal(windows[1], [[1, 2], [3, 4]])


def test_flattened_feature_names_oldest_lag_first(weather):
    transformer = WindowTransformer(window_length=24, flatten=True).fit(weather)
    names = transformer.get_feature_names_out()

    assert len(names) == 48
    assert list(names[:2]) == ["temp_lag_23", "pressure_lag_23"]
    assert list(names[-4:]) == [
        "temp_lag_1",
        "pressure_lag_1",
        "temp_lag_0",
        "pressure_lag_0",
    ]
    # The column named temp_lag_k of row t holds temp at row t - k.
    lags = transformer.transform(weather)
    column = list(names).index("temp_lag_5")
    assert_array_equal(lags[10:, column], weather["temp"].to_numpy(np.float32)[5:-5])


def test_feature_names_without_input_names():
    transformer = WindowTransformer(window_length=2, flatten=True).fit(np.zeros((3, 2)))
    assert list(transformer.get_feature_names_out()) == [
        "x0_lag_1",
        "x1_lag_1",
        "x0_lag_0",
        "x1_lag_0",
    ]


def test_feature_names_only_offered_for_flat_output(weather):
    transformer = WindowTransformer(window_length=3).fit(weather)
    assert not hasattr(transformer, "get_feature_names_out")


def test_flat_pandas_output_has_lag_columns_and_input_index(weather):
    transformer = WindowTransformer(window_length=3, flatten=True, fill_value=0.0)
    out = transformer.set_output(transform="pandas").fit_transform(weather)

    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(weather.index)
    assert list(out.columns) == list(transformer.get_feature_names_out())
    assert out.loc[weather.index[4], "pressure_lag_2"] == np.float32(
        weather["pressure"].iloc[2]
    )
    assert out.iloc[0]["temp_lag_1"] == 0.0


def test_windows_stay_numpy_under_pandas_output(weather):
    transformer = WindowTransformer(window_length=3).set_output(transform="pandas")
    out = transformer.fit_transform(weather)

    assert type(out) is np.ndarray
    assert out.shape == (len(weather), 3, 2)


def test_set_output_none_leaves_the_setting():
    transformer = WindowTransformer(window_length=2, flatten=True)
    transformer.set_output(transform="pandas").set_output(transform=None)
    out = transformer.fit_transform(pd.DataFrame({"a": [1.0, 2.0]}))
    assert isinstance(out, pd.DataFrame)


# -- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"window_length": 0},
            "The 'window_length' parameter of WindowTransformer must be an int in "
            "the range [1, inf). Got 0 instead.",
        ),
        (
            {"window_length": 2.5},
            "The 'window_length' parameter of WindowTransformer must be an int in "
            "the range [1, inf). Got 2.5 instead.",
        ),
        (
            {"flatten": "yes"},
            "The 'flatten' parameter of WindowTransformer must be an instance of "
            "'bool' or an instance of 'numpy.bool'. Got 'yes' instead.",
        ),
        (
            {"fill_value": "zero"},
            "The 'fill_value' parameter of WindowTransformer must be an instance of "
            "'float'. Got 'zero' instead.",
        ),
    ],
)
def test_invalid_parameters(params, message):
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        WindowTransformer(**params).fit(np.zeros((3, 1)))


def test_different_number_of_features_at_transform():
    transformer = WindowTransformer(window_length=2).fit(np.zeros((3, 2)))
    with pytest.raises(
        ValueError, match="X has 3 features, but WindowTransformer is expecting 2"
    ):
        transformer.transform(np.zeros((3, 3)))


def test_one_dimensional_input_suggests_reshape():
    with pytest.raises(ValueError, match=r"Reshape your data.*reshape\(-1, 1\)"):
        WindowTransformer(window_length=2).fit(np.arange(5.0))


def test_infinity_is_refused():
    with pytest.raises(ValueError, match="Input X contains infinity"):
        WindowTransformer(window_length=2).fit(np.array([[1.0], [np.inf]]))


@pytest.mark.parametrize("flatten", [False, True])
def test_values_beyond_float32_are_refused(flatten):
    X = np.ones((5000, 3))
    X[4321, 2] = -1e300
    transformer = WindowTransformer(4, flatten=flatten).fit(X)
    with pytest.raises(
        ValueError,
        match=r"X of WindowTransformer holds -1e\+300 at row 4321, column 2: "
        r"windows are float32.*StandardScaler before WindowTransformer",
    ):
        transformer.transform(X)
    # The largest float32 itself is fine.
    X[4321, 2] = np.finfo(np.float32).max
    assert np.isfinite(transformer.transform(X)[4321]).all()


def test_text_is_refused_with_the_dtype():
    with pytest.raises(
        ValueError, match=r"X of WindowTransformer must hold numbers; got dtype <U4"
    ):
        WindowTransformer(window_length=2).fit(np.full((3, 2), "warm"))
    transformer = WindowTransformer(window_length=2).fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="OneHotEncoder"):
        transformer.transform(np.full((3, 2), "cold"))


def test_window_length_true_is_not_taken_as_one():
    with pytest.raises(
        InvalidParameterError,
        match=re.escape(
            "The 'window_length' parameter of WindowTransformer must be an int in "
            "the range [1, inf). Got True instead."
        ),
    ):
        WindowTransformer(window_length=True).fit(np.zeros((3, 1)))


def test_complex_input_is_refused_without_printing_it():
    X = np.zeros((1000, 2)) + 1j
    with pytest.raises(ValueError) as error:
        WindowTransformer(window_length=2).fit(X)
    message = str(error.value)
    assert message.startswith("X of WindowTransformer must hold real numbers")
    assert "X.real" in message
    assert "[[" not in message


def test_unallocatable_window_says_what_it_costs():
    with pytest.raises(
        MemoryError,
        match=r"window_length=1000000000000\) needs one padded float32 copy of the "
        r"series of 1000000000004 x 2 values \(7\.45e\+03 GiB\).*shorter window_length",
    ):
        WindowTransformer(window_length=10**12).fit_transform(np.zeros((5, 2)))


def test_datetime_column_is_refused(weather):
    frame = weather.reset_index()
    with pytest.raises(
        ValueError,
        match=r"X of WindowTransformer must hold numbers, but column 'time_hour' "
        r"holds dates or times \(dtype datetime64.*X\.set_index\('time_hour'\).*"
        r"CalendarFeatures",
    ):
        WindowTransformer(window_length=2).fit(frame)


# -- polars ----------------------------------------------------------------------


def test_polars_input_and_output(weather):
    pl = pytest.importorskip("polars")
    frame = pl.from_pandas(weather.reset_index(drop=True))
    transformer = WindowTransformer(window_length=3, flatten=True, fill_value=0.0)
    out = transformer.set_output(transform="polars").fit_transform(frame)

    assert isinstance(out, pl.DataFrame)
    assert list(transformer.feature_names_in_) == ["temp", "pressure"]
    assert out.columns == list(transformer.get_feature_names_out())
    expected = WindowTransformer(3, flatten=True, fill_value=0.0).fit_transform(
        weather.to_numpy()
    )
    assert_array_equal(out.to_numpy(), expected)


def test_polars_datetime_column_and_lazy_frame_are_refused(weather):
    pl = pytest.importorskip("polars")
    frame = pl.from_pandas(weather.reset_index())
    with pytest.raises(ValueError, match=r"column 'time_hour' holds dates or times"):
        WindowTransformer(window_length=2).fit(frame)
    with pytest.raises(TypeError, match=r"got a lazy polars frame.*X\.collect\(\)"):
        WindowTransformer(window_length=2).fit(frame.drop("time_hour").lazy())


def test_series_is_refused_with_to_frame(weather):
    with pytest.raises(TypeError, match=r"got a pandas Series.*X\.to_frame\(\)"):
        WindowTransformer(window_length=2).fit(weather["temp"])


# -- history continuation --------------------------------------------------------


def test_fit_keeps_the_last_rows_as_float32(weather):
    transformer = WindowTransformer(window_length=5).fit(weather[:100])
    assert transformer.last_rows_.dtype == np.float32
    assert_array_equal(transformer.last_rows_, weather[96:100].to_numpy(np.float32))
    assert transformer.last_label_ == weather.index[99]


def test_arrays_keep_history_rows_but_no_label():
    transformer = WindowTransformer(window_length=3).fit(np.arange(10.0)[:, None])
    assert_array_equal(transformer.last_rows_[:, 0], [8, 9])
    assert transformer.last_label_ is None


@pytest.mark.parametrize("flatten", [False, True])
def test_continuing_rows_get_their_fitted_history(weather, flatten):
    transformer = WindowTransformer(window_length=6, flatten=flatten)
    whole = transformer.fit_transform(weather)
    transformer.fit(weather[:100])
    continued = transformer.transform(weather[100:])

    assert_array_equal(continued, whole[100:])
    # Without the history the first five rows were padded.
    padded = transformer.set_params(keep_history=False).transform(weather[100:])
    assert np.isnan(padded[:5]).any()
    assert_array_equal(padded[5:], whole[105:])


def test_history_is_written_into_the_padding_of_one_copy(weather):
    transformer = WindowTransformer(window_length=24).fit(weather[:100])
    windows = transformer.transform(weather[100:])
    assert _buffer_of(windows).nbytes == (60 + 23) * 2 * 4
    assert not windows.flags.writeable


def test_history_shorter_than_the_window_is_padded_before(weather):
    transformer = WindowTransformer(window_length=5).fit(weather[:2])
    windows = transformer.transform(weather[2:4])
    assert np.isnan(windows[0, :2]).all()
    assert_array_equal(windows[0, 2:], weather[:3].to_numpy(np.float32))


@pytest.mark.parametrize(
    "rows",
    [slice(0, 100), slice(101, 160), slice(50, 160)],
    ids=["same-rows", "one-hour-later", "overlapping"],
)
def test_rows_that_do_not_continue_are_padded(weather, rows):
    transformer = WindowTransformer(window_length=4).fit(weather[:100])
    if rows.start == 0:  # the start of the fitted series: padded, rightly
        windows = transformer.transform(weather[rows])
    else:
        with pytest.warns(ShortHistoryWarning, match="the first 3 have fewer than"):
            windows = transformer.transform(weather[rows])
    assert np.isnan(windows[0, :3]).all()


@pytest.mark.parametrize(
    "make",
    [
        lambda w: w.to_numpy(),
        lambda w: w.reset_index(drop=True),
        lambda w: w,
    ],
    ids=["array", "range-index", "datetime-index"],
)
def test_short_history_warns_once_per_call_naming_rows_and_fixes(weather, make):
    frame = make(weather)
    transformer = WindowTransformer(window_length=6).fit(frame[:100])
    with pytest.warns(ShortHistoryWarning) as record:
        transformer.transform(frame[120:123])
    assert len(record) == 1
    message = str(record[0].message)
    assert "got 3 row(s)" in message and "the first 3 have fewer than" in message
    assert "keep_history=False" in message and "set_output" in message


def test_no_warning_at_the_start_of_the_series_or_for_its_own_series(weather):
    import warnings

    transformer = WindowTransformer(window_length=6).fit(weather[:100])
    quiet = WindowTransformer(window_length=6, keep_history=False).fit(weather[:100])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        transformer.transform(weather)  # the whole series, from its start
        transformer.transform(weather[:40])
        WindowTransformer(6).fit(weather.to_numpy()).transform(weather.to_numpy()[:9])
        transformer.transform(weather[100:])  # continues the fitted rows
        quiet.transform(weather[120:130])  # a series of its own
        WindowTransformer(1).fit(weather[:10]).transform(weather[50:])  # no padding


def test_fit_transform_never_prepends(weather):
    transformer = WindowTransformer(window_length=4).fit(weather[:100])
    windows = transformer.fit_transform(weather[100:])
    assert np.isnan(windows[0, :3]).all()


def test_arrays_are_padded_even_after_fitted_rows():
    X = np.arange(20.0).reshape(10, 2)
    transformer = WindowTransformer(window_length=3).fit(X[:5])
    with pytest.warns(ShortHistoryWarning):
        windows = transformer.transform(X[5:])
    assert np.isnan(windows[0, :2]).all()


@pytest.mark.parametrize(
    "index",
    [
        pd.RangeIndex(160),
        pd.Index(np.arange(0, 320, 2)),
        pd.period_range("2013-01", periods=160, freq="M"),
        # No freq: the step is the regular one of the fitted rows.
        pd.DatetimeIndex(pd.date_range("2013-01-01", periods=160, freq="h").to_list()),
    ],
    ids=["range", "even-ints", "periods", "hours-without-freq"],
)
def test_continuation_follows_the_step_of_the_index(weather, index):
    frame = weather.set_axis(index)
    transformer = WindowTransformer(window_length=3)
    whole = transformer.fit_transform(frame)
    transformer.fit(frame[:80])
    assert_array_equal(transformer.transform(frame[80:]), whole[80:])


def _ridge_on_lags():
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    pipe = make_pipeline(
        StandardScaler(), WindowTransformer(12, flatten=True, fill_value=0.0), Ridge()
    )
    return pipe


def test_pipeline_predicts_new_rows_as_in_the_whole_series(weather):
    from sklearn_rnn import make_supervised

    X, y = make_supervised(weather, target="temp", horizon=3)
    pipe = _ridge_on_lags().set_output(transform="pandas").fit(X[:100], y[:100])
    whole = pipe.predict(X)

    np.testing.assert_allclose(pipe.predict(X[100:]), whole[100:], rtol=0, atol=1e-9)
    # Without pandas output the scaler drops the index: padded, and said so.
    with pytest.warns(ShortHistoryWarning, match="the first 11 have fewer"):
        padded = _ridge_on_lags().fit(X[:100], y[:100]).predict(X[100:])
    assert np.abs(padded[:11] - whole[100:111]).max() > 0.1
    np.testing.assert_allclose(padded[11:], whole[111:], rtol=0, atol=1e-9)
