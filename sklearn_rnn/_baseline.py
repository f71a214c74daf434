"""The baseline: what the network's forecast is a change from, and its scaling.

A recurrent network trained from scratch on a few thousand windows spends much
of its capacity learning that the temperature in six hours is close to the
temperature now. Given that as a baseline, it learns only the change, which is
smaller and simpler. The baseline of each output is the last time step of one
input feature, mapped linearly to the target's training mean and standard
deviation (with the sign of their correlation, so a negated feature serves as
well as the original). When that feature is the target itself (as
:func:`make_supervised` keeps it), the mapping is the identity in the target's
units: the baseline is persistence. The mapping undoes any affine scaling of the
feature (a :class:`~sklearn.preprocessing.StandardScaler` before
:class:`WindowTransformer`, a change of units, a change of sign), so such a
scaling changes neither the choice of baseline nor its values.
"""

from dataclasses import dataclass
from numbers import Integral

import numpy as np

NO_FEATURE = -1


@dataclass
class BaselineEncoding:
    """Baseline and scaling of each output, fitted on the training windows.

    ``feature[j]`` is the input feature whose last step gives output ``j``'s
    baseline, ``NO_FEATURE`` for none; the baseline is ``slope[j] * x +
    intercept[j]``. The network learns ``(y - baseline - mean) / scale``, and
    reads each input feature standardized with ``input_mean`` and
    ``input_scale`` (its mean and standard deviation on the training windows).
    """

    feature: np.ndarray
    slope: np.ndarray
    intercept: np.ndarray
    mean: np.ndarray
    scale: np.ndarray
    input_mean: np.ndarray
    input_scale: np.ndarray

    def baseline(self, X):
        last = np.asarray(X[:, -1, :], dtype=np.float64)
        columns = np.where(self.feature == NO_FEATURE, 0, self.feature)
        return last[:, columns] * self.slope + self.intercept

    def encode(self, X, y):
        return (y - self.baseline(X) - self.mean) / self.scale

    def decode(self, X, values):
        """Map network outputs back; `values` is (n, n_outputs) or (n, n_outputs, k)."""
        base = self.baseline(X) + self.mean
        if values.ndim == 3:
            return values * self.scale[:, None] + base[:, :, None]
        return values * self.scale + base


def _rescaling(x, y):
    """Slope and intercept that give each column of `x` the mean and std of `y`.

    The slope takes the sign of the column's covariance with `y`: a feature that
    falls as the target rises is mapped with a negative slope.
    """
    x_std = x.std(axis=0)
    usable = x_std > 0
    covariance = ((x - x.mean(axis=0)) * (y - y.mean())[:, None]).mean(axis=0)
    sign = np.where(covariance < 0, -1.0, 1.0)
    slope = np.where(usable, sign * y.std() / np.where(usable, x_std, 1.0), 0.0)
    return slope, y.mean() - slope * x.mean(axis=0), usable


def fit_encoding(X, y, n_train, baseline, estimator_name):
    """Choose each output's baseline on the first `n_train` windows and scale.

    `baseline` is "auto" (per output, the feature whose rescaled last step has
    the lowest mean absolute error against the target; none if no feature beats
    the target's training median), an int (that feature for every output), or
    None (no baseline).
    """
    n_outputs, n_features = y.shape[1], X.shape[2]
    if isinstance(baseline, Integral) and baseline >= n_features:
        raise ValueError(
            f"The 'baseline' parameter of {estimator_name} names feature "
            f"{baseline}, but the windows have {n_features} features. Pass a "
            f"position below {n_features}, 'auto' or None."
        )
    # C order whatever the caller's layout: numpy sums a contiguous axis pairwise
    # and a strided one row by row, and the scaling must be the same bits.
    last = np.ascontiguousarray(X[:n_train, -1, :], dtype=np.float64)
    y_train = np.ascontiguousarray(y[:n_train])
    feature = np.full(n_outputs, NO_FEATURE)
    slope = np.zeros(n_outputs)
    intercept = np.zeros(n_outputs)
    if baseline is not None:
        for j in range(n_outputs):
            slopes, intercepts, usable = _rescaling(last, y_train[:, j])
            if baseline == "auto":
                errors = np.abs(last * slopes + intercepts - y_train[:, [j]]).mean(0)
                errors[~usable] = np.inf
                best = int(np.argmin(errors))
                median_error = np.abs(y_train[:, j] - np.median(y_train[:, j])).mean()
                if not errors[best] < median_error:
                    continue
            else:
                best = int(baseline)
                if not usable[best]:
                    raise ValueError(
                        f"The 'baseline' parameter of {estimator_name} names "
                        f"feature {best}, whose last time step is constant on the "
                        "training windows: it cannot be mapped to the target. Pass "
                        "another feature, 'auto' or None."
                    )
            feature[j], slope[j], intercept[j] = best, slopes[best], intercepts[best]
    input_scale = last.std(axis=0)
    encoding = BaselineEncoding(
        feature,
        slope,
        intercept,
        mean=np.zeros(n_outputs),
        scale=None,
        input_mean=last.mean(axis=0),
        input_scale=np.where(input_scale > 0, input_scale, 1.0),
    )
    residual = y_train - encoding.baseline(last[:, None, :])
    encoding.mean = residual.mean(axis=0)
    scale = residual.std(axis=0)
    encoding.scale = np.where(scale > 0, scale, 1.0)
    return encoding


def training_target(encoding, X, y, estimator_name):
    """What the network learns from `y`, refused where float32 cannot hold it."""
    target = encoding.encode(X, y)
    if not np.isfinite(target).all() or np.abs(target).max() > 1e30:
        raise ValueError(
            f"y of {estimator_name} cannot be standardized: its values are too "
            "large or too spread for float32 training. Rescale y."
        )
    return target
