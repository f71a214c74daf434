"""The private scikit-learn names this package uses, in one place.

They are stable across the scikit-learn versions we test (1.6 to 1.9); should
one move, this is the only file to change.
"""

from sklearn.base import _fit_context
from sklearn.utils._param_validation import (
    HasMethods,
    Interval,
    InvalidParameterError,
    StrOptions,
    validate_params,
)
from sklearn.utils._set_output import _get_output_config
from sklearn.utils.validation import (
    _check_feature_names,
    _check_feature_names_in,
    _num_samples,
)

__all__ = [
    "HasMethods",
    "Interval",
    "InvalidParameterError",
    "StrOptions",
    "_check_feature_names",
    "_check_feature_names_in",
    "_fit_context",
    "_get_output_config",
    "_num_samples",
    "validate_params",
]
