"""ConformalForecaster: no look-ahead, shapes, coverage, errors, persistence."""

import pickle
import warnings

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import (
    CalendarFeatures,
    ConformalForecaster,
    LSTMForecaster,
    ShortHistoryWarning,
    WindowTransformer,
    make_supervised,
)

CHEAP = dict(hidden_size=4, max_epochs=3, lr=0.01, random_state=0, n_threads=1)


def series_frame(n_rows=600, seed=0, noise=(0.3, 1.2)):
    """An hourly temperature with a daily cycle whose noise grows halfway."""
    rng = np.random.default_rng(seed)
    hours = np.arange(n_rows)
    noise = np.where(hours < n_rows // 2, *noise) * rng.normal(size=n_rows)
    temp = 10 + 5 * np.sin(2 * np.pi * hours / 24) + noise
    pressure = 1010 + np.cumsum(rng.normal(0, 0.5, n_rows))
    index = pd.date_range("2013-01-01", periods=n_rows, freq="h")
    return pd.DataFrame({"pressure": pressure, "temp": temp}, index=index)


def ridge_lags(window=6):
    return make_pipeline(
        WindowTransformer(window, flatten=True, fill_value=0.0), Ridge()
    )


def lstm_quantiles():
    return make_pipeline(
        WindowTransformer(6),
        LSTMForecaster(**CHEAP, loss="quantile", quantile=[0.1, 0.9]),
    )


@pytest.fixture(scope="module")
def data():
    return make_supervised(series_frame(), target="temp", horizon=3)


@pytest.fixture(scope="module")
def fitted(data):
    X, y = data
    return ConformalForecaster(ridge_lags(), target="temp", horizon=3).fit(
        X[:400], y[:400]
    )


# -- no look-ahead ------------------------------------------------------------


@pytest.mark.parametrize("method", ["aci", "multiplicative"])
@pytest.mark.parametrize("make_estimator", [ridge_lags, lstm_quantiles])
def test_interval_of_row_t_ignores_every_later_row(data, method, make_estimator):
    X, y = data
    model = ConformalForecaster(
        make_estimator(), target="temp", horizon=3, method=method, gamma=0.05
    ).fit(X[:400], y[:400])
    rows = X[400:].copy()
    y_pred, y_pis = model.predict_interval(rows)
    for t in [0, 5, 60, len(rows) - 2]:
        corrupted = rows.copy()
        rng = np.random.default_rng(t)
        corrupted.iloc[t + 1 :] += rng.normal(0, 50, corrupted.iloc[t + 1 :].shape)
        pred_c, pis_c = model.predict_interval(corrupted)
        assert_array_equal(pis_c[: t + 1], y_pis[: t + 1])
        assert_array_equal(pred_c[: t + 1], y_pred[: t + 1])
    if make_estimator is ridge_lags:
        # The adaptation is real: later rows do move with what came before.
        # (The 3-epoch LSTM's band is so poor that its walk sits at the clip.)
        with pytest.warns(ShortHistoryWarning):  # rows 50+ alone lack history
            later = model.predict_interval(rows.iloc[50:])[1]
        assert not np.array_equal(later[10:], y_pis[60:])


# -- shapes and values --------------------------------------------------------


def test_shapes_single_output_and_levels(data, fitted):
    X, _ = data
    y_pred, y_pis = fitted.predict_interval(X[400:])
    assert y_pred.shape == (len(X) - 400,)
    assert y_pis.shape == (len(X) - 400, 2, 1)
    assert_array_equal(y_pred, fitted.predict(X[400:]))
    model = clone(fitted).set_params(confidence_level=[0.5, 0.9, 0.8])
    model.fit(X[:400], data[1][:400])
    _, pis = model.predict_interval(X[400:])
    assert pis.shape == (len(X) - 400, 2, 3)
    width = pis[:, 1] - pis[:, 0]
    assert np.all(width[:, 0] <= width[:, 2]) and np.all(width[:, 2] <= width[:, 1])
    assert np.all(pis[:, 0] <= pis[:, 1])


def test_predict_is_the_estimators_forecast(data, fitted):
    X, _ = data
    assert_array_equal(fitted.predict(X), fitted.estimator_.predict(X))


def test_cqr_scores_and_midpoint(data):
    X, y = data
    model = ConformalForecaster(lstm_quantiles(), target="temp", horizon=3)
    model.fit(X[:400], y[:400])
    assert model.conformity_ == "cqr"
    pipe = model.estimator_
    # Rows that continue fit's input forecast as after their history.
    bands = pipe[-1].predict_quantiles(pipe[:-1].transform(X))[400:]
    assert_array_equal(model.predict(X[400:]), bands.mean(axis=1))
    # gamma=0: the calibrated CQR band, the same shift on every row.
    model.set_params(gamma=0.0)
    _, y_pis = model.predict_interval(X[400:])
    shift = bands[:, 0] - y_pis[:, 0, 0]
    np.testing.assert_allclose(shift, shift[0])
    np.testing.assert_allclose(y_pis[:, 1, 0] - bands[:, 1], shift[0])


@pytest.mark.parametrize("keep_history", [True, False])
def test_rows_after_fit_get_the_calibration_rows_as_history(data, keep_history):
    # With a step before the windows and either way of keeping history, rows
    # that continue fit's input forecast as the whole series does.
    X, y = data
    pipe = make_pipeline(
        CalendarFeatures(features=["hour_of_day"]),
        WindowTransformer(6, keep_history=keep_history),
        LSTMForecaster(**CHEAP, loss="quantile", quantile=[0.1, 0.9]),
    )
    model = ConformalForecaster(pipe, target="temp", horizon=3).fit(X[:400], y[:400])
    whole = model.estimator_[-1].predict(model.estimator_[:-1].transform(X))
    with warnings.catch_warnings():
        warnings.simplefilter("error", ShortHistoryWarning)
        assert_array_equal(model.predict(X[400:]), whole[400:])
        y_pred, _ = model.predict_interval(X[400:450])
    assert_array_equal(y_pred, whole[400:450])
    # A pickled copy continues the same rows.
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict(X[400:]), whole[400:])


