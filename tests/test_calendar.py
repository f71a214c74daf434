"""CalendarFeatures: sin/cos of the hour of day and day of year from the index."""

import re

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import CalendarFeatures, WindowTransformer, make_supervised


def _frame(index):
    return pd.DataFrame({"temp": np.arange(len(index), dtype=float)}, index=index)


def test_hour_of_day_values():
    hours = pd.date_range("2024-01-01", periods=24, freq="h")
    out = CalendarFeatures(features=["hour_of_day"]).fit_transform(_frame(hours))
    out = out.to_numpy()

    assert out.shape == (24, 3)
    assert_array_equal(out[:, 0], np.arange(24))
    angle = 2 * np.pi * np.arange(24) / 24
    assert_allclose(out[:, 1], np.sin(angle), atol=1e-12)
    assert_allclose(out[:, 2], np.cos(angle), atol=1e-12)
    # 23:00 is as close to midnight as 01:00 is.
    assert_allclose(
        np.hypot(*(out[23, 1:] - out[0, 1:])), np.hypot(*(out[1, 1:] - out[0, 1:]))
    )


def test_minutes_count_in_the_hour_of_day():
    index = pd.DatetimeIndex(["2024-01-01 06:30"])
    out = CalendarFeatures(features=["hour_of_day"]).fit_transform(_frame(index))
    out = out.to_numpy()
    assert_allclose(out[0, 1], np.sin(2 * np.pi * 6.5 / 24))


def test_day_of_year_values_and_leap_years():
    index = pd.DatetimeIndex(["2023-01-01", "2023-07-02 12:00", "2024-12-31 12:00"])
    out = CalendarFeatures(features=["day_of_year"]).fit_transform(_frame(index))
    out = out.to_numpy()

    assert_allclose(out[0, 1:], [0.0, 1.0], atol=1e-12)
    # 2 July noon is day 182.5 of 365: half way, the far side of the cycle.
    assert_allclose(out[1, 1:], [np.sin(np.pi), np.cos(np.pi)], atol=1e-12)
    # 31 December noon of a leap year: half a day before the cycle closes.
    angle = 2 * np.pi * 365.5 / 366
    assert_allclose(out[2, 1:], [np.sin(angle), np.cos(angle)])


def test_default_adds_both_cycles_after_the_input_columns(weather):
    calendar = CalendarFeatures().fit(weather)
    out = calendar.transform(weather).to_numpy()

    assert list(calendar.get_feature_names_out()) == [
        "temp",
        "pressure",
        "hour_of_day_sin",
        "hour_of_day_cos",
        "day_of_year_sin",
        "day_of_year_cos",
    ]
    assert out.shape == (len(weather), 6)
    assert_array_equal(out[:, :2], weather.to_numpy())


def test_pandas_output_keeps_the_index_and_names(weather):
    calendar = CalendarFeatures(features=["day_of_year", "hour_of_day"])
    out = calendar.set_output(transform="pandas").fit_transform(weather)

    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(weather.index)
    assert list(out.columns[2:]) == [
        "day_of_year_sin",
        "day_of_year_cos",
        "hour_of_day_sin",
        "hour_of_day_cos",
    ]


def test_period_index_is_read_as_start_times(weather):
    periods = weather.to_period("h")
    assert_array_equal(
        CalendarFeatures().fit_transform(periods),
        CalendarFeatures().fit_transform(weather),
    )


def test_first_step_of_a_window_pipeline(weather):
    X, y = make_supervised(weather, target="temp", horizon=3)
    pipe = make_pipeline(
        CalendarFeatures(),
        WindowTransformer(24, flatten=True),
        SimpleImputer(),
        StandardScaler(),
        Ridge(),
    )
    pipe.fit(X[:120], y[:120])
    # The calendar step keeps the index: the rows after the training rows
    # continue them, with their full history.
    assert_array_equal(pipe.predict(X[120:]), pipe.predict(X)[120:])
    predictions = pipe.predict(X[120:])

    assert predictions.shape == (len(X) - 120,)
    assert np.isfinite(predictions).all()
    # 24 lags of the 2 columns and the 4 calendar columns reach the regressor.
    assert pipe[-1].coef_.shape == (24 * 6,)
    # The forecast follows the daily cycle: better than the training mean.
    error = np.abs(predictions - y[120:]).mean()
    assert error < np.abs(y[120:] - y[:120].mean()).mean()


def test_pipeline_with_pandas_output_passes_the_calendar_names(weather):
    pipe = make_pipeline(
        CalendarFeatures(features=["hour_of_day"]),
        StandardScaler(),
        WindowTransformer(2, flatten=True, fill_value=0.0),
    ).set_output(transform="pandas")
    out = pipe.fit_transform(weather)
    assert "hour_of_day_sin_lag_0" in out.columns
    assert out.index.equals(weather.index)


