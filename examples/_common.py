"""Helpers shared by the example scripts: data, split, baselines, scores, figures.

The examples import this module by its file name (``from _common import ...``),
which works because Python puts the directory of the running script first on
``sys.path``. Everything here is deliberately plain so that each example reads
top to bottom without surprises.
"""

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

# sklearn_rnn imports PyTorch at the first fit; importing it here keeps those
# seconds out of the fit times that the examples print.
import torch  # noqa: F401
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import (
    LSTMForecaster,
    SimpleRNNForecaster,
    WindowTransformer,
    make_supervised,
)
from sklearn_rnn.datasets import load_weather

# Agg draws into files only: the examples run on servers and in CI, where no
# display exists.
matplotlib.use("Agg")

TARGET = "temp"
UNITS = "°F"
#: The second lab's inputs: temperature, pressure, humidity, dew point and wind
#: speed. wind_dir and wind_gust are left out because they keep NaN where no
#: direction or gust was reported (see ``load_weather``).
MULTIVARIATE_COLUMNS = ["temp", "pressure", "humid", "dewp", "wind_speed"]
#: Hours kept by ``--quick``.
QUICK_ROWS = 1500


# --------------------------------------------------------------------------
# Command line and output folder
# --------------------------------------------------------------------------


def parse_args(description, argv=None, add_arguments=None):
    """Parse the options every example shares.

    ``--quick`` swaps in tiny settings (a short series, a few epochs) so that a
    test can prove in seconds that the script runs from end to end; its numbers
    mean nothing. ``--output-dir`` is where the figures go. ``add_arguments``,
    if given, is called with the parser to add a script's own options.
    """
    parser = argparse.ArgumentParser(description=description)
    if add_arguments is not None:
        add_arguments(parser)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny settings that run in seconds (a smoke test, not a result)",
    )
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=Path(__file__).resolve().parent / "output",
        help="folder for the PNG figures (created if missing)",
    )
    parser.add_argument(
        "--seed", type=int, default=0, help="random_state of the networks"
    )
    args = parser.parse_args(argv)
    args.output_dir.mkdir(parents=True, exist_ok=True)
    return args


def network_params(args, **settings):
    """Settings of the recurrent forecasters: the library's defaults, seeded.

    ``settings`` replace defaults; ``--quick`` shrinks the network and the
    number of epochs so the script only proves that it runs. (Larger batches
    and learning rates train faster but forecast worse on this series; see
    ``accuracy_check.py``.)
    """
    params = dict(random_state=args.seed, **settings)
    if args.quick:
        params.update(hidden_size=8, max_epochs=2)
    return params


# --------------------------------------------------------------------------
# Data and the chronological split
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Split:
    """Row ranges of a chronological train / validation / test split."""

    train: slice
    valid: slice
    test: slice

    def describe(self, index):
        """One line per part: number of rows and first and last timestamp."""
        lines = []
        for name in ("train", "valid", "test"):
            part = index[getattr(self, name)]
            lines.append(
                f"{name:<5} {len(part):>5} rows  {part[0]:%Y-%m-%d %H:%M} to "
                f"{part[-1]:%Y-%m-%d %H:%M} UTC"
            )
        return "\n".join(lines)


def chronological_split(n_rows, fractions=(0.7, 0.2, 0.1)):
    """Cut ``n_rows`` time-ordered rows into consecutive train, valid, test parts.

    Never shuffle a time series before splitting: a shuffled split puts hours
    of the test period into training, and their neighbours (an hour apart, and
    almost equal) make any model look better than it is.
    """
    train_end = int(round(fractions[0] * n_rows))
    valid_end = int(round((fractions[0] + fractions[1]) * n_rows))
    return Split(
        slice(0, train_end), slice(train_end, valid_end), slice(valid_end, n_rows)
    )


def load_supervised(columns, horizon, quick=False, hour_of_day=False):
    """Bundled EWR weather as inputs ``X`` and the temperature ``horizon`` hours on.

    ``quick`` keeps only the first 1,500 hours of the year. ``hour_of_day`` adds
    two input columns, the sine and cosine of the hour (UTC), which tell a
    model where in the daily cycle each row is.
    """
    frame = load_weather(columns=columns)
    if quick:
        frame = frame.iloc[:QUICK_ROWS]
    if hour_of_day:
        angle = 2 * np.pi * frame.index.hour / 24
        frame = frame.assign(hour_sin=np.sin(angle), hour_cos=np.cos(angle))
    X, y = make_supervised(frame, TARGET, horizon=horizon)
    print(f"{len(X)} hourly rows, input columns {list(X.columns)}")
    return X, y


def target_scale(y, split):
    """Standard deviation of the target over the training rows.

    Dividing an MAE by it gives the MAE in standardized units: the units a
    StandardScaler fitted on the training rows would give the target.
    """
    return np.asarray(y)[split.train].std(axis=0)


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------


