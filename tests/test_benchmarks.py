"""The benchmark suite runs: quick passes at tiny sizes. No timing is asserted.

The benchmarks are a package run from the repository root
(``python -m benchmarks.performance.run``); they use the public API only and
leave ``sys.path`` alone.
"""

import ast
import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

from sklearn_rnn import LSTMForecaster

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ROOT / "benchmarks"
RUN = ("-m", "benchmarks.performance.run")
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
        cwd=ROOT,
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
    result = _run(*RUN, "--quick", "--only", *CHEAP, timeout=120)
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
        *RUN,
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
        "bench_harness", BENCHMARKS / "performance" / "harness.py"
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
    result = _run(*RUN, "--quick", "--profile", "--busy", timeout=600)
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


def test_gpu_check_runs_as_a_module_too():
    torch = pytest.importorskip("torch")
    if torch.cuda.is_available():
        pytest.skip("a GPU is present: run benchmarks/gpu_check.py by hand")
    result = _run("-m", "benchmarks.gpu_check", timeout=300)
    assert result.returncode == 0, result.stderr
    assert "CUDA is not available" in result.stdout


# -- the package itself ----------------------------------------------------------


def _sources():
    paths = sorted(BENCHMARKS.rglob("*.py"))
    assert len(paths) > 20
    return {str(path.relative_to(ROOT)): path.read_text("utf-8") for path in paths}


def _private(dotted):
    """Whether a dotted name has a private part (``_x``; ``__x__`` is public)."""
    return any(
        part.startswith("_") and not part.endswith("__") for part in dotted.split(".")
    )


def _imports_and_path_uses(tree):
    """Private imports and uses of ``sys.path`` in a module, as lines of text."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if _private(a.name)]
            found += ["import sys.path" for a in node.names if a.name == "sys.path"]
        elif isinstance(node, ast.ImportFrom):
            module = "." * node.level + (node.module or "")
            names = [alias.name for alias in node.names]
            if _private(node.module or "") or any(map(_private, names)):
                found.append(f"from {module} import {', '.join(names)}")
            if node.module == "sys" and "path" in names:
                found.append("from sys import path")
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.value.id == "sys" and node.attr == "path":
                found.append(f"sys.path at line {node.lineno}")
            if node.value.id == "sklearn_rnn" and _private(node.attr):
                found.append(f"sklearn_rnn.{node.attr} at line {node.lineno}")
    return found


def test_benchmarks_use_the_public_api_and_leave_sys_path_alone():
    found = {
        name: uses
        for name, source in _sources().items()
        if (uses := _imports_and_path_uses(ast.parse(source)))
    }
    assert found == {}


def test_benchmarks_text_names_no_private_module_of_the_package():
    # Docstrings, comments and the code that hostile cases run, all as text.
    private = re.compile(r"sklearn_rnn\._\w")
    found = {
        name: private.findall(source)
        for name, source in _sources().items()
        if private.search(source)
    }
    assert found == {}


def test_the_private_name_check_finds_what_it_is_for():
    tree = ast.parse(
        "import sys\nsys.path.insert(0, '.')\n"
        "from sklearn_rnn._network import threads\n"
        "from sklearn_rnn.utils import _hidden\n"
        "import sklearn_rnn\nsklearn_rnn._forecasters\n"
        "from . import harness\nsklearn_rnn.__version__\n"
    )
    assert sorted(_imports_and_path_uses(tree)) == [
        "from sklearn_rnn._network import threads",
        "from sklearn_rnn.utils import _hidden",
        "sklearn_rnn._forecasters at line 6",
        "sys.path at line 2",
    ]


def test_every_benchmark_module_imports_and_the_suite_runs_as_a_module():
    code = (
        "import importlib, pkgutil, benchmarks\n"
        "names = [m.name for m in pkgutil.walk_packages("
        "benchmarks.__path__, 'benchmarks.')]\n"
        "for name in names: importlib.import_module(name)\n"
        "print(len(names))"
    )
    result = _run("-c", code, timeout=120)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) + 1 == len(_sources())  # all but benchmarks/__init__
    result = _run(*RUN, "--help", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "--quick" in result.stdout


def test_fresh_interpreters_import_this_checkouts_package():
    code = (
        "from benchmarks.performance.harness import run_script\n"
        "statement = 'import sklearn_rnn; print(sklearn_rnn.__file__)'\n"
        "print(run_script('import_timer', statement).stdout)"
    )
    result = _run("-c", code, timeout=120)
    assert result.returncode == 0, result.stderr
    imported = Path(result.stdout.splitlines()[0])
    assert imported == ROOT / "sklearn_rnn" / "__init__.py"
