"""scikit-learn's estimator checks over every public estimator."""

import warnings

from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import (
    GRUForecaster,
    LSTMForecaster,
    ShortHistoryWarning,
    SimpleRNNForecaster,
    WindowTransformer,
)

# Cheap settings: a few seconds per estimator for the whole suite.
_CHEAP = dict(hidden_size=8, max_epochs=20, lr=0.01, random_state=0)

_WINDOW_ROWS_DEPEND_ON_NEIGHBOURS = (
    "each output row is a window over the rows before it, so reordering or "
    "subsetting the input rows changes the windows by design"
)
_WINDOW_XFAIL = {
    "check_methods_sample_order_invariance": _WINDOW_ROWS_DEPEND_ON_NEIGHBOURS,
    "check_methods_subset_invariance": _WINDOW_ROWS_DEPEND_ON_NEIGHBOURS,
}


_FORECASTER_XFAIL = {
    "check_sample_weight_equivalence_on_dense_data": (
        "mini-batch training visits a window of weight 2 once per epoch and a "
        "repeated window twice, in other batches: the weighted fit is the same "
        "in expectation, not bit for bit"
    ),
}


def _expected_failed_checks(estimator):
    if isinstance(estimator, WindowTransformer):
        return _WINDOW_XFAIL
    return _FORECASTER_XFAIL


@parametrize_with_checks(
    [
        WindowTransformer(window_length=3),
        WindowTransformer(window_length=3, flatten=True, fill_value=0.0),
        SimpleRNNForecaster(**_CHEAP),
        LSTMForecaster(**_CHEAP),
        GRUForecaster(**_CHEAP),
        LSTMForecaster(**_CHEAP, patience=3, validation_fraction=0.2),
        # The defaults, as a user constructs them.
        SimpleRNNForecaster(),
        LSTMForecaster(),
        GRUForecaster(),
    ],
    expected_failed_checks=_expected_failed_checks,
)
def test_sklearn_compatible_estimator(estimator, check):
    with warnings.catch_warnings():
        # Some checks fit on rows and transform other rows of another series
        # (check_fit_idempotent): WindowTransformer then says, by design, that
        # those rows lack their history. The checks' own assertions still run.
        warnings.simplefilter("ignore", ShortHistoryWarning)
        check(estimator)