# -- errors ----------------------------------------------------------------------


def test_array_input_says_to_put_it_first(weather):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "X of CalendarFeatures must be a pandas DataFrame with a DatetimeIndex "
            "(the time of each row); got numpy ndarray, which has no index. "
        )
        + r".*put CalendarFeatures first",
    ):
        CalendarFeatures().fit(weather.to_numpy())


def test_after_a_step_that_drops_the_index(weather):
    pipe = make_pipeline(StandardScaler(), CalendarFeatures())
    with pytest.raises(ValueError, match=r"got numpy ndarray, which has no index"):
        pipe.fit(weather)


def test_dataframe_without_a_time_index(weather):
    with pytest.raises(
        ValueError,
        match=r"got a pandas DataFrame indexed by RangeIndex\. Make the time column "
        r"the index first, for example X\.set_index\('time'\)",
    ):
        CalendarFeatures().fit(weather.reset_index(drop=True))


def test_transform_checks_the_index_too(weather):
    calendar = CalendarFeatures().fit(weather)
    with pytest.raises(ValueError, match="must be a pandas DataFrame with a Datetime"):
        calendar.transform(weather.reset_index(drop=True))


def test_polars_input_says_how_to_convert(weather):
    pl = pytest.importorskip("polars")
    with pytest.raises(ValueError, match=r"got polars DataFrame.*X\.to_pandas\(\)"):
        CalendarFeatures().fit(pl.from_pandas(weather))


@pytest.mark.parametrize(
    "features, shown",
    [
        ("hour_of_day", "Got the string 'hour_of_day': use ['hour_of_day']."),
        (["hour"], "Got ['hour']."),
        ([], "Got []."),
        (["day_of_year", "day_of_year"], "Got ['day_of_year', 'day_of_year']."),
        (3, "Got 3."),
    ],
)
def test_invalid_features(weather, features, shown):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "The 'features' parameter of CalendarFeatures must be a non-empty list "
            "of distinct names among ['hour_of_day', 'day_of_year']. " + shown
        ),
    ):
        CalendarFeatures(features=features).fit(weather)


def test_existing_calendar_column_is_refused(weather):
    frame = weather.assign(hour_of_day_sin=0.0)
    with pytest.raises(
        ValueError, match=r"already has the column\(s\) \['hour_of_day_sin'\]"
    ):
        CalendarFeatures().fit(frame)


def test_clone_keeps_the_parameter():
    calendar = CalendarFeatures(features=["day_of_year"])
    assert clone(calendar).get_params() == {"features": ["day_of_year"]}


# -- scikit-learn's checks -----------------------------------------------------------

_NEEDS_TIME_INDEX = (
    "the check fits on NumPy arrays, which carry no time of day; CalendarFeatures "
    "reads it from the DatetimeIndex of a DataFrame and refuses arrays by design"
)
_ARRAY_CHECKS = [
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_dtype_object",
    "check_estimators_dtypes",
    "check_estimators_fit_returns_self",
    "check_estimators_overwrite_params",
    "check_estimators_pickle",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit2d_1sample",
    "check_fit2d_predict1d",
    "check_fit_check_is_fitted",
    "check_fit_idempotent",
    "check_fit_score_takes_y",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_n_features_in",
    "check_n_features_in_after_fitting",
    "check_pipeline_consistency",
    "check_positive_only_tag_during_fit",
    "check_readonly_memmap_input",
    "check_transformer_data_not_an_array",
    "check_transformer_general",
    "check_transformer_preserve_dtypes",
]


@parametrize_with_checks(
    [CalendarFeatures()],
    expected_failed_checks=lambda _: dict.fromkeys(_ARRAY_CHECKS, _NEEDS_TIME_INDEX),
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)


def test_what_the_array_checks_test_holds_on_dataframes(weather):
    # Fit returns self, is idempotent, sets n_features_in_, pickles, and leaves
    # the input unchanged: the array checks above, on the input it accepts.
    import pickle

    before = weather.copy()
    calendar = CalendarFeatures()
    assert calendar.fit(weather) is calendar
    first = calendar.transform(weather).to_numpy()
    assert_array_equal(calendar.fit(weather).transform(weather), first)
    assert calendar.n_features_in_ == 2
    restored = pickle.loads(pickle.dumps(calendar))
    assert_array_equal(restored.transform(weather), first)
    pd.testing.assert_frame_equal(weather, before)
    # Rows are independent: any subset or order gives the same rows.
    order = np.random.default_rng(0).permutation(len(weather))
    assert_array_equal(calendar.transform(weather.iloc[order]).to_numpy(), first[order])
