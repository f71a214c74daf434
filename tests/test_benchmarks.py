"""The benchmark suite runs: quick passes at tiny sizes. No timing is asserted."""

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sklearn_rnn import LSTMForecaster

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
# Sections that take a few seconds in quick mode; the others start fresh
# interpreters or joblib workers and run in the slow test below.
CHEAP = {
    "fit": "### Training:",
    "predict": "### Prediction:",
    "transform": "### WindowTransformer.transform",
    "time_to_accuracy": "### Time to accuracy, bundled EWR weather",
    "profile": "### Where one epoch goes",
}


def _run(*args, timeout):
    return subprocess.run(
        [sys.executable, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def _sections(out):
    """Output of each section, by name, split at the "(name: N s)" lines."""
    parts, start = {}, 0
    for match in re.finditer(r"^\((\w+): \d+ s\)$", out, re.M):
        parts[match[1]] = out[start : match.start()]
        start = match.end()
    return parts


def _table_rows(text):
    return [
        line
        for line in text.splitlines()
        if line.startswith("| ") and not line.startswith(("| figure", "| ---"))
    ]


@pytest.fixture(scope="module")
def quick_cheap_run():
    result = _run(BENCHMARKS / "run.py", "--quick", "--only", *CHEAP, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_quick_run_prints_each_cheap_section_with_rows(quick_cheap_run):
    sections = _sections(quick_cheap_run)
    assert list(sections) == list(CHEAP)
    for name, title in CHEAP.items():
        assert title in sections[name], f"{title!r} missing from:\n{sections[name]}"
        assert _table_rows(sections[name]), f"no table rows in {name}"
    # 2 cells x 2 batch sizes x 2 references.
    fit_rows = _table_rows(sections["fit"])
    assert sum("fit, batch 32 " in row for row in fit_rows) == 4
    assert sum("fit, batch 256 " in row for row in fit_rows) == 4


def test_tables_print_figures_and_ratios_without_verdicts(quick_cheap_run):
    headers = [line for line in quick_cheap_run.splitlines() if "| figure" in line]
    assert headers
    for header in headers:
        assert "ratio" in header
        assert "target" not in header and "met" not in header.split("|")


def test_time_to_accuracy_reads_the_library_defaults_at_run_time(quick_cheap_run):
    section = _sections(quick_cheap_run)["time_to_accuracy"]
    defaults = LSTMForecaster().get_params()
    # Quick mode caps the epochs; every other setting is the library's.
    for name in ("patience", "batch_size", "lr", "validation_fraction"):
        assert f"{name}={defaults[name]!r}" in section
    assert "max_epochs=2" in section
    rows = _table_rows(section)
    assert len(rows) == 4  # fit time and test MAE, on two data sets
    assert sum("°F" in row and "persistence" in row for row in rows) == 2


def test_fit_section_runs_one_batch_size_on_request():
    result = _run(
        BENCHMARKS / "run.py",
        "--quick",
        "--only",
        "fit",
        "--batch-sizes",
        "32",
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    rows = _table_rows(result.stdout)
    assert len(rows) == 4 and all("batch 32 " in row for row in rows)


def test_busy_core_spins_for_the_block_only():
    spec = importlib.util.spec_from_file_location(
        "bench_harness", BENCHMARKS / "harness.py"
    )
    harness = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(harness)
    with harness.busy_core(False) as nothing:
        assert nothing is None
    with harness.busy_core() as spinner:
        assert spinner.poll() is None  # running
        assert spinner.pid in harness.SPINNERS
    assert spinner.poll() is not None
    assert not harness.SPINNERS


@pytest.mark.slow
def test_quick_suite_prints_every_section():
    result = _run(BENCHMARKS / "run.py", "--quick", "--profile", "--busy", timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "torch 2." in out and "logical cores" in out  # the machine line
    assert "busy: one process spinning on a core" in out
    for title in (
        "### Training:",
        "### Prediction:",
        "### Threads:",
        "### Grid search",
        "### The same grid as a script",
        "### Memory:",
        "### Memory: peak of what Python and NumPy allocate",
        "### WindowTransformer.transform",
        "### Import:",
        "### Time to accuracy, bundled EWR weather",
        "### Time to accuracy, synthetic weather-like series",
        "### Where one epoch goes",
    ):
        assert title in out, f"{title!r} missing from:\n{out}"


def test_gpu_check_exits_cleanly_without_cuda():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: run benchmarks/gpu_check.py by hand")
    result = _run(BENCHMARKS / "gpu_check.py", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "CUDA is not available" in result.stdout
