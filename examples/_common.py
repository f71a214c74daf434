"""Plotting and table helpers shared by the example scripts.

Only presentation lives here: every example builds its data, pipelines and
scores in plain sight. The examples import this module by file name
(``from _common import ...``), which works because Python puts the folder of
the running script first on ``sys.path`` (sphinx-gallery does the same).

Figures are left open, so that sphinx-gallery shows them on the example's
page, and are also saved as PNG files in ``examples/output/`` (or in the
folder named by the ``SKLEARN_RNN_OUTPUT_DIR`` environment variable).
"""

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

UNITS = "°F"


def output_dir():
    """Folder for the PNG figures, created if missing."""
    default = Path(__file__).resolve().parent / "output"
    path = Path(os.environ.get("SKLEARN_RNN_OUTPUT_DIR", default))
    path.mkdir(parents=True, exist_ok=True)
    return path


def save(fig, name):
    """Save ``fig`` as ``<output dir>/<name>.png`` and say where it went."""
    path = output_dir() / f"{name}.png"
    fig.savefig(path, dpi=100, bbox_inches="tight")
    print(f"saved {path.name} in {path.parent}")


def format_table(header, rows, precision=3):
    """Align ``rows`` under ``header`` as plain text; floats get ``precision``."""
    cells = [[str(h) for h in header]] + [
        [f"{c:.{precision}f}" if isinstance(c, float) else str(c) for c in row]
        for row in rows
    ]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]
    lines = []
    for k, row in enumerate(cells):
        # The first column (names) is aligned left, the numbers right.
        padded = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(padded).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def plot_test_week(when, truth, predictions, title):
    """Forecasts against the observed values over one week.

    ``when`` are the hours forecast (input time plus lead time), ``truth`` the
    observed values there and ``predictions`` maps a model name to its
    forecasts for the same hours.
    """
    fig, ax = plt.subplots(figsize=(10, 3.8))
    ax.plot(when, truth, "k", lw=2.5, label="observed")
    for name, values in predictions.items():
        ax.plot(when, values, lw=1.2, label=name)
    ax.set(title=title, xlabel="time (UTC)", ylabel=f"temperature ({UNITS})")
    ax.legend(loc="best", fontsize="small")
    fig.autofmt_xdate()
    return fig


def plot_learning_curves(forecasters):
    """Training and validation loss per epoch, from each forecaster's ``history_``.

    The dotted line marks the epoch whose weights early stopping kept.
    """
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for k, (name, forecaster) in enumerate(forecasters.items()):
        history = forecaster.history_
        epochs = [row["epoch"] for row in history]
        color = f"C{k}"
        ax.plot(
            epochs,
            [row["train_loss"] for row in history],
            color=color,
            label=f"{name} training",
        )
        if "valid_loss" in history[0]:
            ax.plot(
                epochs,
                [row["valid_loss"] for row in history],
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
    return fig


def plot_heatmap(values, rows, columns, title):
    """A grid of scores with each cell's value written in it.

    ``rows`` and ``columns`` are ``(parameter name, values)`` pairs;
    ``values[i, j]`` belongs to the i-th row value and the j-th column value.
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
    return fig


def plot_error_by_lead(leads, errors):
    """Test MAE against lead time; ``errors`` maps a model name to one per lead."""
    fig, ax = plt.subplots(figsize=(7, 3.8))
    for name, values in errors.items():
        ax.plot(leads, values, marker=".", label=name)
    ticks = [1, *range(6, leads[-1] + 1, 6)] if len(leads) > 12 else leads
    ax.set(
        xlabel="lead time (hours)",
        ylabel=f"test MAE ({UNITS})",
        title="Error against lead time",
        xticks=ticks,
    )
    ax.grid(alpha=0.3)
    ax.legend(fontsize="small")
    return fig
