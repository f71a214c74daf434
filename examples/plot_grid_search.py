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
Ridge.

``python examples/plot_grid_search.py`` takes one to three minutes on two
cores; with ``SKLEARN_RNN_QUICK=1`` in the environment it runs in seconds (a
smoke test, not a result).
"""

# %%
# Data and the held-out tail
# --------------------------
# :func:`~sklearn_rnn.make_supervised` aligns the target six hours ahead. The
# sine and cosine of the hour tell the network where in the daily cycle each
# row is. The last 10 % of the hours are kept out of the search.
import os
import time

import numpy as np
import pandas as pd
from _common import UNITS, format_table, plot_heatmap, plot_test_week, save
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_absolute_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
from sklearn_rnn.datasets import load_weather

QUICK = os.environ.get("SKLEARN_RNN_QUICK") == "1"
HORIZON = 6

df = load_weather(columns=["temp", "pressure", "humid", "dewp", "wind_speed"])
if QUICK:
    df = df.iloc[:1500]
angle = 2 * np.pi * df.index.hour / 24
df = df.assign(hour_sin=np.sin(angle), hour_cos=np.cos(angle))
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
# validation hours. The scaler, the windows and the network are refitted in
# each fold on that fold's training rows only.
cv = TimeSeriesSplit(n_splits=3, test_size=150 if QUICK else 720, gap=HORIZON)

# %%
# The grid
# --------
# Two window lengths and two state sizes; each of the 2 × 2 × 3 fits stops
# early on the last tenth of its own training rows. ``n_jobs=2`` fits two at
# a time, each worker on one torch thread.
windows, hidden_sizes = ([6, 12], [4, 8]) if QUICK else ([12, 24], [16, 32])
lstm = LSTMForecaster(max_epochs=2 if QUICK else 15, patience=5, random_state=0)
pipeline = make_pipeline(
    StandardScaler(), WindowTransformer(window_length=windows[-1]), lstm
)
search = GridSearchCV(
    pipeline,
    param_grid={
        "windowtransformer__window_length": windows,
        "lstmforecaster__hidden_size": hidden_sizes,
    },
    cv=cv,
    scoring="neg_mean_absolute_error",
    n_jobs=1 if QUICK else 2,
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
results = search.cv_results_
rows = [
    [
        f"LSTM w={params['windowtransformer__window_length']} "
        f"h={params['lstmforecaster__hidden_size']}",
        -results["mean_test_score"][k],
        results["std_test_score"][k],
        str(results["rank_test_score"][k]),
    ]
    for k, params in enumerate(results["params"])
]
ridge = make_pipeline(
    StandardScaler(),
    WindowTransformer(window_length=24, flatten=True, fill_value=0.0),
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
    rows.append([name, float(np.mean(scores)), float(np.std(scores)), ""])
print(f"Cross-validated MAE, {HORIZON} h ahead ({cv.n_splits} time-ordered folds)")
print(format_table(["model", f"CV MAE {UNITS}", "std", "rank"], rows))

# %%
# Heatmap of the search
# ---------------------
# The same mean validation MAE, one cell per setting.
cv_mae = np.empty((len(windows), len(hidden_sizes)))
for params, score in zip(results["params"], results["mean_test_score"], strict=True):
    row = windows.index(params["windowtransformer__window_length"])
    column = hidden_sizes.index(params["lstmforecaster__hidden_size"])
    cv_mae[row, column] = -score
fig = plot_heatmap(
    cv_mae,
    rows=("window_length", windows),
    columns=("hidden_size", hidden_sizes),
    title=f"LSTM, {HORIZON} h ahead: mean CV MAE ({UNITS})",
)
save(fig, "grid_search_heatmap")

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
rows = [
    [name, mean_absolute_error(y_test, forecast[n_search:])]
    for name, forecast in predictions.items()
]
print(f"Test MAE on the held-out last {len(y_test)} hours, {HORIZON} h ahead")
print(format_table(["model", f"test MAE {UNITS}"], rows))

week = slice(n_search, n_search + 7 * 24)
fig = plot_test_week(
    X.index[week] + pd.Timedelta(hours=HORIZON),
    y.iloc[week],
    {name: forecast[week] for name, forecast in predictions.items()},
    f"{HORIZON} h ahead: first week of the held-out tail",
)
save(fig, "grid_search_forecast")
