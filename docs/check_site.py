"""Check a built site for what readers rely on; exit 1 with a list if not.

Run it after a build (quick or full)::

    python docs/check_site.py docs/_build/html

It checks that each forecaster's API page has a section for ``fit``,
``predict`` and ``score`` (and ``predict_quantiles`` where the class has
it); that every gallery page shows at least one figure; and that no page holds
a path of the machine that built it (the absolute path of the repository, of
the home folder or of the temporary folder).
"""

import re
import sys
import tempfile
from pathlib import Path

from sklearn.base import RegressorMixin

# The package of this checkout, not another installed copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import sklearn_rnn  # noqa: E402

# Sections every forecaster page needs, and one more where the class has it.
METHODS = ("fit", "predict", "score")
OPTIONAL_METHODS = ("predict_quantiles",)


def forecaster_names():
    return [
        name
        for name in sklearn_rnn.__all__
        if isinstance(getattr(sklearn_rnn, name), type)
        and issubclass(getattr(sklearn_rnn, name), RegressorMixin)
    ]


def machine_paths():
    paths = {
        str(Path(__file__).resolve().parents[1]),
        str(Path.home()),
        tempfile.gettempdir(),
        "/tmp/",
    }
    return sorted(p for p in paths if p not in ("", "/"))


def problems(site):
    found = []
    for name in forecaster_names():
        page = site / "generated" / f"sklearn_rnn.{name}.html"
        if not page.is_file():
            found.append(f"{page}: missing")
            continue
        text = page.read_text(encoding="utf-8")
        cls = getattr(sklearn_rnn, name)
        optional = [m for m in OPTIONAL_METHODS if hasattr(cls, m)]
        for method in [*METHODS, *optional]:
            if f'id="sklearn_rnn.{name}.{method}"' not in text:
                found.append(f"{page.name}: no section for {method}")
    gallery = sorted((site / "auto_examples").glob("plot_*.html"))
    if not gallery:
        found.append("no gallery page")
    for page in gallery:
        if not re.search(r"<img [^>]*sphx_glr_plot_", page.read_text("utf-8")):
            found.append(f"{page.name}: no figure")
    paths = machine_paths()
    for page in sorted(site.rglob("*.html")):
        text = page.read_text(encoding="utf-8")
        for path in paths:
            if path in text:
                found.append(f"{page.relative_to(site)}: contains {path!r}")
    return found


if __name__ == "__main__":
    site = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/_build/html")
    found = problems(site)
    print("\n".join(found) or f"{site}: all checks passed")
    sys.exit(1 if found else 0)
