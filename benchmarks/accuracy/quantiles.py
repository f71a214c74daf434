"""Quantile forecasts on the bundled EWR series: coverage, pinball loss, fit time.

    python -m benchmarks.accuracy.quantiles          # seeds 0-2, several minutes
    python -m benchmarks.accuracy.quantiles --quick  # short series, tiny nets
    python -m benchmarks.accuracy.quantiles --seeds 0 1 2 3 4

The protocol: temp, dewp, humid, pressure, wind_speed and the hour of day (sine
and cosine, from the DatetimeIndex) as inputs; the temperature 6 hours ahead as
the target (``make_supervised``); a chronological 70/20/10 split by rows; windows
of 24 hours. An ``LSTMForecaster`` with the library's defaults is fitted on the
first 90 % with ``validation_fraction=2/9``, so its early-stopping tail is the
20 % block; the last 10 % is the test period. For each seed it reports:

- the share of test hours inside the 10-90 % interval, (a) from two fits,
  ``quantile=0.1`` and ``quantile=0.9``, and (b) from one fit with
  ``quantile=[0.1, 0.5, 0.9]``;
- the mean pinball loss on the test hours, the average of the two levels'
  :func:`sklearn.metrics.mean_pinball_loss`;
- the fit times, against one fit with ``loss="squared_error"``.

The reference is ``HistGradientBoostingRegressor(loss="quantile")`` on the
same windows, flattened (``WindowTransformer(24, flatten=True)``), with its own
defaults. It is fitted on the first 90 % too: its default early stopping holds
out its own (shuffled) 10 % of whatever it is given, so the network and the
trees see the same training rows and neither uses the test period.
"""

import argparse
import math
import statistics
import time

import numpy as np

# sklearn_rnn imports PyTorch at the first fit; importing it here keeps those
# seconds out of the first fit time.
import torch  # noqa: F401
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_pinball_loss
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
from sklearn_rnn.datasets import load_weather

COLUMNS = ["temp", "dewp", "humid", "pressure", "wind_speed"]
HORIZON = 6
WINDOW = 24
LOW, HIGH = 0.1, 0.9
QUICK_ROWS = 1500


def load(quick=False):
    """Inputs (with the hour of day) and the temperature ``HORIZON`` hours on."""
    frame = load_weather("EWR")[COLUMNS]
    if quick:
        frame = frame.iloc[:QUICK_ROWS]
    angle = 2 * np.pi * frame.index.hour / 24
    frame = frame.assign(hour_sin=np.sin(angle), hour_cos=np.cos(angle))
    return make_supervised(frame, target="temp", horizon=HORIZON)


def network(quick, seed, **params):
    """A scaled, windowed LSTM forecaster: defaults, the 20 % block as its tail."""
    if quick:
        params.update(hidden_size=8, max_epochs=2)
    forecaster = LSTMForecaster(
        validation_fraction=2 / 9, random_state=seed, n_threads=1, **params
    )
    return make_pipeline(StandardScaler(), WindowTransformer(WINDOW), forecaster)


def trees(quantile, seed, quick):
    params = {"max_iter": 10} if quick else {}
    model = HistGradientBoostingRegressor(
        loss="quantile", quantile=quantile, random_state=seed, **params
    )
    return make_pipeline(WindowTransformer(WINDOW, flatten=True), model)


def timed_fit(model, X, y):
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start


def scores(y_test, low, high):
    """Coverage of [low, high] and the mean pinball loss of the two levels."""
    coverage = float(np.mean((y_test >= low) & (y_test <= high)))
    pinball = (
        mean_pinball_loss(y_test, low, alpha=LOW)
        + mean_pinball_loss(y_test, high, alpha=HIGH)
    ) / 2
    return coverage, float(pinball)


