"""
Temperature from five weather measurements
==========================================

The second lab of the lecture: forecast the temperature at Newark airport from
the last 24 hours of temperature, pressure, relative humidity, dew point and
wind speed. Pressure and wind carry news of the weather that is coming; dew
point and humidity tell how far the air can cool at night.

The same four models as in the first lab compete: persistence, Ridge on the
same windows, :class:`~sklearn_rnn.SimpleRNNForecaster` and
:class:`~sklearn_rnn.LSTMForecaster`. Six hours ahead, where persistence is far
off, leaves room for the inputs to matter.

Run ``python examples/plot_multivariate.py`` (about a minute on two cores) or
add ``--quick`` for a smoke test in seconds.
"""

# %%
# Data: five columns, one target
# ------------------------------
# All five measurements of each hour are inputs, the temperature included; the
# target is the temperature six hours later. :func:`~sklearn_rnn.make_supervised`
# aligns it once, up front, and drops the last six hours, which have no target.
from _common import (
    MULTIVARIATE_COLUMNS,
    chronological_split,
    compare_models,
    fit_and_predict,
    load_supervised,
    mae_table,
    network_params,
    parse_args,
    recurrent_pipeline,
    report,
    ridge_pipeline,
)

from sklearn_rnn import LSTMForecaster

args = parse_args(__doc__.strip().splitlines()[0])
HORIZON = 6
WINDOW = 24
X, y = load_supervised(MULTIVARIATE_COLUMNS, HORIZON, quick=args.quick)

# %%
# A chronological split
# ---------------------
# 70 % of the hours for training, then 20 % for validation, then the last 10 %
# for the test, in time order. The measurements have very different scales
# (pressure around 1,015 mbar, wind a few mph); the StandardScaler at the head
# of each pipeline puts them on one scale with statistics of the training rows
# only, so nothing about the validation or test hours leaks into the models.
split = chronological_split(len(X))
print(split.describe(X.index))

# %%
# Four models, the same windows
# -----------------------------
# A window now holds 24 hours × 5 measurements. Ridge reads it as 120 lag
# columns; the networks read 24 steps of 5 features each. Everything else is as
# in the univariate example: the networks stop early on the last 10 % of their
# training rows and keep their best weights, and every model forecasts every
# hour once fitted on the training rows.
models = compare_models(WINDOW, network_params(args))
predictions, fit_seconds = fit_and_predict(models, X, y, split)

# %%
# Scores and figures
# ------------------
# MAE in °F and in standardized units, a week of test forecasts against the
# observed temperature, and the networks' learning curves.
report(
    f"MAE of the temperature {HORIZON} h ahead from the last {WINDOW} h of "
    f"{', '.join(MULTIVARIATE_COLUMNS)}",
    X,
    y,
    predictions,
    fit_seconds,
    split,
    HORIZON,
    models,
    args.output_dir / "multivariate",
)

# %%
# What the networks miss: the hour of day
# ---------------------------------------
# Six hours ahead, much of the change in temperature is the daily cycle: at
# 6 am it will be warmer at noon, at 6 pm colder at midnight. Ridge reads the
# time of day off the shape of the last 24 hours; the networks learn it less
# well from one year of data. Two more input columns, the sine and cosine of
# the hour, say it outright. Everything else stays as it was, including the
# target, so the rows of the two tables compare directly.
X_hour, _ = load_supervised(
    MULTIVARIATE_COLUMNS, HORIZON, quick=args.quick, hour_of_day=True
)
hour_models = {
    "Ridge + hour": ridge_pipeline(WINDOW),
    "LSTM + hour": recurrent_pipeline(LSTMForecaster(**network_params(args)), WINDOW),
}
hour_predictions, hour_seconds = fit_and_predict(hour_models, X_hour, y, split)
print()
print(f"The same, {HORIZON} h ahead, with and without the hour of day as input")
print(
    mae_table(
        {**predictions, **hour_predictions}, y, split, {**fit_seconds, **hour_seconds}
    )
)
