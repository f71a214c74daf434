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
of the time. This example draws a week of test forecasts with that band, then
measures on the test period how often the truth falls inside it at each lead
time (the empirical coverage) and the pinball loss, against gradient-boosted
trees fitted on the same 24-hour windows, flattened.

Run ``python examples/plot_quantile_forecast.py`` (a few minutes on two cores).
With ``SKLEARN_RNN_QUICK=1`` in the environment (or ``--quick``) it runs on a
short series with tiny models in seconds: a smoke test whose numbers mean
nothing.
"""

# %%
# Data: six inputs, four lead times
# ---------------------------------
# Hourly weather at Newark airport in 2013 (bundled with the package): the
# temperature, dew point, humidity, pressure and wind speed, and the hour of
# day as a sine and a cosine. ``make_supervised`` pairs each row with the
# temperature 1, 3, 6 and 12 hours later, once, before any pipeline step.
import argparse
import os
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures go to files: no display is needed

import matplotlib.pyplot as plt
import numpy as np

# sklearn_rnn imports PyTorch at the first fit; importing it here keeps that
# out of the printed fit time.
import torch  # noqa: F401
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_pinball_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
from sklearn_rnn.datasets import load_weather

parser = argparse.ArgumentParser(description="Quantile forecasts and a 10-90 % band")
parser.add_argument("--quick", action="store_true", help="a smoke test in seconds")
parser.add_argument(
    "--output-dir",
    type=Path,
    # __file__ is not defined when sphinx-gallery runs the script.
    default=Path(os.environ.get("SKLEARN_RNN_OUTPUT_DIR", "output")),
    help="folder for the PNG figures (created if missing)",
)
# parse_known_args: under sphinx-gallery, sys.argv holds the build's own options.
args, _ = parser.parse_known_args()
QUICK = args.quick or os.environ.get("SKLEARN_RNN_QUICK") == "1"
args.output_dir.mkdir(parents=True, exist_ok=True)

HORIZON = [1, 3, 6, 12]
LEVELS = [0.1, 0.5, 0.9]
WINDOW = 24

frame = load_weather("EWR")[["temp", "dewp", "humid", "pressure", "wind_speed"]]
if QUICK:
    frame = frame.iloc[:1500]
angle = 2 * np.pi * frame.index.hour / 24
frame = frame.assign(hour_sin=np.sin(angle), hour_cos=np.cos(angle))
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
# The pipeline scales the inputs (on the training rows only) and turns each
# row into the window of the 24 hours that end at it. The forecaster's head
# has one output per lead time and level; its forecasts are sorted per lead
# time, so the 10 % forecast never lies above the 90 % one.
network = dict(hidden_size=8, max_epochs=2) if QUICK else {}
model = make_pipeline(
    StandardScaler(),
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
trees = {"max_iter": 10} if QUICK else {}
start = time.perf_counter()
tree_bands = np.empty((len(X) - n_fit, len(HORIZON), 2))
for j, column in enumerate(y.columns):
    for k, level in enumerate([0.1, 0.9]):
        reference = make_pipeline(
            WindowTransformer(WINDOW, flatten=True),
            HistGradientBoostingRegressor(
                loss="quantile", quantile=level, random_state=0, **trees
            ),
        ).fit(X.iloc[:n_fit], y[column].iloc[:n_fit])
        tree_bands[:, j, k] = reference.predict(X)[test]
tree_seconds = time.perf_counter() - start

# %%
# A week of forecasts with their band
# -----------------------------------
# The 6-hours-ahead median forecast and its 10-90 % band over the first week
# of the test period, each point drawn at the hour it forecasts.
lead = HORIZON.index(6)
week = slice(0, min(7 * 24, len(y_test)))
when = X.index[test][week] + np.timedelta64(6, "h")
fig, ax = plt.subplots(figsize=(10, 4))
ax.fill_between(
    when,
    bands[week, lead, 0],
    bands[week, lead, 2],
    color="tab:blue",
    alpha=0.25,
    label="LSTM 10-90 % band",
)
ax.plot(when, bands[week, lead, 1], color="tab:blue", label="LSTM median")
ax.plot(when, y_test[week, lead], color="black", lw=1, label="observed")
ax.set(
    title="Temperature 6 h ahead: first week of the test period",
    ylabel="temperature (°F)",
)
ax.legend(loc="upper left")
fig.autofmt_xdate()
fig.tight_layout()
fig.savefig(args.output_dir / "quantile_test_week.png", dpi=100)
plt.close(fig)

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


results = {"LSTM": bands[..., [0, 2]], "HistGradientBoosting": tree_bands}
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

fig, ax = plt.subplots(figsize=(6, 4))
offsets = {"LSTM": -0.2, "HistGradientBoosting": 0.2}
for name, cells in table.items():
    ax.bar(
        np.arange(len(HORIZON)) + offsets[name],
        [c for c, _ in cells],
        width=0.4,
        label=name,
    )
ax.axhline(0.8, color="black", ls="--", lw=1, label="nominal 0.80")
ax.set(
    xticks=range(len(HORIZON)),
    xticklabels=[f"{h} h" for h in HORIZON],
    xlabel="lead time",
    ylabel="share of test hours inside",
    ylim=(0, 1.2),
    yticks=np.linspace(0, 1, 6),
    title="Coverage of the 10-90 % interval",
)
ax.legend(loc="upper center", ncol=3, fontsize="small")
fig.tight_layout()
fig.savefig(args.output_dir / "quantile_coverage_by_lead.png", dpi=100)
plt.close(fig)

# %%
# Reading the results
# -------------------
# A band that covers much less than 80 % is overconfident, one that covers
# much more is wider than it needs to be. Quantile forecasts are calibrated on
# the training hours; when the test season differs (here, late December),
# coverage can drift. Conformal methods recalibrate the band on held-out
# hours: see the guide page on intervals.
