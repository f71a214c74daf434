"""
Six hours ahead from five weather measurements
==============================================

Forecast the temperature at Newark airport six hours ahead from the last 24
hours of temperature, pressure, relative humidity, dew point and wind speed.
Pressure and wind carry news of the weather that is coming; dew point and
humidity tell how far the air can cool at night. Six hours ahead, where
persistence is far off, leaves room for the inputs to matter.

The script takes about a minute on two cores.
"""

# %%
# Data: five columns, one target six hours on
# -------------------------------------------
# All five measurements of each hour are inputs, the temperature included.
# :func:`~sklearn_rnn.make_supervised` aligns the target once, up front, and
# drops the last six hours, which have no target yet.
import matplotlib.pyplot as plt
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
from sklearn_rnn.datasets import load_weather

HORIZON = 6

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
    "LSTM": make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=24),
        LSTMForecaster(**network),
    ),
}
predictions = {"persistence": X["temp"].to_numpy()}
for name, model in models.items():
    model.fit(X.iloc[:n_train], y.iloc[:n_train])
    predictions[name] = model.predict(X)

y_test = y.iloc[n_train:]
errors = pd.Series(
    {
        name: mean_absolute_error(y_test, forecast[n_train:])
        for name, forecast in predictions.items()
    },
    name="test MAE (°F)",
)
print(f"Test MAE, {HORIZON} h ahead, on the last {len(y_test)} hours")
print(errors.to_frame().to_string(float_format="{:.3f}".format))

# %%
# A week of test forecasts
# ------------------------
# Each forecast is drawn at the hour it forecasts, six hours after its input.
week = slice(n_train, n_train + 7 * 24)
fig, ax = plt.subplots(figsize=(10, 3.8), layout="constrained")
when = X.index[week] + pd.Timedelta(hours=HORIZON)
ax.plot(when, y.iloc[week], "k", lw=2.5, label="observed")
for name, forecast in predictions.items():
    ax.plot(when, forecast[week], lw=1.2, label=name)
ax.set(
    title=f"{HORIZON} h ahead: first week of the test period",
    xlabel="time (UTC)",
    ylabel="temperature (°F)",
)
ax.legend(fontsize="small")
fig.autofmt_xdate()

# %%
# Learning curves
# ---------------
# The LSTM's loss per epoch, from ``history_``, on its training windows and on
# the chronological tail held out for early stopping; the dotted line marks
# the epoch whose weights were kept.
lstm = models["LSTM"][-1]
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
