"""
Telling the models the hour of day
===================================

Much of a six-hour temperature change is the daily cycle: the afternoon is
warmer than the night. A network can infer the time of day from the shape of
the last 24 hours, but it learns that poorly from one year of data. Telling it
the hour directly is cheaper: :class:`~sklearn_rnn.CalendarFeatures` reads the
time of each row from the DataFrame's index and appends the hour of day as two
columns, its sine and its cosine.

The task is the one of the previous example, the temperature at Newark six
hours ahead from the last 24 hours of five measurements; each model runs once
without and once with the calendar columns. The script takes a minute or two
on two cores.
"""

# %%
# The calendar columns
# --------------------
# The sine and cosine of the hour place each row on the daily cycle without a
# jump from 23:00 to 0:00: 23:00 and 0:00 are neighbours, as they are in the
# weather. :class:`~sklearn_rnn.CalendarFeatures` learns nothing from the
# data: each row's columns depend only on its own timestamp (here UTC).
import matplotlib.pyplot as plt
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
n_train = int(0.9 * len(X))

calendar = CalendarFeatures(features=["hour_of_day"]).set_output(transform="pandas")
two_days = calendar.fit_transform(X.iloc[: 2 * 24])
print(two_days.iloc[:4, -2:].round(3))

# %%
# Over two days the two columns trace the daily cycle, each hour at its own
# point of the circle.
fig, ax = plt.subplots(figsize=(7, 3.2), layout="constrained")
ax.plot(two_days.index, two_days["hour_of_day_sin"], label="hour_of_day_sin")
ax.plot(two_days.index, two_days["hour_of_day_cos"], label="hour_of_day_cos")
ax.set(title="The hour of day as two columns", xlabel="time (UTC)")
ax.legend(fontsize="small")
fig.autofmt_xdate()

# %%
# The same pipelines, with and without the hour
# ---------------------------------------------
# ``CalendarFeatures`` comes first in each pipeline: it needs the index of the
# DataFrame, which the steps after it no longer carry. Everything else stays
# as it was, target included, so the rows of the table compare directly. In a
# search or a cross-validation the step runs inside each fold like any other.
network = dict(random_state=0)
# sphinx_gallery_start_ignore
if QUICK:
    network.update(hidden_size=8, max_epochs=2)
# sphinx_gallery_end_ignore


def make_model(name, hour):
    """A Ridge or an LSTM pipeline on 24-hour windows, with or without the hour."""
    if name == "Ridge":
        steps = [
            StandardScaler(),
            WindowTransformer(window_length=24, flatten=True, fill_value=0.0),
            Ridge(),
        ]
    else:
        steps = [
            StandardScaler(),
            WindowTransformer(window_length=24),
            LSTMForecaster(**network),
        ]
    if hour:
        steps.insert(0, CalendarFeatures(features=["hour_of_day"]))
    return make_pipeline(*steps)


predictions = {"persistence": X["temp"].to_numpy()}
for hour in (False, True):
    for name in ("Ridge", "LSTM"):
        model = make_model(name, hour).fit(X.iloc[:n_train], y.iloc[:n_train])
        predictions[f"{name} + hour" if hour else name] = model.predict(X)

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
# Where in the day the errors are
# -------------------------------
# The test error of each model by the hour the forecast is made (UTC; Newark
# is 5 hours behind in winter). The gap between a model and its ``+ hour``
# twin shows where knowing the time of day helps.
hours = X.index[n_train:].hour
by_hour = (
    pd.DataFrame(
        {
            name: abs(forecast[n_train:] - y_test.to_numpy())
            for name, forecast in predictions.items()
        },
        index=hours,
    )
    .groupby(level=0)
    .mean()
)
fig, ax = plt.subplots(figsize=(7, 3.8), layout="constrained")
for name in by_hour:
    ax.plot(by_hour.index, by_hour[name], marker=".", label=name)
ax.set(
    xlabel="hour the forecast is made (UTC)",
    ylabel="test MAE (°F)",
    title=f"{HORIZON} h ahead: error by hour of day",
    xticks=range(0, 24, 3),
)
ax.grid(alpha=0.3)
ax.legend(fontsize="small")
plt.show()
