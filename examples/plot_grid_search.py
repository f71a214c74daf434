"""
Tuning window length and network size with GridSearchCV
=======================================================

How many past hours should the network see, and how wide should its state be?
Because :class:`~sklearn_rnn.WindowTransformer` is an ordinary pipeline step,
``window_length`` is an ordinary parameter: scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV` tunes it together with the
LSTM's ``hidden_size``, on :class:`~sklearn.model_selection.TimeSeriesSplit`
folds that respect time order.

The task: the temperature at Newark six hours ahead from the last hours of
temperature, pressure, humidity, dew point, wind speed and the hour of day.
The search sees the first 90 % of the hours; the last 10 % stay untouched
until the best model, refitted, is scored on them against persistence and
Ridge. The script takes a few minutes on two cores and prints a line as each
fit of the search ends.
"""

# %%
# Data and the held-out tail
# --------------------------
# :func:`~sklearn_rnn.make_supervised` aligns the target six hours ahead. The
# last 10 % of the hours are kept out of the search.
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
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
n_search = int(0.9 * len(X))
X_search, y_search = X.iloc[:n_search], y.iloc[:n_search]
print(f"search on {n_search} hours, test on the last {len(X) - n_search}")

# %%
# Folds in time order, with a gap
# -------------------------------
# Each fold trains on the hours up to some point and validates on the month
# that follows; the three folds validate the last three months of the searched
# hours (``n_splits=3, test_size=720``)::
#
#     searched hours: Jan ........................................... Nov
#     fold 0:         [train                            ]g[valid]
#     fold 1:         [train                                    ]g[valid]
#     fold 2:         [train                                            ]g[valid]
#
# ``gap=HORIZON`` drops the six hours ``g`` between training and validation:
# the targets of the last training rows are temperatures of the first
# validation hours. The calendar columns, the scaler, the windows and the
# network are refitted in each fold on that fold's training rows only.
#
# Because of the gap, each validation month does not continue the rows its
# model was fitted on: the windows of its first hours are padded, and the
# networks run over the shorter history they have (at most 23 of the 720
# hours of a fold).
# ``keep_history=False`` on the window steps says that this is intended, so
# that the windows never reach for fitted rows that do not precede them.
test_size = 720
# sphinx_gallery_start_ignore
if QUICK:
    test_size = 150
# sphinx_gallery_end_ignore
cv = TimeSeriesSplit(n_splits=3, test_size=test_size, gap=HORIZON)

# %%
# The grid
# --------
# Two window lengths and two state sizes; each of the 2 × 2 × 3 fits stops
# early on the last tenth of its own training rows. ``n_jobs=2`` fits two at
# a time, each worker on one torch thread. ``verbose=3`` prints a line with
# the fold's score as each fit ends (run in a terminal, the two workers print
# them there).
windows, hidden_sizes, max_epochs, n_jobs = [12, 24], [16, 32], 15, 2
# sphinx_gallery_start_ignore
if QUICK:
    windows, hidden_sizes, max_epochs, n_jobs = [6, 12], [4, 8], 2, 1
# sphinx_gallery_end_ignore
pipeline = make_pipeline(
    CalendarFeatures(features=["hour_of_day"]),
    StandardScaler(),
    WindowTransformer(window_length=windows[-1], keep_history=False),
    LSTMForecaster(max_epochs=max_epochs, patience=5, random_state=0),
)
search = GridSearchCV(
    pipeline,
    param_grid={
        "windowtransformer__window_length": windows,
        "lstmforecaster__hidden_size": hidden_sizes,
    },
    cv=cv,
    scoring="neg_mean_absolute_error",
    n_jobs=n_jobs,
    verbose=3,
)
start = time.perf_counter()
search.fit(X_search, y_search)
print(f"grid search and refit: {time.perf_counter() - start:.0f} s")
print(f"best parameters: {search.best_params_}")

