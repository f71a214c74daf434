"""Test MAE of the library's default forecasters against persistence and Ridge.

On each bundled station: a chronological 70/20/10 split by rows; the pipeline
``StandardScaler -> WindowTransformer(24) -> <Forecaster>(random_state=seed,
validation_fraction=2/9)`` is fitted on the first 90 % (its early-stopping tail
is the 20 % block), Ridge (``StandardScaler -> WindowTransformer(flatten=True)
-> SimpleImputer -> Ridge(1.0)`` under a ``TransformedTargetRegressor`` that
standardizes the target) on the first 70 %; both forecast every row and are
scored on the last 10 %. MAE is in units of the training standard deviation of
the temperature. Prints one row per setting and parameter set: mean ± std over
the seeds, the ratio to Ridge, the per-seed figures and the process CPU seconds
per fit, measured after a warm-up fit, also as a ratio to the first parameter
set (the defaults unless ``--params`` says otherwise)::

    python -m benchmarks.accuracy.point                 # all settings, seeds 0-4
    python -m benchmarks.accuracy.point --settings ewr_hour --seeds 0 1
    python -m benchmarks.accuracy.point --params '{}' '{"baseline": null}'
"""

import argparse
import json
import time

import numpy as np
import pandas as pd
from sklearn.compose import TransformedTargetRegressor
from sklearn.impute import SimpleImputer
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import sklearn_rnn
from sklearn_rnn import WindowTransformer, make_supervised
from sklearn_rnn.datasets import load_weather

FIVE = ["temp", "dewp", "humid", "pressure", "wind_speed"]


def _with_hour(df):
    hours = df.index.hour.to_numpy()
    return df.assign(
        hour_sin=np.sin(2 * np.pi * hours / 24), hour_cos=np.cos(2 * np.pi * hours / 24)
    )


def _frame(station, columns, hour):
    # No columns: all nine, also the two the loader leaves out by default.
    df = load_weather(station, columns=columns or "all")
    df = df.select_dtypes("number")
    df = df.interpolate(limit_direction="both")
    return _with_hour(df) if hour else df


SETTINGS = {
    "ewr_all": ("EWR", None, False, 6),
    # As the README pipeline sees the whole table: nine columns and the hour.
    "ewr_all_hour": ("EWR", None, True, 6),
    "ewr_hour": ("EWR", FIVE, True, 6),
    "jfk_hour": ("JFK", FIVE, True, 6),
    "lga_hour": ("LGA", FIVE, True, 6),
    "ewr_temp_1h": ("EWR", ["temp"], False, 1),
    "ewr_hour_24": ("EWR", FIVE, True, list(range(1, 25))),
}


def _warm_up(cls):
    """One tiny fit, so that imports and first calls are not charged to a setting."""
    X = np.sin(np.arange(200) / 8.0).reshape(-1, 8, 1)
    cls(hidden_size=4, max_epochs=2, random_state=0).fit(X, X[:, -1, 0])


def evaluate(setting, seeds, cls, candidates, horizon=None):
    station, columns, hour, default_horizon = SETTINGS[setting]
    horizon = default_horizon if horizon is None else horizon
    X, y = make_supervised(
        _frame(station, columns, hour), target="temp", horizon=horizon
    )
    Y = np.asarray(y, dtype=float).reshape(len(y), -1)
    n = len(X)
    n_train, n_fit = int(0.7 * n), int(0.9 * n)
    scale = X["temp"].iloc[:n_train].std()
    test = slice(n_fit, None)

    def mae(pred):
        pred = np.asarray(pred, dtype=float).reshape(len(pred), -1)
        return np.abs(pred[test] - Y[test]).mean(axis=0) / scale

    persistence = mae(np.repeat(X["temp"].to_numpy()[:, None], Y.shape[1], axis=1))
    ridge = TransformedTargetRegressor(
        make_pipeline(
            StandardScaler(),
            WindowTransformer(24, flatten=True),
            SimpleImputer(),
            Ridge(1.0),
        ),
        transformer=StandardScaler(),
    ).fit(X.iloc[:n_train], y.iloc[:n_train])
    ridge_mae = mae(ridge.predict(X))
    runs = []
    for params in candidates:
        results, cpu, epochs = [], [], []
        for seed in seeds:
            model = make_pipeline(
                StandardScaler(),
                WindowTransformer(24),
                cls(random_state=seed, validation_fraction=2 / 9, **params),
            )
            start = time.process_time()
            model.fit(X.iloc[:n_fit], y.iloc[:n_fit])
            cpu.append(time.process_time() - start)
            results.append(mae(model.predict(X)))
            epochs.append((model[-1].n_epochs_, model[-1].best_epoch_))
        runs.append((params, np.array(results), np.array(cpu), epochs))
    return persistence, ridge_mae, runs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--model", default="LSTMForecaster")
    parser.add_argument("--params", nargs="+", type=json.loads, default=[{}])
    parser.add_argument("--horizon", nargs="+", type=int, default=None)
    args = parser.parse_args()
    cls = getattr(sklearn_rnn, args.model)
    horizon = None
    if args.horizon:
        horizon = args.horizon[0] if len(args.horizon) == 1 else args.horizon
    _warm_up(cls)
    print(f"{args.model} seeds {args.seeds}; CPU s per fit after a warm-up fit")
    for setting in args.settings:
        persistence, ridge, runs = evaluate(
            setting, args.seeds, cls, args.params, horizon
        )
        print(
            f"{setting}: persistence {persistence.mean():.4f}, Ridge {ridge.mean():.4f}"
        )
        cpu_first = runs[0][2].mean()
        for params, model, cpu, epochs in runs:
            ratio = model.mean(axis=0) / ridge
            per_seed = model.mean(axis=1)
            listed = ", ".join(f"{v:.4f}" for v in per_seed)
            print(
                f"  {json.dumps(params)}: {per_seed.mean():.4f} ± "
                f"{per_seed.std():.4f} [{listed}], {ratio.mean():.3f}x Ridge, "
                f"CPU {cpu.mean():.1f} s ({cpu.mean() / cpu_first:.2f}x), epochs "
                + " ".join(f"{n}/{best}" for n, best in epochs)
                + " (run/best)",
                flush=True,
            )
            if model.shape[1] == 1:
                continue
            print("    h    persist  Ridge    model            x Ridge")
            for h in range(model.shape[1]):
                print(
                    f"    {h + 1:<4} {persistence[h]:.4f}   {ridge[h]:.4f}   "
                    f"{model[:, h].mean():.4f} ± {model[:, h].std():.4f}  "
                    f"{ratio[h]:.3f}"
                )


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
