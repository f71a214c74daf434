"""sklearn_rnn.utils.estimator_checks: honest estimators pass, leaking ones fail.

The failing estimators below each break one promise on purpose; they are tiny
so the checks themselves, not the models, are what these tests exercise.
"""

import numpy as np
import pandas as pd
import pytest
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
from sklearn_rnn.utils.estimator_checks import (
    check_no_lookahead,
    check_one_prediction_per_row,
    check_same_seed_same_predictions,
)


@pytest.fixture
def series_xy(weather):
    return make_supervised(weather, target="temp", horizon=1)


def _lag_ridge():
    return make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=6, flatten=True, fill_value=0.0),
        Ridge(),
    )


# -- estimators that break a promise on purpose --------------------------------


class _PeekNextRow(TransformerMixin, BaseEstimator):
    """Pairs each row with the next one: a centered window, one step of future."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=float)
        return np.hstack([X, np.roll(X, -1, axis=0)])


class _BatchScaler(TransformerMixin, BaseEstimator):
    """Standardizes with the statistics of the rows it transforms, not of fit."""

    def fit(self, X, y=None):
        return self

    def transform(self, X):
        X = np.asarray(X, dtype=float)
        return (X - X.mean(axis=0)) / X.std(axis=0)


class _LengthAware(RegressorMixin, BaseEstimator):
    """Scales its forecasts by the number of rows predicted at once."""

    def fit(self, X, y):
        return self

    def predict(self, X):
        X = np.asarray(X, dtype=float)
        return X[:, 0] * len(X)


class _Dropping(RegressorMixin, BaseEstimator):
    """Forecasts only rows with `lags` rows of history before them."""

    lags = 3

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float)[self.lags :, 0]


class _Reversed(RegressorMixin, BaseEstimator):
    """Returns its forecasts newest first."""

    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float)[::-1, 0]


class _FirstOutputOnly(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float)[:, 0]


class _UnalignedSeries(RegressorMixin, BaseEstimator):
    def fit(self, X, y):
        return self

    def predict(self, X):
        return pd.Series(np.asarray(X, dtype=float)[:, 0])


class _Unseeded(RegressorMixin, BaseEstimator):
    """Draws its noise from fresh entropy whatever random_state says."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        self.offset_ = np.random.default_rng().normal()
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float)[:, 0] + self.offset_


class _GlobalNumpySeeder(RegressorMixin, BaseEstimator):
    """Reproducible, but by reseeding the caller's global NumPy generator."""

    def __init__(self, random_state=None):
        self.random_state = random_state

    def fit(self, X, y):
        np.random.seed(self.random_state)  # noqa: NPY002
        self.offset_ = np.random.normal()  # noqa: NPY002
        return self

    def predict(self, X):
        return np.asarray(X, dtype=float)[:, 0] + self.offset_


class _GlobalTorchSeeder(_GlobalNumpySeeder):
    def fit(self, X, y):
        import torch

        torch.manual_seed(self.random_state)
        self.offset_ = float(torch.randn(()))
        return self


# -- check_no_lookahead --------------------------------------------------------


def test_lag_model_has_no_lookahead(series_xy):
    check_no_lookahead(_lag_ridge(), *series_xy)


def test_prefitted_estimator_is_used_as_is(series_xy):
    X, y = series_xy
    model = _lag_ridge().fit(X, y)
    coef = model[-1].coef_.copy()
    check_no_lookahead(model, X, cuts=[0, 50])
    np.testing.assert_array_equal(model[-1].coef_, coef)


def test_next_row_peek_is_caught(series_xy):
    model = make_pipeline(_PeekNextRow(), Ridge())
    with pytest.raises(
        AssertionError,
        match=r"Pipeline looks ahead: changing rows 1 to 158 of X changed its "
        r"prediction for row 0 from",
    ):
        check_no_lookahead(model, *series_xy)


def test_scaling_with_batch_statistics_is_caught(series_xy):
    model = make_pipeline(_BatchScaler(), Ridge())
    with pytest.raises(AssertionError, match="Pipeline looks ahead"):
        check_no_lookahead(model, *series_xy)


def test_dependence_on_the_batch_length_is_caught_by_cutting(series_xy):
    # Changing future values keeps the length, so only the cut reveals it.
    with pytest.raises(
        AssertionError,
        match=r"_LengthAware looks ahead: cutting X after row 0 changed its "
        r"prediction for row 0",
    ):
        check_no_lookahead(_LengthAware(), *series_xy)