# %%
# The search table
# ----------------
# Mean and spread of the validation MAE over the three folds. For scale,
# Ridge on the flattened windows and persistence are scored on the same folds.
results = pd.DataFrame(search.cv_results_)
table = pd.DataFrame(
    {
        "CV MAE (°F)": -results["mean_test_score"].to_numpy(),
        "std": results["std_test_score"].to_numpy(),
        "rank": results["rank_test_score"].astype(str).to_numpy(),
    },
    index=[
        f"LSTM w={params['windowtransformer__window_length']} "
        f"h={params['lstmforecaster__hidden_size']}"
        for params in results["params"]
    ],
)
ridge = make_pipeline(
    CalendarFeatures(features=["hour_of_day"]),
    StandardScaler(),
    WindowTransformer(
        window_length=24, flatten=True, fill_value=0.0, keep_history=False
    ),
    Ridge(),
)
ridge_scores = -cross_val_score(
    ridge, X_search, y_search, cv=cv, scoring="neg_mean_absolute_error"
)
persistence_scores = [
    mean_absolute_error(y_search.iloc[test], X_search["temp"].iloc[test])
    for _, test in cv.split(X_search)
]
for name, scores in [("Ridge w=24", ridge_scores), ("persistence", persistence_scores)]:
    table.loc[name] = [np.mean(scores), np.std(scores), ""]
print(f"Cross-validated MAE, {HORIZON} h ahead ({cv.n_splits} time-ordered folds)")
print(table.to_string(float_format="{:.3f}".format))

# %%
# Heatmap of the search
# ---------------------
# The same mean validation MAE, one cell per setting.
cv_mae = results.pivot_table(
    index="param_windowtransformer__window_length",
    columns="param_lstmforecaster__hidden_size",
    values="mean_test_score",
).loc[windows, hidden_sizes]
cv_mae = -cv_mae.to_numpy()
fig, ax = plt.subplots(
    figsize=(1.6 * len(hidden_sizes) + 2.5, len(windows) + 1.5), layout="constrained"
)
image = ax.imshow(cv_mae, cmap="viridis_r", aspect="auto")
fig.colorbar(image, ax=ax)
middle = (cv_mae.max() + cv_mae.min()) / 2
for (i, j), value in np.ndenumerate(cv_mae):
    color = "white" if value > middle else "black"
    ax.text(j, i, f"{value:.3f}", ha="center", va="center", color=color)
ax.set(
    xticks=range(len(hidden_sizes)),
    xticklabels=hidden_sizes,
    yticks=range(len(windows)),
    yticklabels=windows,
    xlabel="hidden_size",
    ylabel="window_length",
    title=f"LSTM, {HORIZON} h ahead: mean CV MAE (°F)",
)

# %%
# The best model on the held-out tail
# -----------------------------------
# ``GridSearchCV`` refitted the best setting on all the searched hours. It now
# forecasts the test tail, which no fit and no choice has seen, next to
# persistence and a Ridge fitted on the same hours. Forecasting the whole
# series lets the first test windows reach back into the searched hours.
ridge.fit(X_search, y_search)
predictions = {
    "persistence": X["temp"].to_numpy(),
    "Ridge w=24": ridge.predict(X),
    "best LSTM": search.predict(X),
}
y_test = y.iloc[n_search:]
errors = pd.Series(
    {
        name: mean_absolute_error(y_test, forecast[n_search:])
        for name, forecast in predictions.items()
    },
    name="test MAE (°F)",
)
print(f"Test MAE on the held-out last {len(y_test)} hours, {HORIZON} h ahead")
print(errors.to_frame().to_string(float_format="{:.3f}".format))

week = slice(n_search, n_search + 7 * 24)
fig, ax = plt.subplots(figsize=(10, 3.8), layout="constrained")
when = X.index[week] + pd.Timedelta(hours=HORIZON)
ax.plot(when, y.iloc[week], "k", lw=2.5, label="observed")
for name, forecast in predictions.items():
    ax.plot(when, forecast[week], lw=1.2, label=name)
ax.set(
    title=f"{HORIZON} h ahead: first week of the held-out tail",
    xlabel="time (UTC)",
    ylabel="temperature (°F)",
)
ax.legend(fontsize="small")
fig.autofmt_xdate()
plt.show()
