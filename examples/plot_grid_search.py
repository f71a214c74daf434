"""
Tuning window length and network size with GridSearchCV
=======================================================

How many past hours should the network see, and how wide should its state be?
Because :class:`~sklearn_rnn.WindowTransformer` is an ordinary pipeline step,
``window_length`` is an ordinary parameter: scikit-learn's
:class:`~sklearn.model_selection.GridSearchCV` tunes it together with the
LSTM's ``hidden_size``, with :class:`~sklearn.model_selection.TimeSeriesSplit`
folds that respect time order.

The task is the second lab's: the temperature at Newark six hours ahead from
the last hours of temperature, pressure, humidity, dew point and wind speed,
plus the hour of day (its sine and cosine), which the networks need to be
competitive here (see ``plot_multivariate.py``).
The search sees the first 90 % of the hours; the last 10 % stay untouched until
the best model, refitted, is scored on them against persistence and Ridge.

Run ``python examples/plot_grid_search.py`` (two to three minutes on two cores)
or add ``--quick`` for a smoke test in seconds.
"""

# %%
# Data and the held-out tail
# --------------------------
# :func:`~sklearn_rnn.make_supervised` aligns the target six hours ahead. The
# chronological split keeps the last 10 % of the hours as the test tail; the
# search works on the 90 % before it (the training and validation parts of the
# other examples together).
import time

import numpy as np
from _common import (
    MULTIVARIATE_COLUMNS,
    UNITS,
    chronological_split,
    format_table,
    load_supervised,
    mae,
    network_params,
    parse_args,
    persistence,
    plot_heatmap,
    plot_test_week,
    recurrent_pipeline,
    ridge_pipeline,
    target_scale,
)
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_val_score

from sklearn_rnn import LSTMForecaster

args = parse_args(__doc__.strip().splitlines()[0])
HORIZON = 6
X, y = load_supervised(
    MULTIVARIATE_COLUMNS, HORIZON, quick=args.quick, hour_of_day=True
)
split = chronological_split(len(X))
search_rows = slice(0, split.test.start)
X_search, y_search = X.iloc[search_rows], y.iloc[search_rows]
# Standardized units, as in the other examples: the MAE divided by the
# standard deviation of the target over the first 70 % of the hours.
scale = float(target_scale(y, split))
print(f"search on {len(X_search)} hours, test on the last {len(X) - len(X_search)}")

# %%
# Folds in time order, with a gap
# -------------------------------
# ``TimeSeriesSplit`` trains each fold on the hours up to some point and
# validates it on the month that follows; the three folds validate the last
# three months of the searched hours (``n_splits=3, test_size=720``)::
#
#     searched hours: Jan ........................................... Nov
#     fold 0:         [train                            ]g[valid]
#     fold 1:         [train                                    ]g[valid]
#     fold 2:         [train                                            ]g[valid]
#
# Months rather than the default equal thirds, because a first fold trained on
# January to March alone would be validated on spring temperatures it has
# never seen, and that one fold would decide the search.
#
# ``gap=HORIZON`` drops the six hours ``g`` between training and validation: the
# targets of the last training rows are temperatures of the first validation
# hours, and without the gap the model would have been trained on what it is
# asked to forecast. The scaler, the windows and the network are all refitted
# inside each fold on that fold's training rows, so no fold sees statistics of
# its validation hours. (Validation windows look back into the training rows
# only through their inputs, never through targets; the first windows of each
# validation month are left-padded and run over the hours they have.)
cv = TimeSeriesSplit(n_splits=3, test_size=150 if args.quick else 720, gap=HORIZON)

# %%
# The grid
# --------
# Two window lengths (half a day, a day) and two state sizes. Each of the
# 2 × 2 × 3 fits stops early on the last 10 % of its own training rows. The
# number of epochs and the patience are cut to keep the whole search within
# about three minutes on two cores; ``n_jobs=2`` fits two folds at a time
# (joblib then gives each worker one thread, which sklearn-rnn passes on to
# PyTorch; ``--quick`` stays in one process, where starting workers would
# take longer than its tiny fits).
WINDOWS = [12, 24]
HIDDEN_SIZES = [16, 32]
epochs = dict(max_epochs=15, patience=5)
if args.quick:
    WINDOWS, HIDDEN_SIZES = [6, 12], [4, 8]
