"""Time one statement in this fresh interpreter; run by the import section.

Usage: ``python -m benchmarks.performance.probes.import_timer STATEMENT``.
Prints the seconds the statement took, then the top-level packages loaded once
it has run.
"""

import sys
import time

statement = compile(sys.argv[1], "<statement>", "exec")
start = time.perf_counter()
exec(statement)
seconds = time.perf_counter() - start
print(seconds, *sorted({name.split(".")[0] for name in sys.modules}))
