"""Saved models load, odd indexes are caught, and messages carry their fix.

Persistence with skops of every fitted object the documentation shows, the
time axis (float steps, kind / time zone / pace of a continuation, NaT, stacked
series), messages for infinity, empty input and unallocatable windows, and the
metadata-routing recipe for sample weights in a pipeline.
"""

import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_array_equal
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import (
    CalendarFeatures,
    GRUForecaster,
    LSTMForecaster,
    WindowTransformer,
    make_supervised,
)
from sklearn_rnn.datasets import load_weather

sio = pytest.importorskip("skops.io")

CHEAP = dict(hidden_size=4, max_epochs=2, random_state=0)
ROOT = Path(__file__).resolve().parents[1]


def _frame(index):
    n = len(index)
    values = np.column_stack([np.sin(np.arange(n) / 3.0), np.cos(np.arange(n) / 5.0)])
    return pd.DataFrame(values, index=index, columns=["temp", "wind"])


def _hourly(n=60, tz=None):
    return _frame(pd.date_range("2024-03-01", periods=n, freq="h", tz=tz))


def _skops_round_trip(obj):
    data = sio.dumps(obj)
    untrusted = sio.get_untrusted_types(data=data)
    return sio.loads(data, trusted=untrusted), sorted(untrusted)


def _transform(transformer, X):
    # A padded window after fit may come with a short-history warning; what is
    # asserted here is the windows themselves.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return transformer.transform(X)


def _continued(transformer, X):
    """Whether the first window of `X` got the fitted rows instead of padding."""
    return not np.isnan(_transform(transformer, X)[0]).any()


# -- skops round trips -------------------------------------------------------------


@pytest.mark.parametrize(
    "index",
    [
        pd.date_range("2024-03-01", periods=40, freq="h"),
        pd.date_range("2024-03-30", periods=40, freq="h", tz="Europe/Berlin"),
        pd.date_range("2024-03-01", periods=40, freq="D").as_unit("s"),
        pd.DatetimeIndex(pd.date_range("2024-03-01", periods=40, freq="h"), freq=None),
        pd.period_range("2020-01", periods=40, freq="M"),
        pd.timedelta_range(0, periods=40, freq="10min"),
        pd.Index(np.arange(40) * 0.1),
        pd.Index(np.arange(40) * 3),
        pd.RangeIndex(40),
    ],
    ids=["hourly", "berlin-dst", "daily-s", "no-freq", "period", "timedelta"]
    + ["float", "int", "range"],
)
def test_window_transformer_on_any_index_loads_with_skops(index):
    frame = _frame(index)
    fitted = WindowTransformer(window_length=4).fit(frame[:30])
    loaded, untrusted = _skops_round_trip(fitted)
    assert untrusted == ["sklearn_rnn._window.WindowTransformer"]
    assert loaded.last_label_ == fitted.last_label_
    assert type(loaded.last_label_) is type(fitted.last_label_)
    assert getattr(loaded.last_label_, "tz", None) == getattr(
        fitted.last_label_, "tz", None
    )
    # The continuation behaves as before saving: history instead of padding.
    assert _continued(fitted, frame[30:])
    assert_array_equal(_transform(loaded, frame[30:]), _transform(fitted, frame[30:]))
    assert_array_equal(
        pickle.loads(pickle.dumps(fitted)).transform(frame[30:]),
        fitted.transform(frame[30:]),
    )


def test_pandas_output_pipeline_loads_with_skops_and_forecasts_the_same():
    frame = _hourly(80)
    X, y = make_supervised(frame, target="temp")
    pipe = make_pipeline(
        CalendarFeatures(),
        StandardScaler(),
        WindowTransformer(window_length=6),
        LSTMForecaster(**CHEAP),
    ).set_output(transform="pandas")
    pipe.fit(X[:60], y[:60])
    loaded, untrusted = _skops_round_trip(pipe)
    assert untrusted == [
        "sklearn_rnn._calendar.CalendarFeatures",
        "sklearn_rnn._forecasters.LSTMForecaster",
        "sklearn_rnn._window.WindowTransformer",
    ]
    # The rows after the training rows continue them, before and after loading.
    assert_array_equal(loaded.predict(X[60:]), pipe.predict(X[60:]))
    # Batches of another size round differently: equal up to float rounding.
    np.testing.assert_allclose(pipe.predict(X[60:]), pipe.predict(X)[60:], atol=1e-6)


def test_forecaster_with_a_learning_rate_scheduler_loads_with_skops():
    from skorch.callbacks import LRScheduler

    windows = WindowTransformer(5).fit_transform(_hourly(80))[4:-1]
    y = _hourly(80)["temp"].to_numpy()[5:]
    scheduler = LRScheduler(policy="StepLR", step_size=1, gamma=0.5)
    model = GRUForecaster(**CHEAP, callbacks=[("lr", scheduler)]).fit(windows, y)
    loaded, untrusted = _skops_round_trip(model)
    assert untrusted == [
        "sklearn_rnn._forecasters.GRUForecaster",
        "skorch.callbacks.lr_scheduler.LRScheduler",
    ]
    assert_array_equal(loaded.predict(windows), model.predict(windows))
    # The loaded model fits again, scheduler included.
    loaded.fit(windows, y)
    assert_array_equal(loaded.predict(windows), model.fit(windows, y).predict(windows))


