"""The forecasters inside scikit-learn: Pipeline, GridSearchCV, set_output, persistence.

The grid search is the one from the issue, on a 160-hour synthetic series and
with networks small enough to fit in a fraction of a second.
"""

import io
import pickle

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.base import clone
from sklearn.linear_model import Ridge
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils import estimator_html_repr

from sklearn_rnn import (
    GRUForecaster,
    LSTMForecaster,
    SimpleRNNForecaster,
    WindowTransformer,
    make_supervised,
)
from sklearn_rnn.utils.estimator_checks import (
    check_no_lookahead,
    check_one_prediction_per_row,
)

pytestmark = [
    pytest.mark.usefixtures("torch_one_thread"),
    # The searches here use TimeSeriesSplit(gap=1): each test fold starts after
    # a gap, so its first windows lack history and WindowTransformer says so
    # (tests/test_serving.py asserts that warning).
    pytest.mark.filterwarnings("ignore::sklearn_rnn.ShortHistoryWarning"),
]

GRID = {
    "windowtransformer__window_length": [12, 24],
    "lstmforecaster__hidden_size": [4, 8],
}


def _issue_pipeline(**forecaster):
    params = dict(hidden_size=32, random_state=0, max_epochs=3, lr=0.01)
    return make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=24),
        LSTMForecaster(**{**params, **forecaster}),
    )


def _search(n_jobs=None):
    return GridSearchCV(
        _issue_pipeline(),
        GRID,
        cv=TimeSeriesSplit(n_splits=2, gap=1),
        scoring="neg_mean_absolute_error",
        n_jobs=n_jobs,
    )


@pytest.fixture(scope="module")
def supervised(weather):
    return make_supervised(weather, target="temp", horizon=1)


@pytest.fixture(scope="module")
def search(supervised, torch_one_thread):
    return _search().fit(*supervised)


@pytest.fixture(scope="module", params=[SimpleRNNForecaster, GRUForecaster])
def fitted_pipeline(request, supervised, torch_one_thread):
    model = make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=8),
        request.param(hidden_size=4, max_epochs=3, patience=None, random_state=0),
    )
    return model.fit(*supervised)


# -- the grid search of the issue ----------------------------------------------


def test_grid_search_predicts_one_value_per_row_in_order(search, supervised):
    X, y = supervised
    predictions = search.predict(X)

    assert predictions.shape == (len(X),) == (159,)
    assert np.isfinite(predictions).all()
    assert search.best_params_ in [
        {"windowtransformer__window_length": w, "lstmforecaster__hidden_size": h}
        for w in (12, 24)
        for h in (4, 8)
    ]
    scores = search.cv_results_["mean_test_score"]
    assert scores.shape == (4,)
    assert np.isfinite(scores).all()
    assert (scores < 0).all()  # negated mean absolute errors
    # The refit model is the best candidate refitted on all rows, reproducibly.
    again = clone(_issue_pipeline()).set_params(**search.best_params_).fit(X, y)
    assert_array_equal(again.predict(X), predictions)
    check_one_prediction_per_row(search.best_estimator_, X)


def test_grid_search_model_does_not_look_ahead(search, supervised):
    check_no_lookahead(search.best_estimator_, supervised[0], cuts=[0, 11, 23, 100])


def test_grid_search_folds_train_on_the_past_only(supervised):
    X, _ = supervised
    for train, test in TimeSeriesSplit(n_splits=2, gap=1).split(X):
        assert train.max() + 1 < test.min()


@pytest.mark.slow  # Two worker processes each import torch: seconds, not the fits.
def test_parallel_grid_search_matches_the_sequential_one(search, supervised):
    parallel = _search(n_jobs=2).fit(*supervised)
    assert_array_equal(
        parallel.cv_results_["mean_test_score"], search.cv_results_["mean_test_score"]
    )
    assert_array_equal(parallel.predict(supervised[0]), search.predict(supervised[0]))


# -- look-ahead and row order of whole pipelines -------------------------------


def test_changing_the_future_keeps_past_forecasts_bit_identical(
    fitted_pipeline, supervised
):
    X, _ = supervised
    before = fitted_pipeline.predict(X)
    future = X.copy()
    future.iloc[40:] = future.iloc[40:].to_numpy()[::-1] * 1.5
    after = fitted_pipeline.predict(future)

    assert_array_equal(after[:40], before[:40])
    assert np.abs(after[40:] - before[40:]).max() > 1e-3


def test_pipelines_pass_the_time_checks(fitted_pipeline, supervised):
    X, _ = supervised
    check_no_lookahead(fitted_pipeline, X)
    check_one_prediction_per_row(fitted_pipeline, X)


def test_multi_step_pipeline(weather):
    X, Y = make_supervised(weather, target="temp", horizon=range(1, 4))
    model = make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=6),
        GRUForecaster(hidden_size=4, max_epochs=2, patience=None, random_state=0),
    ).fit(X, Y)

    assert model.predict(X).shape == (157, 3)
    assert model[-1].n_outputs_ == 3


# -- pandas output -------------------------------------------------------------


def test_pandas_output_pipeline_predicts_like_the_default_one(supervised):
    X, y = supervised
    default = _issue_pipeline(hidden_size=4, max_epochs=2).fit(X, y)
    pandas = _issue_pipeline(hidden_size=4, max_epochs=2)
    pandas.set_output(transform="pandas").fit(X, y)

    scaled = pandas[0].transform(X)
    assert isinstance(scaled, pd.DataFrame)
    assert scaled.index.equals(X.index)
    assert type(pandas[:-1].transform(X)) is np.ndarray
    assert_array_equal(pandas.predict(X), default.predict(X))


def test_ridge_on_lag_columns(supervised):
    X, y = supervised
    model = make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=24, flatten=True, fill_value=0.0),
        Ridge(alpha=1.0),
    ).set_output(transform="pandas")
    model.fit(X.iloc[:120], y.iloc[:120])

    lags = model[:-1].transform(X)
    assert isinstance(lags, pd.DataFrame)
    assert lags.shape == (159, 48)
    assert list(model[-1].feature_names_in_[:2]) == ["temp_lag_23", "pressure_lag_23"]
    # A daily cycle plus noise is well predicted from the last day of lags.
    assert model.score(X.iloc[120:], y.iloc[120:]) > 0.8


# -- cloning, persistence, display ---------------------------------------------


def test_fitted_pipeline_round_trips(fitted_pipeline, supervised):
    X, y = supervised
    expected = fitted_pipeline.predict(X)

    assert_array_equal(pickle.loads(pickle.dumps(fitted_pipeline)).predict(X), expected)
    buffer = io.BytesIO()
    joblib.dump(fitted_pipeline, buffer)
    buffer.seek(0)
    assert_array_equal(joblib.load(buffer).predict(X), expected)
    assert_array_equal(clone(fitted_pipeline).fit(X, y).predict(X), expected)


def test_params_reach_the_steps():
    model = _issue_pipeline()
    model.set_params(lstmforecaster__hidden_size=8, windowtransformer__window_length=6)
    params = model.get_params()

    assert params["lstmforecaster__hidden_size"] == 8
    assert params["windowtransformer__window_length"] == 6
    assert model[-1].hidden_size == 8
    assert clone(model).get_params()["lstmforecaster__hidden_size"] == 8


def test_html_repr_of_pipeline_and_search(search):
    for html in (
        estimator_html_repr(_issue_pipeline()),
        search._repr_html_(),
        search.best_estimator_._repr_html_(),
    ):
        assert "WindowTransformer" in html
        assert "LSTMForecaster" in html
