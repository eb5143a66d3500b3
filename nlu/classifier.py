"""Regularised least-squares classifier (kernel ridge, linear kernel) with calibrated softmax.

Trained in closed form in the dual: (K + lambda I) A = Y with K = X X^T, then W = X^T A.
The closed-form leave-one-out scores calibrate a softmax temperature, so confidences mean
something on unseen messages. Deterministic; a few hundred milliseconds for ~1,200 examples.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from nlu.sparse import Csr, Float, gram

RIDGE = 1.0


def softmax(scores: Float) -> Float:
    """Row-wise softmax, numerically stable."""
    shifted = scores - scores.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    out: Float = exp / exp.sum(axis=-1, keepdims=True)
    return out


@dataclass
class LinearModel:
    """Weights (n_features, n_classes) and the softmax temperature."""

    weights: NDArray[np.float32]
    temperature: float

    def scores(self, indices: list[int], values: list[float]) -> Float:
        """Raw per-class scores of one sparse vector."""
        w = self.weights[indices].astype(np.float64)
        out: Float = np.asarray(values, dtype=np.float64) @ w
        return out

    def probabilities(self, indices: list[int], values: list[float]) -> Float:
        """Calibrated class probabilities of one sparse vector."""
        return softmax(self.temperature * self.scores(indices, values))


def _fit_temperature(scores: Float, y: NDArray[np.int64]) -> float:
    """Temperature minimising the negative log-likelihood (golden-section on log T)."""

    def nll(log_t: float) -> float:
        z = np.exp(log_t) * scores
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return -float(log_p[np.arange(len(y)), y].mean())

    lo, hi = np.log(0.5), np.log(200.0)
    ratio = (np.sqrt(5) - 1) / 2
    a, b = hi - ratio * (hi - lo), lo + ratio * (hi - lo)
    fa, fb = nll(a), nll(b)
    for _ in range(40):
        if fa < fb:
            hi, b, fb = b, a, fa
            a = hi - ratio * (hi - lo)
            fa = nll(a)
        else:
            lo, a, fa = a, b, fb
            b = lo + ratio * (hi - lo)
            fb = nll(b)
    return float(np.exp((lo + hi) / 2))


def train(x: Csr, y: NDArray[np.int64], n_classes: int, ridge: float | None = None) -> LinearModel:
    """Closed-form fit; returns primal weights and a leave-one-out calibrated temperature."""
    ridge = RIDGE if ridge is None else ridge
    n = x.n_rows
    targets = np.zeros((n, n_classes))
    targets[np.arange(n), y] = 1.0
    system = gram(x).astype(np.float32)
    system[np.diag_indices(n)] += ridge
    inverse = np.linalg.inv(system).astype(np.float64)  # float32: twice as fast, ample here
    dual = inverse @ targets
    # Leave-one-out scores of kernel ridge: f_loo = Y - A / diag(M^-1).
    loo = targets - dual / np.diag(inverse)[:, None]
    temperature = _fit_temperature(loo, y)
    weights = x.transposed().dot(dual, x.n_cols).astype(np.float32)
    return LinearModel(weights, temperature)


def leave_one_out_accuracy(x: Csr, y: NDArray[np.int64], n_classes: int, ridge: float) -> float:
    """Exact leave-one-out accuracy (used to choose the ridge offline)."""
    n = x.n_rows
    targets = np.zeros((n, n_classes))
    targets[np.arange(n), y] = 1.0
    system = gram(x)
    system[np.diag_indices(n)] += ridge
    inverse = np.linalg.inv(system)
    loo = targets - (inverse @ targets) / np.diag(inverse)[:, None]
    return float((loo.argmax(axis=1) == y).mean())
