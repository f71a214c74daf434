"""
The next 24 hours at once
=========================

Forecast the temperature at Newark for each of the next 24 hours in one go,
from the last 24 hours of temperature, pressure, humidity, dew point and wind
speed, and the hour of day. The target has 24 columns, one per lead time;
Ridge and the LSTM predict all of them at once (direct multi-step
forecasting), while persistence repeats the last temperature for every lead
time. The error grows with the lead time; the first figure shows how much of
its advantage over persistence each model keeps as it looks further ahead.

The script takes about a minute on two cores.
"""

# %%
# A 24-column target
# ------------------
# ``make_supervised(..., horizon=range(1, 25))`` gives ``y`` one column per
# lead time, ``temp_t+1`` to ``temp_t+24``. Row ``t`` of every column belongs
# to the same window of inputs, so the rows still line up one to one with
# ``X`` and the pipelines stay ordinary scikit-learn pipelines.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import (
    CalendarFeatures,
    LSTMForecaster,
    WindowTransformer,
    make_supervised,
)
from sklearn_rnn.datasets import load_weather

LEADS = range(1, 25)

df = load_weather(columns=["temp", "pressure", "humid", "dewp", "wind_speed"])
# sphinx_gallery_start_ignore
# SKLEARN_RNN_QUICK=1: a short series and tiny networks, so that the tests and
# the documentation's CI build run this script in seconds. Its numbers mean
# nothing.
import os  # noqa: E402

QUICK = os.environ.get("SKLEARN_RNN_QUICK") == "1"
if QUICK:
    df = df.iloc[:1500]
# sphinx_gallery_end_ignore
X, y = make_supervised(df, target="temp", horizon=LEADS)
print(f"target columns: {list(y.columns[:2])} ... {list(y.columns[-1:])}")
n_train = int(0.9 * len(X))

# %%
# One pipeline, 24 outputs
# ------------------------
# :class:`~sklearn_rnn.CalendarFeatures` adds the hour of day from the index,
# first in each pipeline. The LSTM's linear head simply has 24 outputs; the
# forecaster standardizes each target column with its training statistics.
# Ridge fits the 24 columns as 24 independent regressions on the same lag
# columns. By default the LSTM mixes a ridge regression on its last 24 steps
# into each output after training, with a share that its validation tail
# chooses (``ridge_blend``); the third model leaves it out, to show what the
# mixture buys.
network = dict(random_state=0)
# sphinx_gallery_start_ignore
if QUICK:
    network.update(hidden_size=8, max_epochs=2)
# sphinx_gallery_end_ignore
models = {
    "Ridge": make_pipeline(
        CalendarFeatures(features=["hour_of_day"]),
        StandardScaler(),
        WindowTransformer(window_length=24, flatten=True, fill_value=0.0),
        Ridge(),
    ),
    "LSTM": make_pipeline(
        CalendarFeatures(features=["hour_of_day"]),
        StandardScaler(),
        WindowTransformer(window_length=24),
        LSTMForecaster(**network),
    ),
    "LSTM, ridge_blend=False": make_pipeline(
        CalendarFeatures(features=["hour_of_day"]),
        StandardScaler(),
        WindowTransformer(window_length=24),
        LSTMForecaster(**network, ridge_blend=False),
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
errors = pd.DataFrame(
    {
        name: mean_absolute_error(y_test, forecast[n_train:], multioutput="raw_values")
        for name, forecast in predictions.items()
    },
    index=pd.Index(list(LEADS), name="lead (h)"),
)
shown = [1, 3, 6, 12, 24]
print(f"Test MAE (°F) by lead time, on the last {len(y_test)} hours")
print(errors.loc[shown].T.to_string(float_format="{:.3f}".format))

fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
for name in errors:
    ax.plot(errors.index, errors[name], marker=".", label=name)
ax.set(
    xlabel="lead time (hours)",
    ylabel="test MAE (°F)",
    title="Error against lead time",
    xticks=[1, *range(6, 25, 6)],
)
ax.grid(alpha=0.3)
ax.legend(fontsize="small")

# %%
# The ridge's share by lead time
# ------------------------------
# ``blend_weights_`` holds the share of the ridge in each output's forecast,
# between 0 and 0.5, as the validation tail chose it. On this year of weather
# the tail takes one half at almost every lead time: the forecast is the mean
# of the network and a linear model of the same 24 hours, whose errors differ
# enough for the mean to beat the network alone (compare the two LSTM rows
# above).
lstm = models["LSTM"][-1]
shares = pd.Series(lstm.blend_weights_, index=errors.index, name="ridge share")
print(shares.loc[shown].to_string(float_format="{:.2f}".format))

fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
ax.bar(shares.index, shares.to_numpy(), color="tab:gray")
ax.set(
    xlabel="lead time (hours)",
    ylabel="share of the ridge",
    ylim=(0, 0.55),
    title="What the validation tail took from the ridge",
    xticks=[1, *range(6, 25, 6)],
)

# %%
# A week of 24-hours-ahead forecasts
# ----------------------------------
# The last column of each forecast, drawn at the hour it forecasts.
week = slice(n_train, n_train + 7 * 24)
fig, ax = plt.subplots(figsize=(10, 3.8), layout="constrained")
when = X.index[week] + pd.Timedelta(hours=LEADS[-1])
ax.plot(when, y.iloc[week, -1], "k", lw=2.5, label="observed")
for name, forecast in predictions.items():
    ax.plot(when, forecast[week, -1], lw=1.2, label=name)
ax.set(
    title="24 h ahead: first week of the test period",
    xlabel="time (UTC)",
    ylabel="temperature (°F)",
)
ax.legend(fontsize="small")
fig.autofmt_xdate()

# %%
# Learning curves
# ---------------
# The LSTM's loss per epoch on its training windows and on the chronological
# tail held out for early stopping; the dotted line marks the epoch whose
# weights were kept.
epochs = [row["epoch"] for row in lstm.history_]
fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
ax.plot(epochs, [row["train_loss"] for row in lstm.history_], label="training")
ax.plot(
    epochs, [row["valid_loss"] for row in lstm.history_], "--", label="validation tail"
)
ax.axvline(lstm.best_epoch_, color="k", ls=":", label="weights kept")
ax.xaxis.get_major_locator().set_params(integer=True)
ax.set(
    yscale="log",
    xlabel="epoch",
    ylabel="loss (standardized target)",
    title="LSTM learning curves",
)
ax.legend(fontsize="small")
plt.show()
