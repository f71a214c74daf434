"""
The next 24 hours at once
=========================

Forecast the temperature at Newark for each of the next 24 hours in one go,
from the last 24 hours of temperature, pressure, humidity, dew point and wind
speed, and the hour of day. The target has 24 columns, one per lead time;
Ridge and the LSTM predict all of them at once (direct multi-step
forecasting), while persistence repeats the last temperature for every lead
time. The error grows with the lead time; the last figure shows how much of
its advantage over persistence each model keeps as it looks further ahead.

``python examples/plot_multistep.py`` takes a few minutes on two cores; with
``SKLEARN_RNN_QUICK=1`` in the environment it runs in seconds (a smoke test,
not a result).
"""

# %%
# A 24-column target
# ------------------
# ``make_supervised(..., horizon=range(1, 25))`` gives ``y`` one column per
# lead time, ``temp_t+1`` to ``temp_t+24``. Row ``t`` of every column belongs
# to the same window of inputs, so the rows still line up one to one with
# ``X`` and the pipelines stay ordinary scikit-learn pipelines.
import os

import numpy as np
import pandas as pd
from _common import (
    UNITS,
    format_table,
    plot_error_by_lead,
    plot_learning_curves,
    plot_test_week,
    save,
)
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
from sklearn_rnn.datasets import load_weather

QUICK = os.environ.get("SKLEARN_RNN_QUICK") == "1"
LEADS = range(1, 25)

df = load_weather(columns=["temp", "pressure", "humid", "dewp", "wind_speed"])
if QUICK:
    df = df.iloc[:1500]
angle = 2 * np.pi * df.index.hour / 24
df = df.assign(hour_sin=np.sin(angle), hour_cos=np.cos(angle))
X, y = make_supervised(df, target="temp", horizon=LEADS)
print(f"target columns: {list(y.columns[:2])} ... {list(y.columns[-1:])}")
n_train = int(0.9 * len(X))

# %%
# One pipeline, 24 outputs
# ------------------------
# The LSTM's linear head simply has 24 outputs; the forecaster standardizes
# each target column with its training statistics. Ridge fits the 24 columns
# as 24 independent regressions on the same lag columns.
network = dict(random_state=0)
if QUICK:
    network.update(hidden_size=8, max_epochs=2)
models = {
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
last_temp = X["temp"].to_numpy()[:, None]
predictions = {"persistence": np.repeat(last_temp, len(LEADS), axis=1)}
for name, model in models.items():
    model.fit(X.iloc[:n_train], y.iloc[:n_train])
    predictions[name] = model.predict(X)

# %%
# Error by lead time
# ------------------
# ``multioutput="raw_values"`` gives one test MAE per target column.
y_test = y.iloc[n_train:]
errors = {
    name: mean_absolute_error(y_test, forecast[n_train:], multioutput="raw_values")
    for name, forecast in predictions.items()
}
shown = [1, 3, 6, 12, 24]
rows = [[name, *(float(e[lead - 1]) for lead in shown)] for name, e in errors.items()]
print(f"Test MAE ({UNITS}) by lead time, on the last {len(y_test)} hours")
print(format_table(["model", *(f"{lead} h" for lead in shown)], rows))
fig = plot_error_by_lead(list(LEADS), errors)
save(fig, "multistep_error_by_lead")

# %%
# A week of 24-hours-ahead forecasts
# ----------------------------------
# The last column of each forecast, drawn at the hour it forecasts.
week = slice(n_train, n_train + 7 * 24)
fig = plot_test_week(
    X.index[week] + pd.Timedelta(hours=LEADS[-1]),
    y.iloc[week, -1],
    {name: forecast[week, -1] for name, forecast in predictions.items()},
    "24 h ahead: first week of the test period",
)
save(fig, "multistep_forecast")

# %%
# Learning curves
# ---------------
fig = plot_learning_curves({"LSTM": models["LSTM"][-1]})
save(fig, "multistep_learning_curves")
