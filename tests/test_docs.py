"""Every ```python block of the README and of docs/*.md runs as written.

Blocks of one file run in order in one namespace, as a reader would paste them.
A block right after a line ``<!-- not-run: reason -->`` is skipped; the reason
is required. A block followed by "It prints:" and a ```text block must print
exactly that text.
"""

import contextlib
import io
import re
import warnings
from pathlib import Path

import pytest

from sklearn_rnn import ShortHistoryWarning

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("**/*.md"))]
_BLOCK = re.compile(
    r"(<!-- not-run: [^>]+-->\s*)?```python\n(.*?)```"
    r"(?:\s*It prints:\s*```text\n(.*?)```)?",
    re.DOTALL,
)


def python_blocks(text):
    """The runnable ```python blocks of a Markdown text, in order."""
    return [code for code, _ in blocks_and_outputs(text)]


def blocks_and_outputs(text):
    """``(code, printed)`` for each runnable block; printed is None when not shown."""
    return [
        (code, printed or None)
        for skip, code, printed in _BLOCK.findall(text)
        if not skip
    ]


def test_block_extraction_honours_the_skip_marker():
    text = "a\n```python\nx = 1\n```\n<!-- not-run: slow -->\n```python\ny\n```\n"
    assert python_blocks(text) == ["x = 1\n"]


def test_block_extraction_reads_the_printed_output():
    text = (
        "```python\nprint(1)\n```\n\nIt prints:\n\n```text\n1\n```\n```python\nx\n```"
    )
    assert blocks_and_outputs(text) == [("print(1)\n", "1\n"), ("x\n", None)]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_code_blocks_run(page, monkeypatch, tmp_path):
    blocks = blocks_and_outputs(page.read_text(encoding="utf-8"))
    if not blocks:
        pytest.skip(f"{page.name} has no python block")
    monkeypatch.chdir(tmp_path)
    namespace = {"__name__": "__docs__"}
    # Pages that cross-validate with TimeSeriesSplit(gap=...) meet the warning
    # about the first windows of each test fold, as docs/serving.md explains.
    warnings.simplefilter("ignore", ShortHistoryWarning)
    for number, (code, printed) in enumerate(blocks, start=1):
        out = io.StringIO()
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(code, f"{page.name} block {number}", "exec"), namespace)
        except Exception as error:
            raise AssertionError(
                f"{page.name}, python block {number} failed: {error!r}"
            ) from error
        if printed is not None:
            assert out.getvalue() == printed, (
                f"{page.name}, python block {number} printed {out.getvalue()!r}, "
                f"but the page shows {printed!r}"
            )


def test_the_sites_quick_start_is_the_readmes():
    # docs/quickstart.md includes the README's section between these two
    # headings, so that the two never differ; both must stay, in this order.
    page = (ROOT / "docs" / "quickstart.md").read_text(encoding="utf-8")
    include = re.search(
        r"```\{include\} \.\./README\.md\n:start-after: \"(.+)\"\n"
        r":end-before: \"(.+)\"\n",
        page,
    )
    assert include, "docs/quickstart.md no longer includes the README"
    start, end = include.groups()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert start in readme and end in readme, (start, end)
    section = readme[readme.index(start) : readme.index(end)]
    assert python_blocks(section), "the README's quick start has no python block"
