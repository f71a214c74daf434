"""Real time-series data sets for examples, tests and benchmarks.

``load_weather`` reads hourly 2013 weather of three New York airports shipped
with the package; ``fetch_jena_climate`` downloads, checks and caches the Jena
climate record (2009-2016, 10-minute steps) on first use.
"""

from ._jena import fetch_jena_climate
from ._weather import load_weather

__all__ = ["fetch_jena_climate", "load_weather"]
