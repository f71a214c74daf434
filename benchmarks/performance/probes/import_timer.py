"""Time one statement in this fresh interpreter; run by the import section.

Usage: ``python -m benchmarks.performance.probes.import_timer STATEMENT``.
Prints the seconds the statement took, then the top-level packages loaded once
it has run.
"""

import sys
import time


def main(source):
    statement = compile(source, "<statement>", "exec")
    start = time.perf_counter()
    exec(statement, {})
    seconds = time.perf_counter() - start
    print(seconds, *sorted({name.split(".")[0] for name in sys.modules}))


if __name__ == "__main__":
    main(sys.argv[1])
