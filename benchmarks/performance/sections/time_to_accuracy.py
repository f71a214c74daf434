"""Time to accuracy: the library's default fit against the TensorFlow recipe.

Ours is ``LSTMForecaster(random_state=seed)`` with whatever defaults the
installed package has (its schedule, early stopping and validation tail); the
reference is a plain torch loop following the TensorFlow time-series
tutorial: LSTM(32) and a linear head on the last step, Adam with lr 1e-3, the
squared error, batches of 32, a fixed number of shuffled epochs (20), and no
validation. Both train in the same rounds, taking turns, on the same windows
(the training part's, scaled by a StandardScaler fitted on it; without the
left-padded first windows, which the hand loop cannot take), and are scored
by their MAE on the chronological tail that neither saw.
"""

from dataclasses import dataclass

import numpy as np

from ..data import synthetic_weather, weather_frame
from ..harness import Row, compared, interleaved, print_table, ratios

DATASETS = {
    "weather": "bundled EWR weather (temp, dewp, humid, pressure, wind_speed)",
    "synthetic": "synthetic weather-like series (daily and yearly cycles, AR(1))",
}


@dataclass
class Problem:
    """Windows and targets of one data set, split chronologically."""

    label: str
    W_train: np.ndarray
    y_train: np.ndarray
    W_test: np.ndarray
    y_test: np.ndarray
    persistence: np.ndarray  # the target's value now, as a forecast of y_test


def run(cfg):
    import torch

    from sklearn_rnn import LSTMForecaster

    params = LSTMForecaster(**cfg.tta_overrides).get_params()
    print(
        "\nOur forecaster's settings at run time (library defaults"
        + (f", with {cfg.tta_overrides} for this run" if cfg.tta_overrides else "")
        + "): "
        + ", ".join(f"{name}={value!r}" for name, value in params.items())
    )
    for name in cfg.tta_datasets:
        problem = make_problem(name, cfg)
        rows = compare(problem, cfg)
        print_table(
            f"Time to accuracy, {problem.label}: {len(problem.W_train)} training "
            f"windows of {cfg.tta_window} steps x {problem.W_train.shape[2]} "
            f"features, temp {cfg.tta_horizon} h ahead, test MAE on the last "
            f"{len(problem.y_test)} rows; reference on torch's "
            f"{torch.get_num_threads()} threads, ours on its thread policy",
            rows,
        )


def make_problem(name, cfg):
    """Windows of data set `name`, split into a training part and a test tail."""
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn import WindowTransformer, make_supervised

    if name == "weather":
        frame = weather_frame()
    else:
        frame = synthetic_weather(cfg.tta_synthetic_rows)
    if cfg.tta_rows:
        frame = frame.iloc[: cfg.tta_rows]
    X, y = make_supervised(frame, "temp", horizon=cfg.tta_horizon)
    n_test = round(len(X) * cfg.tta_test_fraction)
    n_train = len(X) - n_test
    scaler = StandardScaler().fit(X.iloc[:n_train])
    windows = WindowTransformer(cfg.tta_window).fit_transform(scaler.transform(X))
    y = y.to_numpy()
    first = cfg.tta_window - 1  # the first full window
    return Problem(
        DATASETS[name],
        windows[first:n_train],
        y[first:n_train],
        windows[n_train:],
        y[n_train:],
        X["temp"].to_numpy()[n_train:],
    )


def compare(problem, cfg):
    """Fit both sides once per round, interleaved; rows of times and MAEs."""
    import torch

    from sklearn_rnn import LSTMForecaster

    from ..handloop import hand_fit, hand_predict

    mean, std = problem.y_train.mean(), problem.y_train.std()
    X_train = torch.from_numpy(np.ascontiguousarray(problem.W_train, np.float32))
    y_train = torch.from_numpy(((problem.y_train - mean) / std).astype(np.float32))
    X_test = torch.from_numpy(np.ascontiguousarray(problem.W_test, np.float32))
    fitted = {"ours": [], "hand": []}

    # Round r fits both sides with seed r.
    def ours():
        seed = len(fitted["ours"])
        estimator = LSTMForecaster(random_state=seed, **cfg.tta_overrides)
        fitted["ours"].append(estimator.fit(problem.W_train, problem.y_train))

    def hand():
        torch.manual_seed(len(fitted["hand"]))
        model, _ = hand_fit(
            X_train,
            y_train.reshape(-1, 1),
            cell="lstm",
            hidden_size=32,
            epochs=cfg.tta_hand_epochs,
            batch_size=32,
            lr=1e-3,
        )
        fitted["hand"].append(model)

    times = interleaved({"ours": ours, "hand": hand}, cfg.tta_rounds)
    mae_ours = [
        _mae(est.predict(problem.W_test), problem.y_test) for est in fitted["ours"]
    ]
    mae_hand = [
        _mae(hand_predict(model, X_test).numpy().ravel() * std + mean, problem.y_test)
        for model in fitted["hand"]
    ]
    epochs = [len(est.history_) for est in fitted["ours"]]
    persistence = _mae(problem.persistence, problem.y_test)
    return [
        compared(
            "LSTMForecaster(random_state=seed).fit, library defaults",
            times,
            "ours",
            "hand",
            f"torch loop, TF recipe: {cfg.tta_hand_epochs} epochs, batch 32",
            f"ours ran {_range(epochs)} epochs",
        ),
        Row(
            "test MAE of that fit",
            mae_ours,
            "test MAE of the torch loop",
            mae_hand,
            ratios(mae_ours, mae_hand),
            f"persistence: {persistence:.3g} °F",
            unit="°F",
        ),
    ]


def _mae(forecast, truth):
    return float(np.mean(np.abs(np.ravel(forecast) - truth)))


def _range(values):
    low, high = min(values), max(values)
    return f"{low}" if low == high else f"{low}-{high}"