lstm = LSTMForecaster(**network_params(args, **epochs))
search = GridSearchCV(
    recurrent_pipeline(lstm, WINDOWS[-1]),
    param_grid={
        "windowtransformer__window_length": WINDOWS,
        "lstmforecaster__hidden_size": HIDDEN_SIZES,
    },
    cv=cv,
    scoring="neg_mean_absolute_error",
    n_jobs=1 if args.quick else 2,
)
start = time.perf_counter()
search.fit(X_search, y_search)
n_settings = len(search.cv_results_["params"])
print(
    f"grid search: {n_settings} settings x {cv.n_splits} folds + refit in "
    f"{time.perf_counter() - start:.0f} s"
)

# %%
# The search table
# ----------------
# Mean and spread of the validation MAE over the three folds, in °F and in
# standardized units, and the mean fit time of one fold. For scale, Ridge and
# persistence are scored on the very same folds.
results = search.cv_results_
rows = []
for k, params in enumerate(results["params"]):
    cv_mae = -results["mean_test_score"][k]
    rows.append(
        [
            f"LSTM w={params['windowtransformer__window_length']} "
            f"h={params['lstmforecaster__hidden_size']}",
            cv_mae,
            results["std_test_score"][k],
            cv_mae / scale,
            f"{results['mean_fit_time'][k]:.1f}",
            str(results["rank_test_score"][k]),
        ]
    )
ridge_scores = -cross_val_score(
    ridge_pipeline(24), X_search, y_search, cv=cv, scoring="neg_mean_absolute_error"
)
persistence_scores = [
    float(mae(y_search.iloc[valid], persistence(X_search.iloc[valid])))
    for _, valid in cv.split(X_search)
]
for name, scores in [
    ("Ridge w=24", ridge_scores),
    ("persistence", persistence_scores),
]:
    rows.append(
        [name, np.mean(scores), np.std(scores), np.mean(scores) / scale, "", ""]
    )
print()
print(f"Cross-validated MAE, {HORIZON} h ahead ({cv.n_splits} time-ordered folds)")
print(
    format_table(
        ["model", f"CV MAE {UNITS}", "std", "CV MAE std units", "fit s", "rank"],
        rows,
    )
)
print(f"\nbest parameters: {search.best_params_}")

# %%
# Heatmap of the search
# ---------------------
# The same mean validation MAE, one cell per setting.
cv_mae = np.empty((len(WINDOWS), len(HIDDEN_SIZES)))
for params, score in zip(results["params"], results["mean_test_score"], strict=True):
    row = WINDOWS.index(params["windowtransformer__window_length"])
    column = HIDDEN_SIZES.index(params["lstmforecaster__hidden_size"])
    cv_mae[row, column] = -score
plot_heatmap(
    cv_mae,
    rows=("window_length", WINDOWS),
    columns=("hidden_size", HIDDEN_SIZES),
    title=f"LSTM, {HORIZON} h ahead: mean CV MAE ({UNITS})",
    path=args.output_dir / "grid_search_heatmap.png",
)

# %%
# The best model on the held-out tail
# -----------------------------------
# ``GridSearchCV`` refitted the best setting on all the searched hours
# (``refit=True``). It now forecasts the test tail, which no fit and no
# choice has seen, next to persistence and a Ridge fitted on the same hours.
# Forecasts are made over the whole series so that the first test windows
# reach back into the searched hours, as they would in production.
ridge = ridge_pipeline(24).fit(X_search, y_search)
test_predictions = {
    "persistence": persistence(X),
    "Ridge w=24": ridge.predict(X),
    "best LSTM": search.best_estimator_.predict(X),
}
y_test = y.iloc[split.test]
rows = []
for name, y_pred in test_predictions.items():
    test_mae = float(mae(y_test, y_pred[split.test]))
    rows.append([name, test_mae, test_mae / scale])
print()
print(f"Test MAE on the held-out last 10 % ({len(y_test)} hours), {HORIZON} h ahead")
print(format_table(["model", f"test MAE {UNITS}", "test MAE std units"], rows))
print(f"refit of the best model: {search.refit_time_:.1f} s")
plot_test_week(
    X,
    y,
    test_predictions,
    split,
    HORIZON,
    args.output_dir / "grid_search_forecast.png",
)