def ridge_pipeline(window_length, alpha=1.0):
    """Ridge regression on the same windows as the networks, flattened to lags.

    The StandardScaler is fitted on the training rows only, inside the
    pipeline. After scaling, 0.0 is the training mean, which makes it a neutral
    padding for the first rows of a series, and Ridge rejects NaN padding.
    """
    return make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length, flatten=True, fill_value=0.0),
        Ridge(alpha=alpha),
    )


def recurrent_pipeline(forecaster, window_length):
    """Scale on the training rows, cut windows, then run a recurrent forecaster.

    The windows keep NaN padding: the forecasters run over the observed part of
    a window only.
    """
    return make_pipeline(StandardScaler(), WindowTransformer(window_length), forecaster)


def persistence(X, n_outputs=None):
    """Forecast that the temperature stays at its last observed value.

    The baseline any forecaster must beat. With ``n_outputs`` the same value is
    repeated for each lead time of a multi-step forecast.
    """
    last = np.asarray(X[TARGET], dtype=float)
    if n_outputs is None:
        return last
    return np.repeat(last[:, None], n_outputs, axis=1)


def compare_models(window_length, network_params):
    """The four models every example compares, on windows of ``window_length``.

    persistence (None: it needs no fitting), Ridge on the flattened windows, and
    a simple RNN and an LSTM forecaster built with ``network_params``.
    """
    return {
        "persistence": None,
        "Ridge": ridge_pipeline(window_length),
        "SimpleRNN": recurrent_pipeline(
            SimpleRNNForecaster(**network_params), window_length
        ),
        "LSTM": recurrent_pipeline(LSTMForecaster(**network_params), window_length),
    }


def fit_and_predict(models, X, y, split, n_outputs=None):
    """Fit each model on the training rows; forecast every row of the series.

    ``models`` maps a name to a pipeline, or to None for persistence. Forecasts
    are made for all rows at once, so that the first test windows can reach
    back into the validation rows; windows look only backwards, and all the
    scaling was fitted on the training rows, so nothing from the future leaks
    in. Returns the forecasts and the fit times in seconds, both by name.
    """
    predictions, fit_seconds = {}, {}
    for name, model in models.items():
        start = time.perf_counter()
        if model is None:
            predictions[name] = persistence(X, n_outputs)
        else:
            model.fit(X.iloc[split.train], y.iloc[split.train])
            predictions[name] = model.predict(X)
        fit_seconds[name] = time.perf_counter() - start
        print(f"  {name:<12} fitted and predicted in {fit_seconds[name]:6.1f} s")
    return predictions, fit_seconds


def mae(y_true, y_pred):
    """Mean absolute error, per output column when the target has several."""
    return np.abs(np.asarray(y_true) - np.asarray(y_pred)).mean(axis=0)


# --------------------------------------------------------------------------
# Tables
# --------------------------------------------------------------------------


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


