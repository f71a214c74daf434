"""The benchmark suite runs: one quick pass at tiny sizes. No timing is asserted."""

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"


def _run(*args, timeout):
    return subprocess.run(
        [sys.executable, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.slow
def test_quick_suite_prints_every_section():
    result = _run(BENCHMARKS / "run.py", "--quick", "--profile", timeout=600)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "torch 2." in out and "logical cores" in out  # the machine line
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
        "### Where one epoch goes",
    ):
        assert title in out, f"{title!r} missing from:\n{out}"
    table_rows = [line for line in out.splitlines() if line.startswith("| ")]
    # fit: 4 configurations x 2 references; every other section at least one row.
    assert sum("fit, batch" in row for row in table_rows) == 8
    assert any("predict" in row for row in table_rows)
    assert any("window_length 24" in row for row in table_rows)


def test_gpu_check_exits_cleanly_without_cuda():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: run benchmarks/gpu_check.py by hand")
    result = _run(BENCHMARKS / "gpu_check.py", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "CUDA is not available" in result.stdout
