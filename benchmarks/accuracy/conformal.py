"""Adaptive conformal intervals on the bundled EWR series: coverage, pinball, cost.

    nice python -m benchmarks.accuracy.conformal     # seeds 0-2, 5 folds, ~20 min
    python -m benchmarks.accuracy.conformal --quick  # short series, tiny nets

The protocol: temp, dewp, humid, pressure and wind_speed with the hour of day
(``CalendarFeatures``) as inputs, the temperature 6 hours ahead as the target
(``make_supervised``), windows of 24 hours, the README's pipeline
(``CalendarFeatures``, ``WindowTransformer``) ending in
``LSTMForecaster(loss="quantile", quantile=[0.1, 0.9])``. The first 90 % of
the rows are for fitting, the last 10 % (late November and December) for the
test. For each seed it reports, on the test block:

- the plain 10-90 % band: the quantile pipeline fitted on the first 90 %
  (its early-stopping tail is the latest 20 % of the rows);
- ``ConformalForecaster(target="temp", horizon=6, confidence_level=0.8)``
  around the same pipeline: with ``gamma=0`` (split CQR, calibrated once on
  the latest fifth of the fitting rows), ``method="aci"`` and
  ``method="multiplicative"`` at the default ``gamma=0.005``;
- the same around a point pipeline (``LSTMForecaster()``, absolute error);
- ``HistGradientBoostingRegressor(loss="quantile")`` at 0.1 and 0.9 on the same
  windows, flattened (seed 0 only: the trees are slow and nearly deterministic).

Coverage is the share of test hours inside the interval, width its mean in
°F, pinball the mean of the two bounds' ``mean_pinball_loss``. Then the same
on each test fold of ``TimeSeriesSplit(n_splits=5, gap=6)`` over all rows
(seed 0), a gamma sweep on the test block (seed 0), and the time of
``predict_interval`` against the pipeline's ``predict`` on the test block.
Intervals are asked for the test rows preceded by 24 rows of history, so every
test window is full; those rows are dropped from the figures.
"""

import argparse
import statistics
import time
import warnings

import numpy as np

# sklearn_rnn imports PyTorch at the first fit; importing it here keeps those
# seconds out of the timings.
import torch  # noqa: F401
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.metrics import mean_pinball_loss
from sklearn.model_selection import TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from sklearn_rnn import (
    CalendarFeatures,
    ConformalForecaster,
    LSTMForecaster,
    ShortHistoryWarning,
    WindowTransformer,
    make_supervised,
)
from sklearn_rnn.datasets import load_weather

COLUMNS = ["temp", "dewp", "humid", "pressure", "wind_speed"]
HORIZON = 6
WINDOW = 24
LOW, HIGH = 0.1, 0.9
QUICK_ROWS = 2000


def load(quick=False):
    frame = load_weather("EWR")[COLUMNS]
    if quick:
        frame = frame.iloc[:QUICK_ROWS]
    return make_supervised(frame, target="temp", horizon=HORIZON)


def pipeline(quick, seed, **params):
    """The README pipeline with the hour of day, ending in an LSTM forecaster."""
    if quick:
        params.update(hidden_size=8, max_epochs=2)
    return make_pipeline(
        CalendarFeatures(features=["hour_of_day"]),
        WindowTransformer(WINDOW),
        LSTMForecaster(random_state=seed, n_threads=1, **params),
    )


def quantile_pipeline(quick, seed, **params):
    return pipeline(quick, seed, loss="quantile", quantile=[LOW, HIGH], **params)


def conformal(estimator, **params):
    return ConformalForecaster(
        estimator, target="temp", horizon=HORIZON, confidence_level=0.8, **params
    )


def figures(truth, lower, upper):
    """Coverage, mean width and mean pinball loss of the two bounds."""
    pinball = (
        mean_pinball_loss(truth, lower, alpha=LOW)
        + mean_pinball_loss(truth, upper, alpha=HIGH)
    ) / 2
    return {
        "coverage": float(np.mean((truth >= lower) & (truth <= upper))),
        "width": float(np.mean(upper - lower)),
        "pinball": float(pinball),
    }


def adaptive(model, X, rows):
    """Bounds of `rows`, asked from WINDOW rows before the first row not fitted."""
    first = rows.n_fit - WINDOW
    with warnings.catch_warnings():
        # The first WINDOW rows are there as history and are not scored.
        warnings.simplefilter("ignore", ShortHistoryWarning)
        _, y_pis = model.predict_interval(X.iloc[first : rows.stop])
    return y_pis[rows.start - first :, 0, 0], y_pis[rows.start - first :, 1, 0]


