"""Every example script runs alone, from end to end, in quick mode.

Each script is copied by itself into an empty temporary folder and run there
in a subprocess, as a reader runs a script downloaded from the gallery: no
sibling module, no repository folder on the path. ``SKLEARN_RNN_QUICK=1``
makes the scripts use a short series and tiny networks, so these tests prove
that they work with the package (data, pipelines, tables, figures), not that
their numbers are good.
"""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# Models that must have a row in a printed table, and figures left open at the
# end (sphinx-gallery draws the figures that each cell leaves open).
CASES = {
    "plot_univariate.py": (["persistence", "Ridge", "SimpleRNN", "LSTM"], 2),
    "plot_multivariate.py": (["persistence", "Ridge", "LSTM"], 2),
    "plot_calendar_features.py": (
        ["persistence", "Ridge", "LSTM", "Ridge + hour", "LSTM + hour"],
        2,
    ),
    "plot_grid_search.py": (["LSTM w=", "Ridge w=24", "persistence", "best LSTM"], 2),
    "plot_multistep.py": (
        ["persistence", "Ridge", "LSTM", "LSTM, ridge_blend=False"],
        4,
    ),
    "plot_quantile_forecast.py": (["LSTM", "HistGradientBoosting"], 2),
}
# Scripts not yet written for the gallery's conventions (figures left open,
# no quick-mode plumbing outside sphinx-gallery's ignore markers).
NOT_YET = set()

# Runs the script as `python script.py` would, then reports the figures that
# are still open.
_RUNNER = """
import runpy, sys
import matplotlib.pyplot as plt
sys.argv = [sys.argv[1]]
runpy.run_path(sys.argv[0], run_name="__main__")
print(f"open figures: {len(plt.get_fignums())}")
"""

_IGNORED = re.compile(
    r"# sphinx_gallery_start_ignore\n.*?# sphinx_gallery_end_ignore\n", re.DOTALL
)


def _not_yet(script, what):
    if script in NOT_YET:
        return [pytest.mark.xfail(strict=True, reason=f"{script} {what}")]
    return []


@pytest.fixture(scope="module")
def run_alone(tmp_path_factory):
    """Run a script copied alone into an empty folder; cached per script."""
    results = {}

    def run(script):
        if script not in results:
            folder = tmp_path_factory.mktemp(script.removesuffix(".py"))
            shutil.copy(EXAMPLES / script, folder)
            env = {
                **os.environ,
                "SKLEARN_RNN_QUICK": "1",
                "MPLBACKEND": "Agg",
                # The package of this checkout, as an installed one would be.
                "PYTHONPATH": str(ROOT),
            }
            env.pop("SKLEARN_RNN_OUTPUT_DIR", None)
            command = [
                sys.executable,
                # Warnings the project treats as errors in its tests.
                "-W",
                "error::UserWarning",
                "-W",
                "error::RuntimeWarning",
                "-c",
                _RUNNER,
                script,
            ]
            result = subprocess.run(
                command,
                capture_output=True,
                text=True,
                timeout=600,
                cwd=folder,
                env=env,
            )
            assert result.returncode == 0, (
                f"{script}, run alone in quick mode, failed with exit code "
                f"{result.returncode}:\n{result.stderr[-3000:]}"
            )
            results[script] = (folder, result.stdout)
        return results[script]

    return run


def test_every_example_is_covered():
    assert sorted(p.name for p in EXAMPLES.glob("plot_*.py")) == sorted(CASES)


def test_no_helper_modules_beside_the_examples():
    # A downloaded script cannot import a sibling module.
    assert sorted(p.name for p in EXAMPLES.glob("*.py")) == sorted(CASES)


@pytest.mark.parametrize("script", sorted(CASES))
def test_example_runs_alone_and_prints_its_tables(script, run_alone):
    folder, stdout = run_alone(script)
    models, _ = CASES[script]
    # Every model has a row in a printed table: a line that starts with its
    # name and has a decimal number after it.
    for model in models:
        row = re.compile(rf"^{re.escape(model)}.*\d\.\d{{3}}", re.M)
        assert row.search(stdout), f"no table row for {model!r} in:\n{stdout}"
    # The output is shown on the site: no path of the machine that built it.
    assert str(folder) not in stdout
    assert str(ROOT) not in stdout


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(s, marks=_not_yet(s, "closes its figures after saving them"))
        for s in sorted(CASES)
    ],
)
def test_example_leaves_its_figures_open(script, run_alone):
    _, stdout = run_alone(script)
    _, figures = CASES[script]
    assert f"open figures: {figures}" in stdout.splitlines()


@pytest.mark.parametrize(
    "script",
    [
        pytest.param(s, marks=_not_yet(s, "shows argparse and quick-mode lines"))
        for s in sorted(CASES)
    ],
)
def test_rendered_code_shows_no_plumbing(script):
    # What the gallery page and the notebook show: the script without the
    # blocks between sphinx-gallery's ignore markers.
    shown = _IGNORED.sub("", (EXAMPLES / script).read_text(encoding="utf-8"))
    for word in ("QUICK", "argparse", "sys.argv", "savefig"):
        assert word not in shown, f"{script} shows {word!r} outside ignore markers"
    compile(shown, f"{script} without its ignored blocks", "exec")


def test_grid_search_reports_each_fit_as_it_ends(run_alone):
    _, stdout = run_alone("plot_grid_search.py")
    # 2 window lengths x 2 state sizes x 3 folds, one line each.
    assert len(re.findall(r"^\[CV \d/3\] END .*score=", stdout, re.M)) == 12
