"""
How sure is the forecast? Quantiles and a 10-90 % band
=======================================================

A temperature forecast is more useful with its uncertainty. With
``loss="quantile"`` a recurrent forecaster minimizes the pinball loss, the loss
whose minimizer is a quantile, as scikit-learn's
``HistGradientBoostingRegressor(loss="quantile")`` does. A list of levels,
``quantile=[0.1, 0.5, 0.9]``, trains one network for all of them; here the
same network also forecasts four lead times at once (1, 3, 6 and 12 hours).

The 10 % and 90 % forecasts bound an interval that should hold the truth 80 %
of the time. This example measures on the test period how often the truth
falls inside it at each lead time (the empirical coverage) and the pinball
loss, against gradient-boosted trees fitted on the same 24-hour windows,
flattened. The band covers less than 80 % of the test hours: the season has
changed since training. :class:`~sklearn_rnn.ConformalForecaster` calibrates
the band on held-out hours and keeps adapting it from the truths that later
rows reveal; the last sections compare the plain and the adaptive band over a
week and on five rolling folds.

Running the whole script takes several minutes on two cores.
"""

# %%
# Data: six inputs, four lead times
# ---------------------------------
# Hourly weather at Newark airport in 2013 (bundled with the package): the
# temperature, dew point, humidity, pressure and wind speed, and the hour of
# day as a sine and a cosine. ``make_supervised`` pairs each row with the
# temperature 1, 3, 6 and 12 hours later, once, before any pipeline step.
import time

import matplotlib.pyplot as plt
import numpy as np

# sklearn_rnn imports PyTorch at the first fit; importing it here keeps that
# out of the printed fit time.
import torch  # noqa: F401
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_pinball_loss
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from sklearn_rnn import (
    CalendarFeatures,
    ConformalForecaster,
    LSTMForecaster,
    WindowTransformer,
    make_supervised,
)
from sklearn_rnn.datasets import load_weather

# sphinx_gallery_start_ignore
QUICK = False
# Quick mode (SKLEARN_RNN_QUICK=1): a short series and tiny models, for the
# tests and the documentation build; the figures are also saved as PNG files.
import os  # noqa: E402
from pathlib import Path  # noqa: E402

QUICK = os.environ.get("SKLEARN_RNN_QUICK") == "1"
OUTPUT = Path(os.environ.get("SKLEARN_RNN_OUTPUT_DIR", "output"))
OUTPUT.mkdir(parents=True, exist_ok=True)


def save(fig, name):
    fig.savefig(OUTPUT / name, dpi=100)


# sphinx_gallery_end_ignore

HORIZON = [1, 3, 6, 12]
LEVELS = [0.1, 0.5, 0.9]
WINDOW = 24

frame = load_weather("EWR")[["temp", "dewp", "humid", "pressure", "wind_speed"]]
# sphinx_gallery_start_ignore
if QUICK:
    frame = frame.iloc[:1500]
# sphinx_gallery_end_ignore
X, y = make_supervised(frame, target="temp", horizon=HORIZON)
print(f"{len(X)} hourly rows; targets {list(y.columns)}")

# %%
# A chronological split
# ---------------------
# 70 % of the hours for training, the next 20 % for early stopping, the last
# 10 % for the test. The forecaster is given the first 90 % and holds out the
# latest 2/9 of it, which is exactly the 20 % block, as its validation tail.
n_fit = round(0.9 * len(X))
test = slice(n_fit, None)
y_test = y.to_numpy()[test]
print(f"fit on {n_fit} rows (the last {round(0.2 * len(X))} for early stopping)")
print(f"test on {len(X) - n_fit} rows: {X.index[n_fit]:%Y-%m-%d} onwards")

# %%
# One network, three quantiles, four lead times
# ---------------------------------------------
# The pipeline adds the hour of day from the index and turns each
# row into the window of the 24 hours that end at it. The forecaster's head
# has one output per lead time and level; its forecasts are sorted per lead
# time, so the 10 % forecast never lies above the 90 % one.
network = {}
# sphinx_gallery_start_ignore
if QUICK:
    network = dict(hidden_size=8, max_epochs=2)
# sphinx_gallery_end_ignore
model = make_pipeline(
    CalendarFeatures(["hour_of_day"]),
    WindowTransformer(WINDOW),
    LSTMForecaster(
        loss="quantile",
        quantile=LEVELS,
        validation_fraction=2 / 9,
        random_state=0,
        **network,
    ),
)
start = time.perf_counter()
model.fit(X.iloc[:n_fit], y.iloc[:n_fit])
lstm_seconds = time.perf_counter() - start

