"""Every Python code block of the README and the documentation pages runs.

The blocks of one Markdown file run in order and share one namespace, as a
reader who pastes them one after another would run them. A block preceded by
the HTML comment ``<!-- docs-test: skip (reason) -->`` is not run (for
example, one that downloads data); CONTRIBUTING.md documents the marker.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ("_build", "auto_examples", "generated")
SKIP_MARKER = re.compile(r"<!--\s*docs-test:\s*skip\b.*?-->\s*\Z", re.S)
FENCE = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.M | re.S)


def markdown_files():
    docs = [
        path
        for path in sorted((ROOT / "docs").rglob("*.md"))
        if not any(part in GENERATED for part in path.relative_to(ROOT).parts)
    ]
    return [ROOT / "README.md", *docs]


def python_blocks(text):
    """``(line number, code, skipped)`` of each fenced Python block of ``text``."""
    blocks = []
    for match in FENCE.finditer(text):
        before = text[: match.start()]
        skipped = bool(SKIP_MARKER.search(before))
        line = before.count("\n") + 1
        blocks.append((line, match.group(1), skipped))
    return blocks


def test_python_blocks_finds_blocks_and_honours_the_skip_marker():
    text = (
        "Intro\n\n```python\na = 1\n```\n\n"
        "<!-- docs-test: skip (needs the network) -->\n```python\nb = 2\n```\n\n"
        "```bash\necho no\n```\n\n```python\nc = a\n```\n"
    )
    assert python_blocks(text) == [
        (3, "a = 1\n", False),
        (8, "b = 2\n", True),
        (16, "c = a\n", False),
    ]


def test_the_pages_have_code_to_run():
    blocks = python_blocks((ROOT / "README.md").read_text())
    assert [skipped for *_, skipped in blocks] == [False]
    assert "LSTMForecaster(" in blocks[0][1]


def run_blocks(path, blocks):
    """Run the blocks of ``path`` in one namespace; name the failing block."""
    namespace = {"__name__": "__docs__"}
    for line, code, skipped in blocks:
        if skipped:
            continue
        name = f"{path.relative_to(ROOT)}, code block at line {line}"
        try:
            exec(compile(code, name, "exec"), namespace)
        except Exception as error:
            raise AssertionError(f"{name} failed: {error!r}") from error


@pytest.mark.parametrize(
    "path", markdown_files(), ids=lambda p: str(p.relative_to(ROOT))
)
def test_code_blocks_run(path, tmp_path, monkeypatch):
    blocks = python_blocks(path.read_text())
    if not any(not skipped for *_, skipped in blocks):
        pytest.skip(f"{path.name} has no Python block to run")
    # Blocks that write files write them into a scratch folder.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    run_blocks(path, blocks)
