"""Tools for people who write or validate forecasters.

:mod:`sklearn_rnn.utils.estimator_checks` checks the promises a forecaster makes
about time (no look-ahead, one prediction per row, same seed same result), on
top of scikit-learn's API checks.
"""

from . import estimator_checks

__all__ = ["estimator_checks"]
