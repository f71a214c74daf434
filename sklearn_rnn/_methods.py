"""Method-level helpers of the estimators' scikit-learn face."""

import functools
import types
from contextlib import contextmanager


class available_if_explained:
    """Offer a method only where ``check(obj)`` passes, like sklearn's available_if.

    `check` raises an AttributeError that says why the method is unavailable
    and how to get it; unlike with available_if, that is the error the caller
    sees. On the class the plain function is returned, for introspection.
    """

    def __init__(self, check):
        self.check = check

    def __call__(self, method):
        return _ExplainedMethod(method, self.check)


class _ExplainedMethod:
    def __init__(self, method, check):
        self.method = method
        self.check = check
        functools.update_wrapper(self, method)

    def __get__(self, obj, owner=None):
        if obj is None:
            return self.method
        self.check(obj)
        return types.MethodType(self.method, obj)


@contextmanager
def unchanged_on_failure(estimator):
    """Give `estimator` its attributes back if the block raises (Ctrl-C too).

    Training works on a new network, or a copy of the fitted one, so restoring
    the attribute dict restores everything.
    """
    before = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(before)
        raise