def format_table(header, rows, precision=3):
    """Align ``rows`` (lists of str or numbers) under ``header`` as plain text.

    Floats are written with ``precision`` decimals.
    """
    cells = [[str(h) for h in header]] + [
        [f"{c:.{precision}f}" if isinstance(c, float) else str(c) for c in row]
        for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    # Text columns are aligned left, numbers right.
    left = [
        not any(_is_number(row[i]) for row in cells[1:]) for i in range(len(header))
    ]
    lines = []
    for k, row in enumerate(cells):
        lines.append(
            "  ".join(
                c.ljust(w) if is_left else c.rjust(w)
                for c, w, is_left in zip(row, widths, left, strict=True)
            ).rstrip()
        )
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def mae_table(predictions, y, split, fit_seconds=None):
    """MAE on the validation and test rows, in °F and in standardized units.

    For a multi-step target the MAE is averaged over the lead times.
    """
    scale = float(np.mean(target_scale(y, split)))
    y_true = np.asarray(y)
    header = [
        "model",
        f"valid MAE {UNITS}",
        f"test MAE {UNITS}",
        "valid MAE std",
        "test MAE std",
    ]
    if fit_seconds is not None:
        header.append("fit s")
    rows = []
    for name, y_pred in predictions.items():
        valid = float(np.mean(mae(y_true[split.valid], y_pred[split.valid])))
        test = float(np.mean(mae(y_true[split.test], y_pred[split.test])))
        row = [name, valid, test, valid / scale, test / scale]
        if fit_seconds is not None:
            row.append(f"{fit_seconds[name]:.1f}")
        rows.append(row)
    return format_table(header, rows)


# --------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------


def save(fig, path):
    """Write ``fig`` to ``path`` as PNG, close it, and say where it went."""
    fig.savefig(path, dpi=100, bbox_inches="tight")
    plt.close(fig)
    print(f"saved {path}")


def plot_test_week(X, y, predictions, split, horizon, path, lead=0):
    """Forecasts against the truth over the first week of the test period.

    Each point is drawn at the hour it forecasts (input time + lead time).
    For a multi-step forecast, ``lead`` picks the column to draw.
    """
    rows = np.arange(split.test.start, min(split.test.start + 7 * 24, split.test.stop))
    hours = np.ravel([horizon])[lead]
    when = X.index[rows] + np.timedelta64(int(hours), "h")
    truth = np.asarray(y)[rows]
    fig, ax = plt.subplots(figsize=(11, 4))
    observed = truth if truth.ndim == 1 else truth[:, lead]
    ax.plot(when, observed, "k", lw=2.5, label="observed")
    for name, y_pred in predictions.items():
        values = y_pred[rows] if y_pred.ndim == 1 else y_pred[rows, lead]
        ax.plot(when, values, lw=1.2, label=name)
    ax.set(
        title=f"{hours} h ahead: first week of the test period",
        xlabel="time (UTC)",
        ylabel=f"temperature ({UNITS})",
    )
    ax.legend(loc="best", fontsize="small")
    fig.autofmt_xdate()
    save(fig, path)


def plot_heatmap(values, rows, columns, title, path):
    """Draw a 2-D grid of scores with each cell's value written in it.

    ``rows`` and ``columns`` are ``(parameter name, values)`` pairs that label
    the axes; ``values[i, j]`` belongs to the i-th row and j-th column value.
    """
    fig, ax = plt.subplots(figsize=(1.6 * len(columns[1]) + 2.5, len(rows[1]) + 1.5))
    image = ax.imshow(values, cmap="viridis_r", aspect="auto")
    fig.colorbar(image, ax=ax)
    middle = (np.nanmax(values) + np.nanmin(values)) / 2
    for (i, j), value in np.ndenumerate(values):
        color = "white" if value > middle else "black"
        ax.text(j, i, f"{value:.3f}", ha="center", va="center", color=color)
    ax.set(
        xticks=range(len(columns[1])),
        xticklabels=columns[1],
        yticks=range(len(rows[1])),
        yticklabels=rows[1],
        xlabel=columns[0],
        ylabel=rows[0],
        title=title,
    )
    save(fig, path)


def plot_learning_curves(forecasters, path):
    """Training and validation loss per epoch, from each forecaster's history_.

    The losses are the forecasters' training loss (the mean absolute error by
    default) on the standardized target; the dotted line marks the epoch whose
    weights early stopping kept.
    """
    fig, ax = plt.subplots(figsize=(7, 4))
    for k, (name, forecaster) in enumerate(forecasters.items()):
        color = f"C{k}"
        epochs = [row["epoch"] for row in forecaster.history_]
        ax.plot(
            epochs,
            [row["train_loss"] for row in forecaster.history_],
            color=color,
            label=f"{name} train",
        )
        if "valid_loss" in forecaster.history_[0]:
            ax.plot(
                epochs,
                [row["valid_loss"] for row in forecaster.history_],
                "--",
                color=color,
                label=f"{name} validation tail",
            )
        if forecaster.best_epoch_ is not None:
            ax.axvline(forecaster.best_epoch_, color=color, ls=":")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set(
        yscale="log",
        xlabel="epoch",
        ylabel="loss (standardized target)",
        title="Learning curves",
    )
    ax.legend(fontsize="small")
    save(fig, path)


def plot_mae_by_lead(predictions, y, split, horizon, path):
    """Test MAE of each model against the lead time of a multi-step forecast."""
    leads = list(horizon)
    y_test = np.asarray(y)[split.test]
    fig, ax = plt.subplots(figsize=(7, 4))
    for name, y_pred in predictions.items():
        ax.plot(leads, mae(y_test, y_pred[split.test]), marker=".", label=name)
    ax.set(
        xlabel="lead time (hours)",
        ylabel=f"test MAE ({UNITS})",
        title="Error against lead time",
        xticks=[1, *range(6, leads[-1] + 1, 6)] if len(leads) > 12 else leads,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    save(fig, path)


def recurrent_steps(models):
    """The fitted forecaster (last step) of each recurrent pipeline, by name."""
    return {
        name: model[-1]
        for name, model in models.items()
        if model is not None and hasattr(model[-1], "history_")
    }


def report(
    title, X, y, predictions, fit_seconds, split, horizon, models, prefix, lead=0
):
    """Print the MAE table; save the test-week and learning-curve figures.

    The figures go to ``<prefix>_forecast.png`` and
    ``<prefix>_learning_curves.png``, ``prefix`` being a path without suffix.
    ``lead`` picks the target column drawn for a multi-step forecast.
    """
    print()
    print(title)
    print(mae_table(predictions, y, split, fit_seconds))
    print()
    plot_test_week(
        X,
        y,
        predictions,
        split,
        horizon,
        prefix.with_name(prefix.name + "_forecast.png"),
    )
    plot_learning_curves(
        recurrent_steps(models),
        prefix.with_name(prefix.name + "_learning_curves.png"),
    )