# A Pipeline forwards predict but not predict_quantiles: let the steps before
# the forecaster make the windows, then ask the forecaster. Forecasting every
# row at once lets the first test windows reach back into the validation hours.
bands = model[-1].predict_quantiles(model[:-1].transform(X))[test]
print(f"quantile forecasts: shape {bands.shape} (rows, lead times, levels)")

# %%
# The reference: gradient-boosted trees on the same windows
# ---------------------------------------------------------
# ``HistGradientBoostingRegressor`` forecasts one quantile of one target per
# model, so the 10 % and 90 % forecasts of four lead times take eight models.
# They read the same 24-hour windows, flattened into 24 x 7 columns.
trees = {}
# sphinx_gallery_start_ignore
if QUICK:
    trees = {"max_iter": 10}
# sphinx_gallery_end_ignore
start = time.perf_counter()
tree_bands = np.empty((len(X) - n_fit, len(HORIZON), 2))
for j, column in enumerate(y.columns):
    for k, level in enumerate([0.1, 0.9]):
        reference = make_pipeline(
            CalendarFeatures(["hour_of_day"]),
            WindowTransformer(WINDOW, flatten=True),
            HistGradientBoostingRegressor(
                loss="quantile", quantile=level, random_state=0, **trees
            ),
        ).fit(X.iloc[:n_fit], y[column].iloc[:n_fit])
        tree_bands[:, j, k] = reference.predict(X)[test]
tree_seconds = time.perf_counter() - start

# %%
# An adaptive band: ConformalForecaster
# -------------------------------------
# ``ConformalForecaster`` wraps a pipeline ending in a two-level quantile
# forecaster, given the ``target`` and ``horizon`` of ``make_supervised``. Its
# ``fit`` fits the pipeline on the earlier rows and calibrates the band on the
# latest fifth of them (conformalized quantile regression). Its
# ``predict_interval`` then walks the rows in time order: the truth of row
# ``t - h`` is the temperature column of row ``t``, so after each hour it
# knows whether the interval it gave ``h`` hours before held, and nudges the
# level (adaptive conformal inference, ``gamma=0.005``). Nothing after row
# ``t`` reaches row ``t``'s interval.


def adaptive_model():
    return ConformalForecaster(
        make_pipeline(
            CalendarFeatures(["hour_of_day"]),
            WindowTransformer(WINDOW),
            LSTMForecaster(
                loss="quantile", quantile=[0.1, 0.9], random_state=0, **network
            ),
        ),
        target="temp",
        horizon=HORIZON,
        confidence_level=0.8,
    )


def intervals(conformal, first, start, stop):
    """Adaptive and plain bounds of rows start:stop, walking from row `first`.

    `first` is the first row after the ones given to ``fit``: rows from there
    on continue them, so every window is full.
    """
    _, y_pis = conformal.predict_interval(X.iloc[first:stop])
    pipe = conformal.estimator_
    own = pipe[-1].predict_quantiles(pipe[:-1].transform(X.iloc[:stop]))[first:]
    keep = slice(start - first, None)
    return y_pis[keep, :, :, 0], own[keep]


conformal = adaptive_model().fit(X.iloc[:n_fit], y.iloc[:n_fit])
adaptive, _ = intervals(conformal, n_fit, n_fit, len(X))
print(f"adaptive intervals: shape {adaptive.shape} (rows, lead times, bounds)")

# %%
# Coverage and pinball loss by lead time
# --------------------------------------
# Coverage is the share of test hours whose temperature lies inside the
# 10-90 % interval; 0.80 is the target. The pinball loss (°F, lower is better)
# is the mean of :func:`~sklearn.metrics.mean_pinball_loss` at the two levels.


def coverage(truth, low, high):
    return float(np.mean((truth >= low) & (truth <= high)))


def pinball(truth, low, high):
    return (
        mean_pinball_loss(truth, low, alpha=0.1)
        + mean_pinball_loss(truth, high, alpha=0.9)
    ) / 2


results = {
    "LSTM": bands[..., [0, 2]],
    "LSTM, adaptive": adaptive,
    "HistGradientBoosting": tree_bands,
}
table = {
    name: [
        (
            coverage(y_test[:, j], b[:, j, 0], b[:, j, 1]),
            pinball(y_test[:, j], b[:, j, 0], b[:, j, 1]),
        )
        for j in range(len(HORIZON))
    ]
    for name, b in results.items()
}
header = f"{'model':<22}" + "".join(f"{f'{h} h':>16}" for h in HORIZON)
print("\nTest coverage of the 10-90 % interval / mean pinball loss (°F)")
print(header)
for name, cells in table.items():
    print(f"{name:<22}" + "".join(f"{c:>9.3f} /{p:>5.3f}" for c, p in cells))
print(
    f"\nfit time: LSTM (12 outputs) {lstm_seconds:.1f} s, "
    f"HistGradientBoosting (8 models) {tree_seconds:.1f} s"
)

