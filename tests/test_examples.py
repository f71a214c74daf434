"""The example scripts run from end to end: each with --quick, in a subprocess.

--quick uses a short series and tiny networks, so these tests prove that the
scripts work with the installed package (data, pipelines, tables, figures), not
that the numbers are good; examples/accuracy_check.py measures those.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
FOUR_MODELS = ["persistence", "Ridge", "SimpleRNN", "LSTM"]

CASES = {
    "plot_univariate.py": (
        ["univariate_forecast.png", "univariate_learning_curves.png"],
        FOUR_MODELS,
    ),
    "plot_multivariate.py": (
        ["multivariate_forecast.png", "multivariate_learning_curves.png"],
        FOUR_MODELS,
    ),
    "plot_multistep.py": (
        [
            "multistep_forecast.png",
            "multistep_learning_curves.png",
            "multistep_mae_by_lead.png",
        ],
        FOUR_MODELS,
    ),
    "plot_grid_search.py": (
        ["grid_search_heatmap.png", "grid_search_forecast.png"],
        ["LSTM w=", "Ridge w=24", "persistence", "best LSTM"],
    ),
    "accuracy_check.py": ([], ["6 h, 5 columns", "1 h, temp only"]),
}


def run_quick(script, output_dir):
    """Run ``script --quick`` with figures going to ``output_dir``; return stdout."""
    command = [
        sys.executable,
        # Warnings the project treats as errors in its tests (pyproject.toml).
        "-W",
        "error::UserWarning",
        "-W",
        "error::RuntimeWarning",
        str(EXAMPLES / script),
        "--quick",
        "--output-dir",
        str(output_dir),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=600, cwd=output_dir.parent
    )
    assert result.returncode == 0, (
        f"{script} --quick failed with exit code {result.returncode}:\n"
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

    # Every model has a row in a printed table: a line with its name and a
    # decimal number after it.
    for model in models:
        row = re.compile(rf"^.*{re.escape(model)}.*\d\.\d{{3}}", re.M)
        assert row.search(stdout), f"no table row for {model!r} in:\n{stdout}"