def test_gamma_zero_is_split_conformal(data, fitted):
    X, _ = data
    model = clone(fitted).set_params(gamma=0.0).fit(X[:400], data[1][:400])
    y_pred, y_pis = model.predict_interval(X[400:])
    scores = model.calibration_scores_[0]
    n = len(scores)
    q = scores[int(np.ceil((n + 1) * 0.8)) - 1]
    np.testing.assert_allclose(y_pis[:, 1, 0] - y_pred, q)
    np.testing.assert_allclose(y_pred - y_pis[:, 0, 0], q)


@pytest.mark.parametrize("method", ["aci", "multiplicative"])
def test_adaptive_interval_widens_when_noise_grows(method):
    # The calibration block is calm, the rows after it twice as noisy: within
    # reach of the largest calibration errors, where ACI's interval is capped.
    frame = series_frame(1600, noise=(0.5, 1.0))
    X, y = make_supervised(frame, target="temp", horizon=1)
    model = ConformalForecaster(
        ridge_lags(), target="temp", horizon=1, method=method, gamma=0.02
    ).fit(X[:790], y[:790])
    truth = y[790:].to_numpy()
    _, plain = (
        clone(model)
        .set_params(gamma=0.0)
        .fit(X[:790], y[:790])
        .predict_interval(X[790:])
    )
    _, adaptive = model.predict_interval(X[790:])

    def coverage(pis):
        return np.mean((truth >= pis[:, 0, 0]) & (truth <= pis[:, 1, 0]))

    assert coverage(plain) < 0.55
    assert 0.7 < coverage(adaptive) < 0.9


def test_intervals_stay_bounded_at_large_gamma(data, fitted):
    X, _ = data
    model = clone(fitted).set_params(gamma=0.5).fit(X[:400], data[1][:400])
    y_pred, y_pis = model.predict_interval(X[400:])
    assert np.isfinite(y_pis).all()
    half = (y_pis[:, 1, 0] - y_pis[:, 0, 0]) / 2
    assert half.max() <= model.calibration_scores_.max() + 1e-9
    assert half.min() >= model.calibration_scores_.min() - 1e-9
    mult = clone(model).set_params(method="multiplicative").fit(X[:400], data[1][:400])
    _, pis = mult.predict_interval(X[400:])
    q = mult.calibration_scores_[0][
        int(np.ceil(mult.calibration_scores_.shape[1] * 0.8))
    ]
    assert np.isfinite(pis).all()
    assert ((pis[:, 1, 0] - pis[:, 0, 0]) / 2).max() <= 5 * q + 1e-9


