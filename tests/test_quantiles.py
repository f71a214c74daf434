"""Quantile forecasts: the pinball loss, several levels, intervals, conformal wrappers.

Networks are tiny and run on one torch thread. Where a test checks that a
forecast lands on a known quantile, the target is noise the inputs say nothing
about, so the best forecast is a constant: the noise's quantile.
"""

import os
import pickle
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import make_scorer, mean_pinball_loss
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import (
    GRUForecaster,
    LSTMForecaster,
    SimpleRNNForecaster,
    WindowTransformer,
    make_supervised,
)

pytestmark = pytest.mark.usefixtures("torch_one_thread")

FORECASTERS = [SimpleRNNForecaster, LSTMForecaster, GRUForecaster]
# Small batches: a few hundred windows give many steps per epoch.
CHEAP = dict(hidden_size=4, max_epochs=3, patience=None, random_state=0, batch_size=32)
ROOT = Path(__file__).resolve().parents[1]


def _noise_problem(n_rows=400, seed=0):
    """Windows of pure noise and an exponential target independent of them."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 4, 2))
    y = rng.exponential(scale=2.0, size=n_rows)
    return X, y


def _windows(n_rows=80, n_outputs=None, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_rows, 5, 2))
    base = X[:, -1, 0] + 0.5 * X[:, -2, 1]
    if n_outputs is None:
        return X, base
    return X, np.stack([base * (j + 1) for j in range(n_outputs)], axis=1)


def _hourly_frame(n_rows=400, seed=0):
    rng = np.random.default_rng(seed)
    hours = np.arange(n_rows)
    temp = 10 + 5 * np.sin(2 * np.pi * hours / 24) + rng.normal(0, 0.5, n_rows)
    index = pd.date_range("2013-01-01", periods=n_rows, freq="h")
    return pd.DataFrame({"temp": temp}, index=index)


# -- the pinball loss is what training minimizes -------------------------------


@pytest.mark.parametrize("level", [0.1, 0.9])
def test_forecast_lands_on_the_empirical_quantile_of_uninformative_noise(level):
    X, y = _noise_problem()
    model = LSTMForecaster(
        hidden_size=4,
        max_epochs=40,
        lr=0.01,
        batch_size=32,
        baseline=None,
        patience=None,
        loss="quantile",
        quantile=level,
        random_state=0,
    ).fit(X, y)
    forecast = model.predict(X)
    # The share of targets below the forecast is the level: the defining
    # property of a quantile, and the minimizer of the pinball loss.
    assert np.mean(y <= forecast) == pytest.approx(level, abs=0.06)
    assert np.median(forecast) == pytest.approx(np.quantile(y, level), abs=0.35)
    # A squared-error fit on the same data forecasts the mean instead.
    mean_model = clone(model).set_params(loss="squared_error").fit(X, y)
    assert mean_pinball_loss(y, forecast, alpha=level) < mean_pinball_loss(
        y, mean_model.predict(X), alpha=level
    )


def test_history_reports_the_pinball_loss_of_the_standardized_target():
    X, y = _noise_problem(n_rows=120)
    model = LSTMForecaster(
        loss="quantile",
        quantile=0.9,
        validation_fraction=0.25,
        **dict(CHEAP, patience=2),
    ).fit(X, y)
    # A pinball loss is positive and, at level 0.9 on a standardized target
    # forecast near zero, about 0.9 * E[max(y, 0)] + 0.1 * E[max(-y, 0)] < 1.
    losses = [row["valid_loss"] for row in model.history_]
    assert all(0 < loss < 1 for loss in losses)


# -- several levels from one network -------------------------------------------


@pytest.mark.parametrize("Forecaster", FORECASTERS)
def test_several_levels_are_sorted_and_predict_is_the_middle_one(Forecaster):
    X, y = _windows()
    model = Forecaster(loss="quantile", quantile=[0.9, 0.1, 0.5], **CHEAP).fit(X, y)
    bands = model.predict_quantiles(X)
    assert bands.shape == (len(X), 3)
    assert np.all(np.diff(bands, axis=1) >= 0)
    assert_array_equal(model.predict(X), bands[:, 1])


def test_predict_is_the_level_closest_to_one_half():
    X, y = _windows()
    model = GRUForecaster(loss="quantile", quantile=(0.2, 0.7), **CHEAP).fit(X, y)
    assert_array_equal(model.predict(X), model.predict_quantiles(X)[:, 1])


def test_levels_never_cross_even_before_training_has_ordered_them():
    # One epoch from random weights: the raw outputs are in no particular order.
    X, y = _windows()
    model = LSTMForecaster(
        loss="quantile",
        quantile=[0.05, 0.25, 0.5, 0.75, 0.95],
        **dict(CHEAP, max_epochs=1),
    ).fit(X, y)
    assert np.all(np.diff(model.predict_quantiles(X), axis=1) >= 0)


def test_trained_levels_spread_in_the_order_of_their_levels():
    X, y = _noise_problem(n_rows=300)
    model = LSTMForecaster(
        hidden_size=4,
        max_epochs=30,
        lr=0.01,
        batch_size=32,
        baseline=None,
        patience=None,
        loss="quantile",
        quantile=[0.1, 0.5, 0.9],
        random_state=0,
    ).fit(X, y)
    bands = model.predict_quantiles(X)
    below = [np.mean(y <= bands[:, k]) for k in range(3)]
    assert below == pytest.approx([0.1, 0.5, 0.9], abs=0.08)


def test_a_single_level_gives_one_column_of_quantiles():
    X, y = _windows()
    model = LSTMForecaster(loss="quantile", quantile=0.3, **CHEAP).fit(X, y)
    bands = model.predict_quantiles(X)
    assert bands.shape == (len(X), 1)
    assert_array_equal(bands[:, 0], model.predict(X))


@pytest.mark.parametrize("n_outputs", [1, 3])
def test_multi_output_quantiles_have_one_axis_per_output_and_level(n_outputs):
    X, y = _windows(n_outputs=n_outputs)
    model = SimpleRNNForecaster(loss="quantile", quantile=[0.1, 0.9], **CHEAP)
    model.fit(X, y)
    bands = model.predict_quantiles(X)
    assert bands.shape == (len(X), n_outputs, 2)
    assert np.all(bands[..., 0] <= bands[..., 1])
    # 0.1 and 0.9 are equally close to 0.5: predict is the middle of the band.
    assert model.predict(X).shape == (len(X), n_outputs)
    assert_allclose(model.predict(X), bands.mean(axis=-1), rtol=0, atol=1e-12)


def test_multi_horizon_quantiles_in_a_pipeline():
    X, y = make_supervised(_hourly_frame(200), target="temp", horizon=[1, 3, 6])
    pipe = make_pipeline(
        StandardScaler(),
        WindowTransformer(8),
        LSTMForecaster(loss="quantile", quantile=[0.1, 0.5, 0.9], **CHEAP),
    ).fit(X, y)
    bands = pipe[-1].predict_quantiles(pipe[:-1].transform(X))
    assert bands.shape == (len(X), 3, 3)
    assert_array_equal(pipe.predict(X), bands[..., 1])


# -- scikit-learn's quantile conventions -----------------------------------------


# Folds after a gap lack their first windows' history, by design.
@pytest.mark.filterwarnings("ignore::sklearn_rnn.ShortHistoryWarning")
def test_grid_search_with_the_pinball_scorer_over_time_series_folds():
    X, y = make_supervised(_hourly_frame(240), target="temp", horizon=1)
    pipe = make_pipeline(
        StandardScaler(),
        WindowTransformer(6),
        LSTMForecaster(loss="quantile", quantile=0.9, **CHEAP),
    )
    scorer = make_scorer(mean_pinball_loss, alpha=0.9, greater_is_better=False)
    search = GridSearchCV(
        pipe,
        {"lstmforecaster__hidden_size": [2, 4]},
        scoring=scorer,
        cv=TimeSeriesSplit(n_splits=2, gap=1),
    ).fit(X, y)
    assert search.best_params_["lstmforecaster__hidden_size"] in (2, 4)
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (2,)
    assert np.all(np.isfinite(scores)) and np.all(scores < 0)
    # The scorer is minus the pinball loss of predict, as scikit-learn defines it.
    tail = slice(200, None)
    assert scorer(search.best_estimator_, X[tail], y[tail]) == pytest.approx(
        -mean_pinball_loss(y[tail], search.predict(X[tail]), alpha=0.9)
    )


def test_sample_weight_moves_the_quantile_to_the_weighted_rows():
    # Early rows have noise around 0, late rows around 10; weighting only the
    # late rows must put the 0.5 forecast among them.
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 4, 2))
    y = np.r_[rng.normal(0, 1, 150), rng.normal(10, 1, 150)]
    weight = np.r_[np.zeros(150), np.ones(150)]
    params = dict(
        hidden_size=4,
        max_epochs=40,
        lr=0.01,
        batch_size=32,
        baseline=None,
        patience=None,
        loss="quantile",
        quantile=0.5,
        random_state=0,
    )
    unweighted = LSTMForecaster(**params).fit(X, y).predict(X)
    weighted = LSTMForecaster(**params).fit(X, y, sample_weight=weight).predict(X)
    assert np.median(weighted) == pytest.approx(10, abs=1)
    assert abs(np.median(unweighted) - 10) > 2


def test_unit_sample_weight_gives_the_unweighted_quantiles():
    X, y = _windows()
    model = LSTMForecaster(loss="quantile", quantile=[0.1, 0.9], **CHEAP)
    plain = clone(model).fit(X, y).predict_quantiles(X)
    weighted = clone(model).fit(X, y, sample_weight=np.ones(len(X)))
    assert_allclose(weighted.predict_quantiles(X), plain, rtol=1e-5, atol=1e-6)


# -- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "quantile",
    [0, 1, 0.0, 1.0, -0.1, 1.5, [], [0.1, 0.1], True, [0.1, True], "0.5", [0.2, "a"]],
    ids=repr,
)
def test_invalid_quantile_is_refused_with_the_parameter_named(quantile):
    X, y = _windows()
    model = LSTMForecaster(loss="quantile", quantile=quantile, **CHEAP)
    with pytest.raises(ValueError, match=r"The 'quantile' parameter of LSTMForecaster"):
        model.fit(X, y)
    assert not hasattr(model, "module_")


def test_repeated_level_error_says_what_was_repeated():
    X, y = _windows()
    model = LSTMForecaster(loss="quantile", quantile=[0.1, 0.9, 0.1], **CHEAP)
    with pytest.raises(
        ValueError, match=re.escape("must not repeat a level. Got [0.1")
    ):
        model.fit(X, y)


def test_numpy_array_of_levels_is_accepted():
    X, y = _windows()
    levels = np.array([0.1, 0.5, 0.9])
    model = LSTMForecaster(loss="quantile", quantile=levels, **CHEAP).fit(X, y)
    assert model.predict_quantiles(X).shape == (len(X), 3)


@pytest.mark.parametrize("loss", ["absolute_error", "squared_error"])
def test_predict_quantiles_is_absent_for_other_losses(loss):
    X, y = _windows()
    model = LSTMForecaster(loss=loss, quantile=[0.1, 0.9], **CHEAP)
    assert not hasattr(model, "predict_quantiles")
    model.fit(X, y)
    assert not hasattr(model, "predict_quantiles")
    with pytest.raises(AttributeError, match="predict_quantiles"):
        model.predict_quantiles(X)
    # With these losses, quantile is ignored: one forecast per row.
    assert model.predict(X).shape == (len(X),)


def test_predict_quantiles_before_fit_is_a_not_fitted_error():
    model = LSTMForecaster(loss="quantile", quantile=[0.1, 0.9])
    with pytest.raises(NotFittedError):
        model.predict_quantiles(np.zeros((3, 4, 1)))


def test_warm_start_refuses_new_levels():
    X, y = _windows()
    model = LSTMForecaster(
        loss="quantile", quantile=[0.1, 0.9], warm_start=True, **CHEAP
    ).fit(X, y)
    before = model.predict_quantiles(X)
    model.set_params(quantile=[0.2, 0.8])
    with pytest.raises(ValueError, match="but loss/quantile changed since it was fit"):
        model.fit(X, y)
    assert_array_equal(model.predict_quantiles(X), before)


# -- persistence and reproducibility -------------------------------------------


def test_pickle_keeps_predict_quantiles_identical():
    X, y = _windows(n_outputs=2)
    model = GRUForecaster(loss="quantile", quantile=[0.1, 0.5, 0.9], **CHEAP).fit(X, y)
    restored = pickle.loads(pickle.dumps(model))
    assert_array_equal(restored.predict_quantiles(X), model.predict_quantiles(X))
    assert_array_equal(restored.predict(X), model.predict(X))


def test_same_random_state_gives_identical_quantiles():
    X, y = _windows()
    model = LSTMForecaster(loss="quantile", quantile=[0.1, 0.9], **CHEAP)
    first = clone(model).fit(X, y).predict_quantiles(X)
    second = clone(model).fit(X, y).predict_quantiles(X)
    assert_array_equal(first, second)


# -- the residual baseline -----------------------------------------------------


def test_interval_around_the_persistence_baseline_covers_held_out_steps():
    # A random walk: the next value is the last one plus noise, so the
    # interval is the noise's 10-90 % range around persistence.
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(0, 1, 700)).reshape(-1, 1)
    X, y = make_supervised(walk, target=0, horizon=1)
    pipe = make_pipeline(
        WindowTransformer(4),
        LSTMForecaster(
            hidden_size=4,
            max_epochs=20,
            lr=0.01,
            batch_size=32,
            # The walk's level is unscaled and never repeats: a linear map of
            # it would learn levels, not noise.
            highway=None,
            patience=None,
            loss="quantile",
            quantile=[0.1, 0.9],
            random_state=0,
        ),
    ).fit(X[:500], y[:500])
    assert_array_equal(pipe[-1].baseline_feature_, [0])
    bands = pipe[-1].predict_quantiles(pipe[:-1].transform(X))[500:]
    inside = (y[500:] >= bands[:, 0]) & (y[500:] <= bands[:, 1])
    assert inside.mean() == pytest.approx(0.8, abs=0.08)
    # The noise's 10-90 % range is 2 * 1.2816 standard deviations wide.
    assert np.median(bands[:, 1] - bands[:, 0]) == pytest.approx(2.56, rel=0.2)


# -- conformal intervals -------------------------------------------------------


@pytest.mark.slow
# MAPIE predicts on blocks of rows that do not continue the fitted ones.
@pytest.mark.filterwarnings("ignore::sklearn_rnn.ShortHistoryWarning")
def test_mapie_time_series_regressor_wraps_a_fitted_pipeline():
    mapie_regression = pytest.importorskip("mapie.regression")
    X, y = make_supervised(_hourly_frame(600), target="temp", horizon=1)
    # MAPIE hands the estimator NumPy arrays: fit the pipeline on arrays too,
    # or the scaler warns about missing feature names.
    X, y = X.to_numpy(), y.to_numpy()
    pipe = make_pipeline(
        StandardScaler(),
        WindowTransformer(12),
        LSTMForecaster(hidden_size=8, max_epochs=10, lr=0.01, random_state=0),
    ).fit(X[:400], y[:400])
    before = pipe.predict(X[500:])
    conformal = mapie_regression.TimeSeriesRegressor(
        pipe, method="aci", cv="prefit"
    ).fit(X[400:500], y[400:500])
    y_pred, y_pis = conformal.predict(X[500:], confidence_level=0.8)
    assert y_pred.shape == (99,) and y_pis.shape == (99, 2, 1)
    assert_allclose(y_pred, before)  # prefit: the pipeline is not refitted
    assert np.all(y_pis[:, 0, 0] <= y_pred) and np.all(y_pred <= y_pis[:, 1, 0])
    inside = (y[500:] >= y_pis[:, 0, 0]) & (y[500:] <= y_pis[:, 1, 0])
    assert 0.6 <= inside.mean() <= 0.95
    # Adaptive conformal inference: update the level with observed test hours.
    conformal.adapt_conformal_inference(
        X[500:520], y[500:520], gamma=0.05, confidence_level=0.8
    )
    _, later = conformal.predict(X[520:], confidence_level=0.8)
    assert later.shape == (79, 2, 1) and np.all(np.isfinite(later))


def test_split_conformal_recipe_from_the_guide_covers_the_test_block():
    # Quantiles of absolute residuals on the validation block: the manual
    # recipe that needs no extra library (docs/intervals.md).
    X, y = make_supervised(_hourly_frame(600), target="temp", horizon=1)
    pipe = make_pipeline(
        StandardScaler(),
        WindowTransformer(12),
        LSTMForecaster(hidden_size=8, max_epochs=10, lr=0.01, random_state=0),
    ).fit(X[:400], y[:400])
    y_pred = pipe.predict(X)
    residuals = np.abs(y[400:500].to_numpy() - y_pred[400:500])
    n = len(residuals)
    width = np.quantile(residuals, np.ceil((n + 1) * 0.8) / n, method="higher")
    inside = np.abs(y[500:].to_numpy() - y_pred[500:]) <= width
    assert 0.65 <= inside.mean() <= 0.95


# -- the gallery example -------------------------------------------------------


def test_quantile_example_runs_in_quick_mode(tmp_path):
    env = dict(
        os.environ,
        SKLEARN_RNN_QUICK="1",
        MPLBACKEND="Agg",
        SKLEARN_RNN_OUTPUT_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [
            sys.executable,
            "-W",
            "error::UserWarning",
            "-W",
            "error::RuntimeWarning",
            str(ROOT / "examples" / "plot_quantile_forecast.py"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = sorted(p.name for p in tmp_path.glob("*.png"))
    assert figures == ["quantile_coverage_by_lead.png", "quantile_test_week.png"]
    for name in ("LSTM", "HistGradientBoosting"):
        assert re.search(rf"^.*{name}.*\d\.\d{{3}}", result.stdout, re.M), result.stdout
