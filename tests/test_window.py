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

from sklearn_rnn import WindowTransformer


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
    transformer = WindowTransformer(window_length=2).fit(np.zeros((50, 2)))
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
