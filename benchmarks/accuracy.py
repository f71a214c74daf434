"""Test MAE of the library's default forecasters against persistence and Ridge.

On each bundled station: a chronological 70/20/10 split by rows; the pipeline
``StandardScaler -> WindowTransformer(24) -> <Forecaster>(random_state=seed,
validation_fraction=2/9)`` is fitted on the first 90 % (its early-stopping tail
is the 20 % block), Ridge (``StandardScaler -> WindowTransformer(flatten=True)
-> SimpleImputer -> Ridge(1.0)``) on the first 70 %; both forecast every row
and are scored on the last 10 %. MAE is in units of the training standard
deviation of the temperature. Prints one row per setting, mean ± std over the
seeds::

    python benchmarks/accuracy.py                       # all settings, seeds 0-4
    python benchmarks/accuracy.py --settings ewr_hour --seeds 0 1
    python benchmarks/accuracy.py --params '{"baseline": null}'
"""

import argparse
import json
import time

import numpy as np
import pandas as pd
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
    df = load_weather(station)
    numeric = df.select_dtypes("number")
    df = numeric[columns] if columns else numeric
    df = df.interpolate(limit_direction="both")
    return _with_hour(df) if hour else df


SETTINGS = {
    "ewr_all": ("EWR", None, False, 6),
    "ewr_hour": ("EWR", FIVE, True, 6),
    "jfk_hour": ("JFK", FIVE, True, 6),
    "lga_hour": ("LGA", FIVE, True, 6),
    "ewr_temp_1h": ("EWR", ["temp"], False, 1),
}


def evaluate(setting, seeds, cls, params, horizon=None):
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
    ridge = make_pipeline(
        StandardScaler(),
        WindowTransformer(24, flatten=True),
        SimpleImputer(),
        Ridge(1.0),
    ).fit(X.iloc[:n_train], y.iloc[:n_train])
    ridge_mae = mae(ridge.predict(X))
    results, times = [], []
    for seed in seeds:
        model = make_pipeline(
            StandardScaler(),
            WindowTransformer(24),
            cls(random_state=seed, validation_fraction=2 / 9, **params),
        )
        start = time.perf_counter()
        model.fit(X.iloc[:n_fit], y.iloc[:n_fit])
        times.append(time.perf_counter() - start)
        results.append(mae(model.predict(X)))
    return persistence, ridge_mae, np.array(results), np.array(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS))
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    parser.add_argument("--model", default="LSTMForecaster")
    parser.add_argument("--params", type=json.loads, default={})
    parser.add_argument("--horizon", nargs="+", type=int, default=None)
    args = parser.parse_args()
    cls = getattr(sklearn_rnn, args.model)
    horizon = None
    if args.horizon:
        horizon = args.horizon[0] if len(args.horizon) == 1 else args.horizon
    print(f"{args.model} {args.params} seeds {args.seeds}")
    print(f"{'setting':<12} {'persist':>8} {'ridge':>8} {'model':>17} {'fit s':>7}")
    for setting in args.settings:
        persistence, ridge, model, times = evaluate(
            setting, args.seeds, cls, args.params, horizon
        )
        if model.shape[1] > 1:
            print(f"{setting} per horizon (persistence, ridge, model mean ± std):")
            for h in range(model.shape[1]):
                print(
                    f"  h{h + 1:<3} {persistence[h]:.4f} {ridge[h]:.4f} "
                    f"{model[:, h].mean():.4f} ± {model[:, h].std():.4f}"
                )
            continue
        per_seed = ", ".join(f"{v:.4f}" for v in model[:, 0])
        print(
            f"{setting:<12} {persistence[0]:8.4f} {ridge[0]:8.4f} "
            f"{model[:, 0].mean():8.4f} ± {model[:, 0].std():.4f} "
            f"{times.mean():7.1f}   [{per_seed}]",
            flush=True,
        )


if __name__ == "__main__":
    pd.set_option("display.width", 120)
    main()