def test_calendar_features_load_with_skops():
    frame = _hourly(30)
    fitted = CalendarFeatures().fit(frame)
    loaded, untrusted = _skops_round_trip(fitted)
    assert untrusted == ["sklearn_rnn._calendar.CalendarFeatures"]
    assert_array_equal(loaded.transform(frame), fitted.transform(frame))


# -- the time axis -----------------------------------------------------------------


def test_regular_float_index_is_never_taken_for_gaps():
    frame = _frame(pd.Index(np.arange(60) * 0.1))
    # Every slice of at least three rows: some have steps that differ by rounding.
    for start in range(0, 57):
        for stop in range(start + 3, 61, 7):
            make_supervised(frame.iloc[start:stop], target="temp")
            WindowTransformer(3).fit(frame.iloc[start:stop])
    transformer = WindowTransformer(3).fit(frame[:37])
    assert _continued(transformer, frame[37:])


def test_a_real_gap_in_a_float_index_is_still_refused():
    frame = _frame(pd.Index(np.delete(np.arange(60) * 0.1, 20)))
    with pytest.raises(ValueError, match=r"steps by 0\.1 but jumps by 0\.2"):
        make_supervised(frame, target="temp")


@pytest.mark.parametrize(
    "later",
    [
        _hourly(60, tz="UTC")[40:],
        _frame(pd.date_range("2024-03-02 16:00", periods=20, freq="30min")),
        _frame(pd.date_range("2024-03-02 16:00", periods=20, freq="2h")),
        _frame(pd.RangeIndex(40, 60)),
        _frame(pd.period_range("2024-03-02 16:00", periods=20, freq="h")),
    ],
    ids=["tz-aware", "half-hourly", "two-hourly", "numbers", "periods"],
)
def test_input_of_another_kind_tz_or_pace_does_not_continue_the_fit(later):
    fitted = WindowTransformer(window_length=4).fit(_hourly(60)[:40])
    assert fitted.last_label_ == pd.Timestamp("2024-03-02 15:00")
    assert _continued(fitted, _hourly(60)[40:])
    assert not _continued(fitted, later)


def test_period_index_of_another_freq_does_not_continue_the_fit():
    monthly = _frame(pd.period_range("2020-01", periods=40, freq="M"))
    fitted = WindowTransformer(window_length=4).fit(monthly[:30])
    assert _continued(fitted, monthly[30:])
    quarterly = _frame(pd.period_range("2022-07", periods=5, freq="Q"))
    assert not _continued(fitted, quarterly)


def _with_nat(frame, row):
    labels = frame.index.to_series().copy()
    labels.iloc[row] = pd.NaT
    return frame.set_axis(pd.DatetimeIndex(labels))


@pytest.mark.parametrize(
    "call, input_name",
    [
        (lambda X: make_supervised(X, target="temp"), "data"),
        (lambda X: WindowTransformer(3).fit(X), "X"),
        (lambda X: CalendarFeatures().fit_transform(X), "X"),
        (lambda X: CalendarFeatures().fit(_hourly(20)).transform(X), "X"),
    ],
    ids=["make_supervised", "WindowTransformer", "CalendarFeatures", "transform"],
)
def test_missing_times_in_the_index_are_refused(call, input_name):
    frame = _with_nat(_hourly(20), 7)
    with pytest.raises(
        ValueError,
        match=rf"The index of {input_name} has no time at row 7 \(NaT\), 1 row\(s\) "
        rf"in all.*{input_name}\[{input_name}\.index\.notna\(\)\]",
    ):
        call(frame)


def test_stacked_stations_are_refused_with_the_selection_to_make():
    stations = load_weather("all")
    assert isinstance(stations.index, pd.MultiIndex)
    assert list(stations.index.names) == ["station", "time_hour"]
    message = (
        r"The index of {0} is a MultiIndex \(levels \['station', 'time_hour'\]\).*"
        r"{0}\.xs\('EWR', level='station'\).*groupby\(level='station'\)"
    )
    with pytest.raises(ValueError, match=message.format("data")):
        make_supervised(stations, target="temp")
    with pytest.raises(ValueError, match=message.format("X")):
        WindowTransformer(3).fit(stations)
    X, y = make_supervised(stations.xs("EWR", level="station"), target="temp")
    assert len(X) == len(y) == len(stations.xs("EWR", level="station")) - 1


# -- messages ----------------------------------------------------------------------


def test_datetime_column_in_calendar_features_is_refused_with_the_fix():
    frame = _hourly(10).reset_index(names="time")
    with pytest.raises(
        ValueError,
        match=r"X of CalendarFeatures must hold numbers, but column 'time' holds "
        r"dates or times.*X\.set_index\(.time.\)\), from which CalendarFeatures reads",
    ):
        CalendarFeatures().fit(frame)


