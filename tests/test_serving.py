"""Forecasts in service: rows after fit get their history, or a warning says why not.

The pipelines are the README's (CalendarFeatures, WindowTransformer, a
forecaster, no scaler before the windows), on the bundled EWR hours, with
networks small enough to fit in a second.
"""

import warnings

import numpy as np
import pytest
from sklearn.experimental import enable_halving_search_cv  # noqa: F401
from sklearn.model_selection import GridSearchCV, HalvingGridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import (
    CalendarFeatures,
    GRUForecaster,
    LSTMForecaster,
    ShortHistoryWarning,
    WindowTransformer,
    make_supervised,
)
from sklearn_rnn.datasets import load_weather

pytestmark = pytest.mark.usefixtures("torch_one_thread")

COLUMNS = ["temp", "dewp", "humid", "pressure", "wind_speed"]
CHEAP = dict(hidden_size=8, max_epochs=3, random_state=0)


@pytest.fixture(scope="module")
def ewr():
    return load_weather()[COLUMNS].iloc[:800]


def _readme_pipeline(cls=LSTMForecaster, **params):
    return make_pipeline(
        CalendarFeatures(["hour_of_day"]),
        WindowTransformer(window_length=24),
        cls(**{**CHEAP, **params}),
    )


def _quietly(call):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        return call()


@pytest.mark.parametrize("cls", [LSTMForecaster, GRUForecaster])
def test_rows_after_fit_alone_forecast_as_after_their_history(ewr, cls):
    X, y = make_supervised(ewr, target="temp", horizon=6)
    pipe = _readme_pipeline(cls).fit(X[:500], y[:500])
    whole = pipe.predict(X[:540])
    alone = _quietly(lambda: pipe.predict(X[500:540]))
    np.testing.assert_allclose(alone, whole[500:], rtol=0, atol=1e-5)


def test_hourly_arrival_loop_matches_the_whole_history(ewr):
    X, y = make_supervised(ewr, target="temp", horizon=range(1, 25))
    pipe = _readme_pipeline().fit(X[:500], y[:500])
    full = pipe.predict(ewr)  # every row, the newest included (no target yet)
    assert full.shape == (len(ewr), 24)
    # Each hour: forecast from the rows that arrived since the fit.
    for now in range(500, 530):
        latest = _quietly(lambda now=now: pipe.predict(ewr.iloc[500 : now + 1])[-1])
        np.testing.assert_allclose(latest, full[now], rtol=0, atol=1e-5)


def test_only_the_newest_rows_at_hand(ewr):
    X, y = make_supervised(ewr, target="temp", horizon=6)
    pipe = _readme_pipeline().fit(X[:500], y[:500])
    full = pipe.predict(ewr)
    recent = ewr.iloc[700:724]  # the last window_length rows, no more
    with pytest.warns(ShortHistoryWarning, match="the first 23 have fewer than"):
        forecasts = pipe.predict(recent)
    # The newest row has its whole window; the warning is about the others.
    np.testing.assert_allclose(forecasts[-1], full[723], rtol=0, atol=1e-5)
    assert np.abs(forecasts[:5] - full[700:705]).max() > 1e-3


def test_one_new_row_alone_warns_and_says_what_to_pass(ewr):
    X, y = make_supervised(ewr, target="temp", horizon=6)
    pipe = _readme_pipeline().fit(X[:500], y[:500])
    with pytest.warns(ShortHistoryWarning) as record:
        pipe.predict(ewr.iloc[[650]])
    message = str(record[0].message)
    assert "got 1 row(s)" in message and "Pass the rows before them" in message


def test_a_scaler_before_the_windows_without_pandas_output_warns(ewr):
    X, y = make_supervised(ewr, target="temp", horizon=6)
    pipe = make_pipeline(
        StandardScaler(), WindowTransformer(24), LSTMForecaster(**CHEAP)
    ).fit(X[:500], y[:500])
    with pytest.warns(ShortHistoryWarning, match="set_output"):
        pipe.predict(X[500:540])
    # With pandas output the index reaches the windows and the rows continue.
    pipe.set_output(transform="pandas").fit(X[:500], y[:500])
    alone = _quietly(lambda: pipe.predict(X[500:540]))
    np.testing.assert_allclose(alone, pipe.predict(X[:540])[500:], atol=1e-5)


def test_shuffled_rows_are_refused_in_the_readme_pipeline(ewr):
    X, y = make_supervised(ewr, target="temp", horizon=6)
    order = np.random.default_rng(0).permutation(len(X))
    with pytest.raises(ValueError, match="not in increasing order"):
        _readme_pipeline().fit(X.iloc[order], y.iloc[order])
    search = HalvingGridSearchCV(
        _readme_pipeline(),
        {"lstmforecaster__hidden_size": [4, 8]},
        cv=TimeSeriesSplit(n_splits=2, gap=6),
        min_resources=200,
        error_score="raise",
    )
    with pytest.raises(ValueError, match="HalvingGridSearchCV"):
        search.fit(X, y)


def test_cv_test_folds_continue_without_a_gap_and_warn_with_one(ewr):
    X, y = make_supervised(ewr, target="temp", horizon=1)
    grid = {"windowtransformer__window_length": [12]}
    no_gap = GridSearchCV(_readme_pipeline(), grid, cv=TimeSeriesSplit(n_splits=2))
    _quietly(lambda: no_gap.fit(X, y))
    with pytest.warns(ShortHistoryWarning, match="the first 11 have fewer"):
        GridSearchCV(
            _readme_pipeline(), grid, cv=TimeSeriesSplit(n_splits=2, gap=1)
        ).fit(X, y)