def plain(model, X, rows):
    """The quantile pipeline's own band over `rows`."""
    first = rows.start - WINDOW
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortHistoryWarning)  # as in adaptive()
        windows = model[:-1].transform(X.iloc[first : rows.stop])
    bands = model[-1].predict_quantiles(windows)
    return bands[WINDOW:, 0], bands[WINDOW:, 1]


class Rows:
    """Fit on rows :n_fit, score rows start:stop (start >= n_fit)."""

    def __init__(self, n_fit, start, stop):
        self.n_fit, self.start, self.stop = n_fit, start, stop


def block(X, y, rows, seed, quick, sweep=False):
    """Every interval of one fit on rows :n_fit, scored on rows start:stop."""
    X_fit, y_fit = X.iloc[: rows.n_fit], y.iloc[: rows.n_fit]
    truth = y.to_numpy()[rows.start : rows.stop]
    out = {}
    band = quantile_pipeline(quick, seed, validation_fraction=2 / 9)
    band.fit(X_fit, y_fit)
    out["plain band"] = figures(truth, *plain(band, X, rows))

    cqr = conformal(quantile_pipeline(quick, seed)).fit(X_fit, y_fit)
    for name, params in [
        ("CQR gamma=0", {"gamma": 0.0}),
        ("CQR aci", {"method": "aci", "gamma": 0.005}),
        ("CQR multiplicative", {"method": "multiplicative", "gamma": 0.005}),
    ]:
        # gamma and method are read by predict_interval: no refit needed.
        cqr.set_params(**params)
        out[name] = figures(truth, *adaptive(cqr, X, rows))
    cqr.set_params(method="aci", gamma=0.005)
    if sweep:
        out["sweep"] = {}
        for gamma in [0.0, 0.002, 0.005, 0.01, 0.02, 0.05]:
            cqr.set_params(gamma=gamma)
            lower, upper = adaptive(cqr, X, rows)
            out["sweep"][gamma] = {
                **figures(truth, lower, upper),
                "hour-to-hour width change": float(
                    np.mean(np.abs(np.diff(upper - lower)))
                ),
            }
        cqr.set_params(gamma=0.005)
        out["model"] = cqr

    point = conformal(pipeline(quick, seed)).fit(X_fit, y_fit)
    for name, params in [
        ("point gamma=0", {"gamma": 0.0}),
        ("point aci", {"method": "aci", "gamma": 0.005}),
        ("point multiplicative", {"method": "multiplicative", "gamma": 0.005}),
    ]:
        point.set_params(**params)
        out[name] = figures(truth, *adaptive(point, X, rows))
    return out


def trees(X, y, n_fit, quick):
    params = {"max_iter": 10} if quick else {}
    bounds = []
    for level in (LOW, HIGH):
        model = make_pipeline(
            CalendarFeatures(features=["hour_of_day"]),
            WindowTransformer(WINDOW, flatten=True),
            HistGradientBoostingRegressor(
                loss="quantile", quantile=level, random_state=0, **params
            ),
        ).fit(X.iloc[:n_fit], y.iloc[:n_fit])
        bounds.append(model.predict(X)[n_fit:])
    return figures(y.to_numpy()[n_fit:], *bounds)


def timing(model, X, y, n_fit, repeat):
    """Times of a pipeline's predict and of predict_interval, interleaved.

    The reference is the pipeline inside `model`, fitted on the same rows on
    its own, predicting the test rows that continue them (every window full,
    as for predict_interval). The two alternate, so that a busy moment of a
    shared machine slows both; returns the best time of each and the median
    of the ratios of the rounds.
    """
    rows = X.iloc[n_fit:]
    reference = clone(model.estimator).fit(X.iloc[:n_fit], y.iloc[:n_fit])
    model.predict_interval(rows)  # warm caches and threads once
    reference.predict(rows)
    predict, interval = [], []
    for _ in range(repeat):
        for times, function in [
            (predict, lambda: reference.predict(rows)),
            (interval, lambda: model.predict_interval(rows)),
        ]:
            start = time.perf_counter()
            function()
            times.append(time.perf_counter() - start)
    ratios = [b / a for a, b in zip(predict, interval, strict=True)]
    return min(predict), min(interval), statistics.median(ratios)