# %%
# A week of forecasts with both bands
# -----------------------------------
# The 6-hours-ahead 10-90 % band of the quantile network and the adaptive
# band over the first week of the test period, each drawn at the hour it
# forecasts.
lead = HORIZON.index(6)
week = slice(0, min(7 * 24, len(y_test)))
when = X.index[test][week] + np.timedelta64(6, "h")
fig, ax = plt.subplots(figsize=(10, 4))
ax.fill_between(
    when,
    bands[week, lead, 0],
    bands[week, lead, 2],
    color="tab:blue",
    alpha=0.3,
    label="LSTM 10-90 % band",
)
ax.plot(when, adaptive[week, lead, 0], color="tab:orange", lw=1.2)
ax.plot(
    when, adaptive[week, lead, 1], color="tab:orange", lw=1.2, label="adaptive band"
)
ax.plot(when, y_test[week, lead], color="black", lw=1, label="observed")
ax.set(
    title="Temperature 6 h ahead: first week of the test period",
    ylabel="temperature (°F)",
)
ax.legend(loc="upper left")
fig.autofmt_xdate()
fig.tight_layout()
# sphinx_gallery_start_ignore
save(fig, "quantile_test_week.png")
# sphinx_gallery_end_ignore

# %%
# Rolling folds
# -------------
# One test period says little. ``TimeSeriesSplit`` gives five test blocks
# through the year, each after all the hours before it (less a gap of 12
# hours, the longest lead time). For each, the adaptive forecaster is fitted
# on the earlier hours; the plain band is its own quantile pipeline's, fitted
# on the same hours.
folds = []
for train, fold_test in TimeSeriesSplit(n_splits=5, gap=max(HORIZON)).split(X):
    fold_model = adaptive_model().fit(X.iloc[train], y.iloc[train])
    start, stop = fold_test[0], fold_test[-1] + 1
    fold_adaptive, fold_plain = intervals(fold_model, train[-1] + 1, start, stop)
    truth = y.to_numpy()[start:stop, lead]
    folds.append(
        (
            f"{X.index[start]:%b %d}",
            coverage(truth, fold_plain[:, lead, 0], fold_plain[:, lead, 1]),
            coverage(truth, fold_adaptive[:, lead, 0], fold_adaptive[:, lead, 1]),
        )
    )
print("\nCoverage 6 h ahead per fold: plain band / adaptive band")
for name, plain_coverage, adaptive_coverage in folds:
    print(f"fold from {name}: {plain_coverage:.3f} / {adaptive_coverage:.3f}")

# %%
# Coverage by lead time and per fold
# ----------------------------------
fig, (by_lead, by_fold) = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
offsets = {"LSTM": -0.27, "LSTM, adaptive": 0.0, "HistGradientBoosting": 0.27}
for name, cells in table.items():
    by_lead.bar(
        np.arange(len(HORIZON)) + offsets[name],
        [c for c, _ in cells],
        width=0.27,
        label=name,
    )
by_lead.set(
    xticks=range(len(HORIZON)),
    xticklabels=[f"{h} h" for h in HORIZON],
    xlabel="lead time",
    ylabel="share of hours inside",
    ylim=(0, 1.2),
    yticks=np.linspace(0, 1, 6),
    title="Test period, by lead time",
)
by_lead.legend(loc="upper center", ncol=3, fontsize="small")
positions = np.arange(len(folds))
by_fold.bar(positions - 0.2, [f[1] for f in folds], width=0.4, label="LSTM band")
by_fold.bar(positions + 0.2, [f[2] for f in folds], width=0.4, label="adaptive band")
by_fold.set(
    xticks=positions,
    xticklabels=[f[0] for f in folds],
    xlabel="first day of the test fold",
    title="Rolling folds, 6 h ahead",
)
by_fold.legend(loc="upper center", ncol=2, fontsize="small")
for ax in (by_lead, by_fold):
    ax.axhline(0.8, color="black", ls="--", lw=1)
fig.suptitle("Coverage of the 80 % interval (dashed: nominal)")
fig.tight_layout()
# sphinx_gallery_start_ignore
save(fig, "quantile_coverage_by_lead.png")
# sphinx_gallery_end_ignore

# %%
# Reading the results
# -------------------
# A band that covers much less than 80 % is overconfident, one that covers
# much more is wider than it needs to be. The quantile network's band is
# learned on the training hours; when a test period differs, its coverage
# drifts, and calibrating it once on the latest training hours would not
# hold either, as the season keeps changing. The adaptive band corrects
# itself from each error as soon as the truth is known. See the guide page on
# intervals for ``gamma``, the other update method and the clipping that keeps
# the intervals bounded.
plt.show()