def test_multi_output_each_horizon_adapts_from_its_own_delay():
    X, Y = make_supervised(series_frame(), target="temp", horizon=[1, 4])
    model = ConformalForecaster(
        ridge_lags(), target="temp", horizon=[1, 4], gamma=0.05
    ).fit(X[:400], Y[:400])
    y_pred, y_pis = model.predict_interval(X[400:])
    assert y_pred.shape == (len(X) - 400, 2)
    assert y_pis.shape == (len(X) - 400, 2, 2, 1)
    assert model.calibration_scores_.shape[0] == 2
    # Horizon 4: row 0's truth arrives at row 4, so rows 0-3 share the
    # calibrated interval and row 4 is the first that may move.
    half = (y_pis[:, :, 1, 0] - y_pis[:, :, 0, 0]) / 2
    np.testing.assert_allclose(half[:4, 1], half[0, 1])
    assert half[4, 1] != half[0, 1]
    assert half[1, 0] != half[0, 0]
    # Corrupting row t + 1 on leaves both outputs of rows up to t unchanged.
    corrupted = X[400:].copy()
    corrupted.iloc[31:] += 40.0
    assert_array_equal(model.predict_interval(corrupted)[1][:31], y_pis[:31])


def test_arrays_take_the_target_position_and_3d_windows():
    frame = series_frame()
    X, y = make_supervised(frame.to_numpy(), target=1, horizon=2)
    model = ConformalForecaster(ridge_lags(), target=1, horizon=2).fit(X[:400], y[:400])
    with pytest.warns(ShortHistoryWarning):  # arrays carry no index to continue
        y_pred, y_pis = model.predict_interval(X[400:])
    assert y_pis.shape == (len(X) - 400, 2, 1)
    # Windows straight into a bare forecaster: the truth is the last step.
    windows = WindowTransformer(6).fit_transform(X)
    bare = ConformalForecaster(
        LSTMForecaster(**CHEAP), target=1, horizon=2, gamma=0.05
    ).fit(windows[:400], y[:400])
    assert bare.predict_interval(windows[400:])[1].shape == (len(X) - 400, 2, 1)


def test_sample_weight_reaches_the_estimator(data):
    X, y = data
    weights = np.linspace(0.1, 1.0, 400)
    weighted = ConformalForecaster(ridge_lags(), target="temp", horizon=3).fit(
        X[:400], y[:400], sample_weight=weights
    )
    model = ConformalForecaster(ridge_lags(), target="temp", horizon=3)
    n_fit = 400 - 80 - 3  # the rows before the horizon gap and calibration
    expected = ridge_lags().fit(
        X[:n_fit], y[:n_fit], ridge__sample_weight=weights[:n_fit]
    )
    assert_array_equal(weighted.predict(X), expected.predict(X))
    assert not np.array_equal(
        model.fit(X[:400], y[:400]).predict(X), weighted.predict(X)
    )


def test_estimator_is_fitted_before_the_calibration_block(data, fitted):
    X, y = data
    # 400 rows: 80 calibrate, 3 (the horizon) are left out before them.
    expected = ridge_lags().fit(X[:317], y[:317])
    assert_array_equal(fitted.predict(X), expected.predict(X))
    assert fitted.calibration_scores_.shape == (1, 80)
    assert np.all(np.diff(fitted.calibration_scores_[0]) >= 0)


def test_same_seed_same_intervals(data):
    X, y = data
    runs = [
        ConformalForecaster(lstm_quantiles(), target="temp", horizon=3)
        .fit(X[:400], y[:400])
        .predict_interval(X[400:])[1]
        for _ in range(2)
    ]
    assert_array_equal(runs[0], runs[1])


# -- persistence --------------------------------------------------------------


@pytest.mark.parametrize("labels", ["naive", "utc", "period"])
def test_clone_pickle_and_skops_round_trip(data, tmp_path, labels):
    # The rows kept after fit carry their time labels, time-zone-aware ones
    # (as load_weather gives) and periods included.
    sio = pytest.importorskip("skops.io")
    X, y = data
    if labels != "naive":
        index = X.index.tz_localize("UTC") if labels == "utc" else X.index.to_period()
        X, y = X.set_axis(index), y.set_axis(index)
    model = ConformalForecaster(lstm_quantiles(), target="temp", horizon=3)
    assert clone(model).get_params()["target"] == "temp"
    model.fit(X[:400], y[:400])
    expected = model.predict_interval(X[400:])
    copy = pickle.loads(pickle.dumps(model))
    path = tmp_path / "conformal.skops"
    sio.dump(model, path)
    loaded = sio.load(path, trusted=sio.get_untrusted_types(file=path))
    for other in (copy, loaded):
        result = other.predict_interval(X[400:])
        assert_array_equal(result[0], expected[0])
        assert_array_equal(result[1], expected[1])