def test_infinity_in_x_is_located_and_has_a_fix():
    series = _hourly(30).to_numpy().copy()
    series[12, 1] = np.inf
    with pytest.raises(
        ValueError,
        match=r"Input X contains infinity, first at row 12, column 1: "
        r"WindowTransformer understands NaN.*np\.nan_to_num",
    ):
        WindowTransformer(3).fit(series)
    finite = np.where(np.isinf(series), 0.0, series)
    windows = np.array(WindowTransformer(3).fit_transform(finite))
    windows[12, 2, 1] = -np.inf
    with pytest.raises(
        ValueError,
        match=r"X contains infinity in window 12 at time step 2.*clip them.*"
        r"interpolate",
    ):
        LSTMForecaster(**CHEAP).fit(windows, np.zeros(30))
    # 2-D rows: infinity is not mistaken for a value beyond float32's range.
    with pytest.raises(ValueError, match=r"X contains infinity in window 12"):
        LSTMForecaster(**CHEAP).fit(series, np.zeros(30))


@pytest.mark.parametrize(
    "call",
    [
        lambda X: WindowTransformer(3).fit(X),
        lambda X: WindowTransformer(3).fit(np.ones((5, 2))).transform(X),
        lambda X: LSTMForecaster(**CHEAP).fit(X, np.zeros(0)),
        lambda X: LSTMForecaster(**CHEAP).fit(X[:, np.newaxis], np.zeros(0)),
    ],
)
def test_zero_rows_get_the_usual_cause(call):
    with pytest.raises(
        ValueError,
        match=r"Found array with 0 sample\(s\).*matched no rows.*pass at least one row",
    ):
        call(np.zeros((0, 2)))


def test_score_with_a_target_of_another_length_says_which_rows():
    windows = WindowTransformer(5).fit_transform(_hourly(40))[4:]
    y = _hourly(40)["temp"].to_numpy()[4:]
    model = LSTMForecaster(**CHEAP).fit(windows, y)
    with pytest.raises(
        ValueError,
        match=r"y has 35 rows, but X has 36 samples \(windows\): LSTMForecaster\."
        r"score compares one target per window",
    ):
        model.score(windows, y[:-1])
    assert model.score(windows, y) == pytest.approx(
        1 - ((y - model.predict(windows)) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    )


def test_absurd_window_length_is_a_value_error():
    with pytest.raises(
        ValueError,
        match=r"window_length=1000000000000\) needs one padded float32 copy.*"
        r"Use a shorter window_length",
    ):
        WindowTransformer(window_length=10**12).fit_transform(np.zeros((5, 2)))


def test_weather_target_alone_is_refused_rather_than_an_empty_x():
    with pytest.raises(
        ValueError,
        match=r"would return an X with no columns.*make_supervised\(frame, "
        r"target='temp'\)",
    ):
        load_weather(columns=["temp"], return_X_y=True)
    X, y = load_weather(columns=["temp", "dewp"], return_X_y=True)
    assert list(X.columns) == ["dewp"] and y.name == "temp"


# -- sample weights through a pipeline, with metadata routing ----------------------


def test_metadata_routing_recipe_for_sample_weights_in_a_pipeline():
    import sklearn
    from sklearn.exceptions import UnsetMetadataPassedError

    frame = _hourly(80)
    X, y = make_supervised(frame, target="temp")
    weights = np.linspace(0.5, 1.0, len(y))
    with sklearn.config_context(enable_metadata_routing=True):
        # StandardScaler.fit takes sample_weight too: it must say what to do.
        unset = make_pipeline(
            StandardScaler(),
            WindowTransformer(window_length=6),
            LSTMForecaster(**CHEAP).set_fit_request(sample_weight=True),
        )
        with pytest.raises(UnsetMetadataPassedError, match="StandardScaler"):
            unset.fit(X, y, sample_weight=weights)
        pipe = make_pipeline(
            StandardScaler().set_fit_request(sample_weight=False),
            WindowTransformer(window_length=6),
            LSTMForecaster(**CHEAP).set_fit_request(sample_weight=True),
        )
        routed = pipe.fit(X, y, sample_weight=weights).predict(X)
    direct = make_pipeline(
        StandardScaler(), WindowTransformer(window_length=6), LSTMForecaster(**CHEAP)
    ).fit(X, y, lstmforecaster__sample_weight=weights)
    assert_array_equal(routed, direct.predict(X))


# -- the hostile probe ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(
    not (ROOT / "benchmarks" / "reliability" / "hostile_probe.py").exists(),
    reason="the hostile probe script is not in this tree yet",
)
def test_hostile_probe_runs_and_classifies():
    probe = ["-m", "benchmarks.reliability.hostile_probe"]
    result = subprocess.run(
        [sys.executable, *probe, "--jobs", "2", "--limit", "3"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 cases:" in result.stdout


def test_lag_names_of_3d_windows_say_why_they_are_missing():
    transformer = WindowTransformer(3).fit(_hourly(10))
    assert not hasattr(transformer, "get_feature_names_out")
    with pytest.raises(AttributeError, match=r"available with .*flatten=True\) only"):
        transformer.get_feature_names_out()
    flat = WindowTransformer(2, flatten=True).fit(_hourly(10))
    assert list(flat.get_feature_names_out())[-1] == "wind_lag_0"
