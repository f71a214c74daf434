"""
Six hours ahead from five weather measurements
==============================================

Forecast the temperature at Newark airport six hours ahead from the last 24
hours of temperature, pressure, relative humidity, dew point and wind speed.
Pressure and wind carry news of the weather that is coming; dew point and
humidity tell how far the air can cool at night. Six hours ahead, where
persistence is far off, leaves room for the inputs to matter.

Then the same models again, told the hour of day: much of a six-hour change is
the daily cycle, which the networks learn poorly from one year of data.

``python examples/plot_multivariate.py`` takes a few minutes on two cores;
with ``SKLEARN_RNN_QUICK=1`` in the environment it runs in seconds (a smoke
test, not a result).
"""

# %%
# Data: five columns, one target six hours on
# -------------------------------------------
# All five measurements of each hour are inputs, the temperature included.
# :func:`~sklearn_rnn.make_supervised` aligns the target once, up front, and
# drops the last six hours, which have no target yet.
import os

import numpy as np
import pandas as pd
from _common import UNITS, format_table, plot_learning_curves, plot_test_week, save
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
from sklearn_rnn.datasets import load_weather

QUICK = os.environ.get("SKLEARN_RNN_QUICK") == "1"
HORIZON = 6

df = load_weather(columns=["temp", "pressure", "humid", "dewp", "wind_speed"])
if QUICK:
    df = df.iloc[:1500]
X, y = make_supervised(df, target="temp", horizon=HORIZON)
n_train = int(0.9 * len(X))  # the last 10 % of the hours are the test period
print(f"{len(X)} hours; training on the first {n_train}")

# %%
# Ridge and an LSTM on the same windows
# -------------------------------------
# The measurements have very different scales (pressure around 1,015 mbar,
# wind a few mph): the scaler at the head of each pipeline puts them on one,
# with statistics of the training rows only. A window holds 24 hours × 5
# measurements: Ridge reads 120 lag columns, the LSTM 24 steps of 5 features.
network = dict(random_state=0)
if QUICK:
    network.update(hidden_size=8, max_epochs=2)


def make_models():
    """A fresh Ridge and LSTM pipeline on windows of the last 24 hours."""
    return {
        "Ridge": make_pipeline(
            StandardScaler(),
            WindowTransformer(window_length=24, flatten=True, fill_value=0.0),
            Ridge(),
        ),
        "LSTM": make_pipeline(
            StandardScaler(),
            WindowTransformer(window_length=24),
            LSTMForecaster(**network),
        ),
    }


def fit_and_forecast(models, X):
    """Fit each model on the training hours; forecast every hour."""
    forecasts = {}
    for name, model in models.items():
        model.fit(X.iloc[:n_train], y.iloc[:n_train])
        forecasts[name] = model.predict(X)
    return forecasts


models = make_models()
predictions = {"persistence": X["temp"].to_numpy(), **fit_and_forecast(models, X)}

# %%
# The hour of day as two more inputs
# ----------------------------------
# The sine and cosine of the hour place each row on the daily cycle without a
# jump from 23:00 to 0:00. Everything else stays as it was, target included,
# so the rows of the table below compare directly.
angle = 2 * np.pi * X.index.hour / 24
X_hour = X.assign(hour_sin=np.sin(angle), hour_cos=np.cos(angle))
hour_models = make_models()
for name, forecast in fit_and_forecast(hour_models, X_hour).items():
    predictions[f"{name} + hour"] = forecast

y_test = y.iloc[n_train:]
rows = [
    [name, mean_absolute_error(y_test, forecast[n_train:])]
    for name, forecast in predictions.items()
]
print(f"Test MAE, {HORIZON} h ahead, on the last {len(y_test)} hours")
print(format_table(["model", f"test MAE {UNITS}"], rows))

# %%
# A week of test forecasts
# ------------------------
# Each forecast is drawn at the hour it forecasts, six hours after its input.
week = slice(n_train, n_train + 7 * 24)
fig = plot_test_week(
    X.index[week] + pd.Timedelta(hours=HORIZON),
    y.iloc[week],
    {name: forecast[week] for name, forecast in predictions.items()},
    f"{HORIZON} h ahead: first week of the test period",
)
save(fig, "multivariate_forecast")

# %%
# Learning curves
# ---------------
# The two LSTMs' losses per epoch, from ``history_``, on their training
# windows and on the chronological tail held out for early stopping.
fig = plot_learning_curves(
    {"LSTM": models["LSTM"][-1], "LSTM + hour": hour_models["LSTM"][-1]}
)
save(fig, "multivariate_learning_curves")