# -- errors -------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, match",
    [
        ({"method": "rolling"}, "'method' parameter of ConformalForecaster"),
        ({"gamma": 1.5}, "'gamma' parameter of ConformalForecaster"),
        ({"confidence_level": 1.0}, "'confidence_level' parameter"),
        ({"calibration_fraction": 0.0}, "'calibration_fraction' parameter"),
        ({"horizon": 0}, "'horizon' parameter of ConformalForecaster"),
        ({"estimator": "ridge"}, "'estimator' parameter of ConformalForecaster"),
    ],
)
def test_invalid_parameters(data, params, match):
    X, y = data
    model = ConformalForecaster(ridge_lags(), target="temp", horizon=3)
    with pytest.raises(InvalidParameterError, match=match):
        model.set_params(**params).fit(X[:400], y[:400])


@pytest.mark.parametrize(
    "params, match",
    [
        ({"horizon": [3, 3]}, "must not repeat a horizon"),
        ({"horizon": []}, "must not be empty"),
        ({"horizon": [1, 0]}, r"must hold ints >= 1.*got 0"),
        ({"horizon": True}, "must be an int >= 1"),
        ({"confidence_level": [0.8, 1.2]}, r"floats in \(0, 1\).*1.2"),
        ({"target": "humid"}, r"must name a column of X.*'humid'"),
        ({"horizon": 2}, r"is not the target column 'temp' of X 2 row\(s\) later"),
        ({"horizon": [3, 6]}, r"has 1 column\(s\), but horizon=\[3, 6\] gives 2"),
        ({"calibration_fraction": 0.001}, "cannot split 400 sample"),
    ],
)
def test_clear_errors_for_target_and_horizon(data, params, match):
    X, y = data
    model = ConformalForecaster(ridge_lags(), target="temp", horizon=3)
    with pytest.raises((ValueError, TypeError), match=match):
        model.set_params(**params).fit(X[:400], y[:400])
    assert not hasattr(model, "estimator_")


def test_target_name_needs_column_names_and_position_in_range(data):
    X, y = data
    model = ConformalForecaster(ridge_lags(), target="temp", horizon=3)
    with pytest.raises(ValueError, match="X has no column names"):
        model.fit(X.to_numpy()[:400], y.to_numpy()[:400])
    model.set_params(target=5)
    with pytest.raises(ValueError, match=r"column position in \[0, 2\) of X; got 5"):
        model.fit(X.to_numpy()[:400], y.to_numpy()[:400])


def test_three_level_quantile_forecaster_is_refused(data):
    X, y = data
    estimator = LSTMForecaster(**CHEAP, loss="quantile", quantile=[0.1, 0.5, 0.9])
    model = ConformalForecaster(estimator, target="temp", horizon=3)
    with pytest.raises(ValueError, match=r"two levels.*quantile=\[0.1, 0.9\]"):
        model.fit(X[:400], y[:400])


def test_failed_fit_leaves_the_fitted_model(data, fitted):
    X, y = data
    model = clone(fitted).fit(X[:400], y[:400])
    before = model.predict_interval(X[400:])[1]
    with pytest.raises(ValueError, match="is not the target column"):
        model.fit(X[:400], y[:400].to_numpy()[::-1])
    assert_array_equal(model.predict_interval(X[400:])[1], before)


def test_unfitted_predict_interval_raises(data):
    from sklearn.exceptions import NotFittedError

    model = ConformalForecaster(ridge_lags(), target="temp", horizon=3)
    with pytest.raises(NotFittedError):
        model.predict_interval(data[0])


# -- scikit-learn's estimator checks -------------------------------------------

_TIME_ORDER = (
    "the calibration block is the chronological tail and the estimator sees "
    "only the rows before it, so reweighting, reordering or removing rows "
    "changes which rows calibrate: the same fit in expectation, not bit for bit"
)


@parametrize_with_checks(
    [
        # The checks' random data is no time series with its target inside;
        # check_alignment=False lets them reach the machinery they test.
        ConformalForecaster(
            make_pipeline(StandardScaler(), Ridge()),
            target=0,
            horizon=1,
            # The checks fit on as few as 10 rows: 4 calibrate a 50 % interval.
            confidence_level=0.5,
            calibration_fraction=0.4,
            check_alignment=False,
        ),
    ],
    expected_failed_checks=lambda _: {
        "check_sample_weight_equivalence_on_dense_data": _TIME_ORDER,
        "check_regressor_multioutput": (
            "the number of outputs is len(horizon), fixed before fit; the check "
            "fits a 5-column y on horizon=1, which fit refuses by name"
        ),
    },
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