def print_timing(model, X, y, n_fit, repeat):
    predict, interval, median = timing(model, X, y, n_fit, repeat)
    print(
        f"\nTest block ({len(X) - n_fit} rows), best of {repeat}: pipeline "
        f"predict {predict * 1e3:.1f} ms, predict_interval {interval * 1e3:.1f} ms, "
        f"ratio {interval / predict:.3f}; median ratio of the rounds {median:.3f}"
    )


def summary(values):
    if len(values) < 2:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def print_rows(header, rows):
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=True)]
    for row in [header, ["-" * w for w in widths], *rows]:
        cells = (str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        print("| " + " | ".join(cells) + " |")


METHODS = [
    "plain band",
    "CQR gamma=0",
    "CQR aci",
    "CQR multiplicative",
    "point gamma=0",
    "point aci",
    "point multiplicative",
]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a smoke test")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--no-folds", action="store_true", help="skip the folds")
    parser.add_argument(
        "--timing-only", action="store_true", help="one fit, then the timing"
    )
    args = parser.parse_args(argv)

    X, y = load(args.quick)
    n_fit = round(0.9 * len(X))
    if args.timing_only:
        model = conformal(quantile_pipeline(args.quick, args.seeds[0]))
        model.fit(X.iloc[:n_fit], y.iloc[:n_fit])
        print_timing(model, X, y, n_fit, 5 if args.quick else 30)
        return
    print(
        f"EWR, temp {HORIZON} h ahead, window {WINDOW}; {len(X)} rows: fit on "
        f"{n_fit}, test on {len(X) - n_fit} ({X.index[n_fit]:%Y-%m-%d} onwards)"
    )
    results = []
    for seed in args.seeds:
        start = time.perf_counter()
        results.append(
            block(
                X,
                y,
                Rows(n_fit, n_fit, len(X)),
                seed,
                args.quick,
                sweep=seed == args.seeds[0],
            )
        )
        print(f"seed {seed} done in {time.perf_counter() - start:.0f} s", flush=True)
    hgb = trees(X, y, n_fit, args.quick)

    print("\nTest block: coverage of the 80 % interval (target 0.74-0.86)")
    for figure in ["coverage", "width", "pinball"]:
        print(f"\n{figure} ({'°F' if figure != 'coverage' else 'share'})")
        header = ["method", *(f"seed {s}" for s in args.seeds), "mean ± std"]
        rows = [
            [
                name,
                *(f"{r[name][figure]:.3f}" for r in results),
                summary([r[name][figure] for r in results]),
            ]
            for name in METHODS
        ]
        rows.append(
            ["HistGradientBoosting (seed 0)", f"{hgb[figure]:.3f}"]
            + [""] * (len(args.seeds))
        )
        print_rows(header, rows)

    print(f"\nGamma sweep, CQR aci, seed {args.seeds[0]}, test block")
    sweep = results[0]["sweep"]
    header = ["gamma", "coverage", "width", "pinball", "hour-to-hour width change"]
    print_rows(
        header,
        [[g, *(f"{v[k]:.3f}" for k in header[1:])] for g, v in sweep.items()],
    )

    print_timing(results[0]["model"], X, y, n_fit, 5 if args.quick else 30)

    if args.no_folds:
        return
    print(f"\nTimeSeriesSplit(n_splits=5, gap={HORIZON}), seed {args.seeds[0]}")
    folds = []
    for train, test in TimeSeriesSplit(n_splits=5, gap=HORIZON).split(X):
        # Fit on the fold's training rows; score its test rows. The intervals
        # walk the gap's rows too: their truths are known by then.
        start = time.perf_counter()
        rows = Rows(train[-1] + 1, test[0], test[-1] + 1)
        folds.append(block(X, y, rows, args.seeds[0], args.quick))
        print(
            f"fold {len(folds)} ({X.index[test[0]]:%Y-%m-%d} to "
            f"{X.index[test[-1]]:%Y-%m-%d}) done in "
            f"{time.perf_counter() - start:.0f} s",
            flush=True,
        )
    for figure in ["coverage", "width"]:
        print(f"\n{figure} per fold")
        header = ["method", *(f"fold {i + 1}" for i in range(len(folds)))]
        print_rows(
            header,
            [[name, *(f"{f[name][figure]:.3f}" for f in folds)] for name in METHODS],
        )


if __name__ == "__main__":
    main()
