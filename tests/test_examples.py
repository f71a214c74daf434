"""Every example script runs from end to end in quick mode, in a subprocess.

``SKLEARN_RNN_QUICK=1`` makes the scripts use a short series and tiny
networks, so these tests prove that they work with the installed package
(data, pipelines, tables, figures), not that their numbers are good.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

# Figures each script saves, and models that must have a row in its tables.
CASES = {
    "plot_quantile_forecast.py": (
        ["quantile_coverage_by_lead.png", "quantile_test_week.png"],
        ["LSTM", "HistGradientBoosting"],
    ),
    "plot_univariate.py": (
        ["univariate_forecast.png", "univariate_learning_curves.png"],
        ["persistence", "Ridge", "SimpleRNN", "LSTM"],
    ),
    "plot_multivariate.py": (
        ["multivariate_forecast.png", "multivariate_learning_curves.png"],
        ["persistence", "Ridge", "LSTM", "Ridge + hour", "LSTM + hour"],
    ),
    "plot_multistep.py": (
        [
            "multistep_error_by_lead.png",
            "multistep_forecast.png",
            "multistep_learning_curves.png",
        ],
        ["persistence", "Ridge", "LSTM"],
    ),
    "plot_grid_search.py": (
        ["grid_search_heatmap.png", "grid_search_forecast.png"],
        ["LSTM w=", "Ridge w=24", "persistence", "best LSTM"],
    ),
}


def test_every_example_is_covered():
    assert sorted(p.name for p in EXAMPLES.glob("plot_*.py")) == sorted(CASES)


def run_quick(script, output_dir):
    """Run ``script`` in quick mode with figures going to ``output_dir``."""
    env = {
        **os.environ,
        "SKLEARN_RNN_QUICK": "1",
        "SKLEARN_RNN_OUTPUT_DIR": str(output_dir),
        "MPLBACKEND": "Agg",
    }
    command = [
        sys.executable,
        # Warnings the project treats as errors in its tests (pyproject.toml).
        "-W",
        "error::UserWarning",
        "-W",
        "error::RuntimeWarning",
        str(EXAMPLES / script),
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=600,
        cwd=output_dir.parent,
        env=env,
    )
    assert result.returncode == 0, (
        f"{script} failed in quick mode with exit code {result.returncode}:\n"
        f"{result.stderr[-3000:]}"
    )
    return result.stdout


@pytest.mark.parametrize("script", sorted(CASES))
def test_example_runs_quick_and_saves_figures(script, tmp_path):
    figures, models = CASES[script]
    output_dir = tmp_path / "figures"  # missing: the script must create it
    stdout = run_quick(script, output_dir)

    for name in figures:
        path = output_dir / name
        assert path.is_file(), f"{script} did not save {name}"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{name} is not a PNG"
    assert sorted(p.name for p in output_dir.glob("*.png")) == sorted(figures)

    # Every model has a row in a printed table: a line that starts with its
    # name and has a decimal number after it.
    for model in models:
        row = re.compile(rf"^{re.escape(model)}.*\d\.\d{{3}}", re.M)
        assert row.search(stdout), f"no table row for {model!r} in:\n{stdout}"