def run_seed(X, y, n_fit, seed, quick):
    """Every figure of one seed, as {name: value}."""
    X_fit, y_fit = X.iloc[:n_fit], y.iloc[:n_fit]
    test = slice(n_fit, None)
    y_test = y.to_numpy()[test]
    out = {}

    # Predictions are made over the whole series and the test rows kept, so
    # the first test windows have their 24 hours of history like the others.
    out["time squared_error"] = timed_fit(
        squared := network(quick, seed, loss="squared_error"), X_fit, y_fit
    )
    out["epochs squared_error"] = squared[-1].n_epochs_

    low_model = network(quick, seed, loss="quantile", quantile=LOW)
    high_model = network(quick, seed, loss="quantile", quantile=HIGH)
    out["time q0.1"] = timed_fit(low_model, X_fit, y_fit)
    out["time q0.9"] = timed_fit(high_model, X_fit, y_fit)
    low = low_model.predict(X)[test]
    high = high_model.predict(X)[test]
    out["coverage two fits"], out["pinball two fits"] = scores(y_test, low, high)
    out["crossed two fits"] = float(np.mean(low > high))
    out["epochs q0.1"] = low_model[-1].n_epochs_
    out["epochs q0.9"] = high_model[-1].n_epochs_
    # The same interval on the validation block (the 20 % early stopping
    # watched): tells a miscalibrated fit from a test period unlike the past.
    valid = slice(n_fit - math.ceil(2 / 9 * n_fit), n_fit)
    out["coverage two fits, valid block"], _ = scores(
        y.to_numpy()[valid], low_model.predict(X)[valid], high_model.predict(X)[valid]
    )

    joint = network(quick, seed, loss="quantile", quantile=[LOW, 0.5, HIGH])
    out["time [0.1,0.5,0.9]"] = timed_fit(joint, X_fit, y_fit)
    out["epochs [0.1,0.5,0.9]"] = joint[-1].n_epochs_
    # Pipeline forwards only the standard methods: the steps before the
    # forecaster transform, the forecaster gives the quantiles.
    bands = joint[-1].predict_quantiles(joint[:-1].transform(X))[test]
    out["coverage one fit"], out["pinball one fit"] = scores(
        y_test, bands[:, 0], bands[:, 2]
    )

    tree_low, tree_high = trees(LOW, seed, quick), trees(HIGH, seed, quick)
    out["time HGB q0.1+q0.9"] = timed_fit(tree_low, X_fit, y_fit) + timed_fit(
        tree_high, X_fit, y_fit
    )
    out["coverage HGB"], out["pinball HGB"] = scores(
        y_test, tree_low.predict(X)[test], tree_high.predict(X)[test]
    )
    return out


def summary(values):
    if len(values) < 2:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def print_table(results, seeds):
    names = list(results[0])
    header = ["figure", *(f"seed {s}" for s in seeds), "mean ± std"]
    rows = [
        [
            name,
            *(f"{r[name]:.3f}" for r in results),
            summary([r[name] for r in results]),
        ]
        for name in names
    ]
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    for row in [header, ["-" * w for w in widths], *rows]:
        print(
            "| "
            + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
            + " |"
        )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = parser.parse_args(argv)

    X, y = load(args.quick)
    n_fit = round(0.9 * len(X))
    print(
        f"EWR, temp {HORIZON} h ahead, window {WINDOW}; {len(X)} rows: "
        f"fit on {n_fit} (validation tail {math.ceil(2 / 9 * n_fit)}), "
        f"test on {len(X) - n_fit}"
    )
    results = []
    for seed in args.seeds:
        start = time.perf_counter()
        results.append(run_seed(X, y, n_fit, seed, args.quick))
        print(f"seed {seed} done in {time.perf_counter() - start:.0f} s", flush=True)
    print()
    print("Times are seconds; pinball losses are in °F.")
    print_table(results, args.seeds)
    ratio = [
        (r["time q0.1"] + r["time q0.9"]) / r["time squared_error"] for r in results
    ]
    joint = [r["time [0.1,0.5,0.9]"] / r["time squared_error"] for r in results]
    print()
    print(f"two quantile fits / one squared-error fit: {summary(ratio)}")
    print(f"one three-level fit / one squared-error fit: {summary(joint)}")


if __name__ == "__main__":
    main()