def test_future_of_three_d_windows_is_changed_window_by_window():
    windows = WindowTransformer(window_length=4).fit_transform(
        np.random.default_rng(0).normal(size=(30, 2))
    )
    y = np.zeros(30)

    class _MeanOfAllWindows(_FirstOutputOnly):
        def predict(self, X):
            return np.full(len(X), np.nanmean(X))

    with pytest.raises(AssertionError, match="_MeanOfAllWindows looks ahead"):
        check_no_lookahead(_MeanOfAllWindows(), windows, y)


def test_lookahead_check_refuses_bad_cuts_and_short_input(series_xy):
    X, y = series_xy
    with pytest.raises(ValueError, match=r"must be a row in \[0, 158\).*got 158"):
        check_no_lookahead(_lag_ridge(), X, y, cuts=[158])
    with pytest.raises(ValueError, match="at least 2 rows"):
        check_no_lookahead(_lag_ridge(), X.iloc[:1], y.iloc[:1])


def test_unfitted_estimator_without_y_is_refused(series_xy):
    with pytest.raises(NotFittedError):
        check_no_lookahead(_lag_ridge(), series_xy[0])


# -- check_one_prediction_per_row ----------------------------------------------


def test_lag_model_gives_one_prediction_per_row(weather):
    X, Y = make_supervised(weather, target="temp", horizon=[1, 2])
    check_one_prediction_per_row(_lag_ridge(), X, Y)


def test_dropped_rows_are_caught(series_xy):
    with pytest.raises(
        AssertionError,
        match=r"_Dropping.predict returned 156 predictions for 159 rows of X",
    ):
        check_one_prediction_per_row(_Dropping(), *series_xy)


def test_reversed_order_is_caught(series_xy):
    with pytest.raises(AssertionError, match="_Reversed.predict is not in row order"):
        check_one_prediction_per_row(_Reversed(), *series_xy)


def test_missing_outputs_are_caught(weather):
    X, Y = make_supervised(weather, target="temp", horizon=[1, 2])
    with pytest.raises(
        AssertionError,
        match=r"predictions of shape \(158,\), but y has shape \(158, 2\)",
    ):
        check_one_prediction_per_row(_FirstOutputOnly(), X, Y)


def test_misaligned_pandas_index_is_caught(series_xy):
    with pytest.raises(AssertionError, match="index differs from the index of X"):
        check_one_prediction_per_row(_UnalignedSeries(), *series_xy)


# -- check_same_seed_same_predictions ------------------------------------------


@pytest.fixture
def global_random_states_restored():
    """Import torch (its state is compared only if imported before the fits) and
    give back the global states that the reseeding estimators below change."""
    torch = pytest.importorskip("torch")
    numpy_state = np.random.get_state()  # noqa: NPY002
    torch_state = torch.get_rng_state()
    yield
    np.random.set_state(numpy_state)  # noqa: NPY002
    torch.set_rng_state(torch_state)


def test_deterministic_model_passes(series_xy):
    check_same_seed_same_predictions(_lag_ridge(), *series_xy)


def test_seeded_forecaster_in_a_pipeline_passes(torch_one_thread, series_xy):
    X, y = series_xy
    model = make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=4),
        LSTMForecaster(hidden_size=4, max_epochs=2, patience=None),
    )
    # random_state=None in the pipeline: the check must find the step's seed.
    check_same_seed_same_predictions(model, X.iloc[:60], y.iloc[:60], random_state=3)


def test_ignored_seed_is_caught(series_xy):
    with pytest.raises(
        AssertionError,
        match=r"Two fits of _Unseeded with the same seed \(random_state = 0\) gave "
        r"different predictions",
    ):
        check_same_seed_same_predictions(_Unseeded(), *series_xy)


def test_ignored_seed_in_a_pipeline_step_is_caught(series_xy):
    model = make_pipeline(StandardScaler(), _Unseeded())
    with pytest.raises(AssertionError, match=r"\(_unseeded__random_state = 7\)"):
        check_same_seed_same_predictions(model, *series_xy, random_state=7)


@pytest.mark.parametrize(
    "estimator, source",
    [(_GlobalNumpySeeder(), "NumPy"), (_GlobalTorchSeeder(), "torch")],
)
def test_reseeding_the_global_generator_is_caught(
    series_xy, estimator, source, global_random_states_restored
):
    with pytest.raises(AssertionError, match=f"changed {source}'s global random state"):
        check_same_seed_same_predictions(estimator, *series_xy)
    # Opting out accepts the same estimator.
    check_same_seed_same_predictions(estimator, *series_xy, check_global_state=False)
