"""
Next-hour temperature from past temperature
===========================================

Forecast the temperature at Newark airport one hour ahead from the
temperatures of the last 24 hours, and compare four models on the last tenth
of 2013, which none of them sees while fitting:

* persistence (the next hour is as warm as this one),
* :class:`~sklearn.linear_model.Ridge` on the 24 past values,
* :class:`~sklearn_rnn.SimpleRNNForecaster` and
* :class:`~sklearn_rnn.LSTMForecaster`.

The script takes a few minutes on two cores.
"""

# %%
# Data: one column, one target
# ----------------------------
# :func:`~sklearn_rnn.datasets.load_weather` returns the bundled hourly record
# of Newark (EWR) on a regular hourly grid. :func:`~sklearn_rnn.make_supervised`
# pairs each hour with the temperature one hour later, once and up front, so no
# pipeline step ever shifts ``y`` or drops rows. The temperature itself is the
# only input.
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import (
    LSTMForecaster,
    SimpleRNNForecaster,
    WindowTransformer,
    make_supervised,
)
from sklearn_rnn.datasets import load_weather

df = load_weather(columns=["temp"])
# sphinx_gallery_start_ignore
# SKLEARN_RNN_QUICK=1: a short series and tiny networks, so that the tests and
# the documentation's CI build run this script in seconds. Its numbers mean
# nothing.
import os  # noqa: E402

QUICK = os.environ.get("SKLEARN_RNN_QUICK") == "1"
if QUICK:
    df = df.iloc[:1500]
# sphinx_gallery_end_ignore
X, y = make_supervised(df, target="temp", horizon=1)
print(f"{len(X)} hours, inputs {list(X.columns)}, target {y.name!r}")

# %%
# A chronological split
# ---------------------
# The first 90 % of the hours train the models (each network holds out the
# last tenth of those to stop early), the last 10 % test them. The parts follow
# each other in time: the test hours come after everything the models learned
# from. Never shuffle a time series before splitting it.
n_train = int(0.9 * len(X))
X_train, y_train = X.iloc[:n_train], y.iloc[:n_train]
y_test = y.iloc[n_train:]

# %%
# Four models on the same windows
# -------------------------------
# Each learned model is a pipeline: a scaler fitted on the training rows only,
# a :class:`~sklearn_rnn.WindowTransformer` that gives every hour the window of
# the 24 hours ending at it, then the regressor. Ridge reads the window as 24
# lag columns (``flatten=True``), padded with 0.0, the training mean, because
# it rejects NaN; the networks read it as a sequence, oldest hour first, and
# run over the observed part of the padded first windows.
network = dict(random_state=0)
# sphinx_gallery_start_ignore
if QUICK:
    network.update(hidden_size=8, max_epochs=2)
# sphinx_gallery_end_ignore
models = {
    "Ridge": make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=24, flatten=True, fill_value=0.0),
        Ridge(),
    ),
    "SimpleRNN": make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=24),
        SimpleRNNForecaster(**network),
    ),
    "LSTM": make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=24),
        LSTMForecaster(**network),
    ),
}

# %%
# Fit, then forecast every hour
# -----------------------------
# Each model forecasts the whole series at once, so that the first test
# windows reach back into the training hours, as they would in production
# (windows only look backwards, and the scalers were fitted on training rows).
predictions = {"persistence": X["temp"].to_numpy()}
for name, model in models.items():
    model.fit(X_train, y_train)
    predictions[name] = model.predict(X)

errors = pd.Series(
    {
        name: mean_absolute_error(y_test, forecast[n_train:])
        for name, forecast in predictions.items()
    },
    name="test MAE (°F)",
)
print(f"Test MAE, 1 h ahead, on the last {len(y_test)} hours")
print(errors.to_frame().to_string(float_format="{:.3f}".format))

# %%
# A week of test forecasts
# ------------------------
# Each point is drawn at the hour it forecasts: input time plus one hour.
week = slice(n_train, n_train + 7 * 24)
fig, ax = plt.subplots(figsize=(10, 3.8), layout="constrained")
when = X.index[week] + pd.Timedelta(hours=1)
ax.plot(when, y.iloc[week], "k", lw=2.5, label="observed")
for name, forecast in predictions.items():
    ax.plot(when, forecast[week], lw=1.2, label=name)
ax.set(
    title="1 h ahead: first week of the test period",
    xlabel="time (UTC)",
    ylabel="temperature (°F)",
)
ax.legend(fontsize="small")
fig.autofmt_xdate()

# %%
# Learning curves
# ---------------
# ``history_`` records the loss of every epoch on the training windows and on
# the chronological tail that early stopping watches; the dotted lines mark
# the epochs whose weights were kept.
fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
for color, name in zip(["C0", "C1"], ["SimpleRNN", "LSTM"], strict=True):
    forecaster = models[name][-1]
    history = forecaster.history_
    epochs = [row["epoch"] for row in history]
    ax.plot(
        epochs,
        [row["train_loss"] for row in history],
        color=color,
        label=f"{name} training",
    )
    ax.plot(
        epochs,
        [row["valid_loss"] for row in history],
        "--",
        color=color,
        label=f"{name} validation tail",
    )
    ax.axvline(forecaster.best_epoch_, color=color, ls=":")
ax.xaxis.get_major_locator().set_params(integer=True)
ax.set(
    yscale="log",
    xlabel="epoch",
    ylabel="loss (standardized target)",
    title="Learning curves",
)
ax.legend(fontsize="small")
plt.show()
