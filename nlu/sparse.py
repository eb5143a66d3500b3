"""A tiny CSR matrix on numpy: the few products a linear text classifier needs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Float = NDArray[np.float64]


@dataclass
class Csr:
    """Rows of (feature index, weight); every row holds at least the bias feature."""

    data: NDArray[np.float32]
    indices: NDArray[np.int32]
    indptr: NDArray[np.int64]
    n_cols: int

    @property
    def n_rows(self) -> int:
        """Number of rows (documents)."""
        return len(self.indptr) - 1

    @classmethod
    def from_rows(cls, rows: list[tuple[list[int], list[float]]], n_cols: int) -> Csr:
        """Build from per-row (indices, values) lists."""
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum([len(ix) for ix, _ in rows])
        indices = np.fromiter((i for ix, _ in rows for i in ix), dtype=np.int32)
        data = np.fromiter((v for _, vals in rows for v in vals), dtype=np.float32)
        return cls(data, indices, indptr, n_cols)

    def take(self, rows: NDArray[np.int64]) -> Csr:
        """A new matrix with only the given rows (for cross-validation folds)."""
        starts, ends = self.indptr[rows], self.indptr[rows + 1]
        sel = np.concatenate([np.arange(s, e) for s, e in zip(starts, ends, strict=True)])
        indptr = np.zeros(len(rows) + 1, dtype=np.int64)
        indptr[1:] = np.cumsum(ends - starts)
        return Csr(self.data[sel], self.indices[sel], indptr, self.n_cols)

    def dot(self, weights: Float) -> Float:
        """X @ W for a dense (n_cols, k) W."""
        prod = self.data[:, None].astype(np.float64) * weights[self.indices]
        out: Float = np.add.reduceat(prod, self.indptr[:-1], axis=0)
        return out

    def transposed(self) -> CsrT:
        """Column-major view used for X.T @ G."""
        rows = np.repeat(np.arange(self.n_rows, dtype=np.int64), np.diff(self.indptr))
        order = np.argsort(self.indices, kind="stable")
        cols = self.indices[order]
        present, starts = np.unique(cols, return_index=True)
        return CsrT(self.data[order].astype(np.float64), rows[order], present, starts)


@dataclass
class CsrT:
    """The transpose of a Csr, grouped by column."""

    data: Float
    rows: NDArray[np.int64]
    cols: NDArray[np.int32]
    starts: NDArray[np.int64]

    def dot(self, grad: Float, n_cols: int) -> Float:
        """X.T @ G, shape (n_cols, k); columns absent from X get zeros."""
        prod = self.data[:, None] * grad[self.rows]
        out = np.zeros((n_cols, grad.shape[1]), dtype=np.float64)
        out[self.cols] = np.add.reduceat(prod, self.starts, axis=0)
        return out


def gram(x: Csr, chunk: int = 500_000, dense_above: int = 40) -> Float:
    """X @ X.T as a dense (n, n) matrix.

    Frequent features (in more than ``dense_above`` rows) go through one dense BLAS product;
    the long tail is summed as outer products of each feature's few rows. Feature 0 (the
    bias, 1.0 in every row) is added as a constant.
    """
    n = x.n_rows
    xt = x.transposed()
    starts = xt.starts
    ends = np.append(starts[1:], len(xt.data))
    sizes = ends - starts
    frequent = (sizes > dense_above) & (xt.cols != 0)
    rare = (sizes <= dense_above) & (xt.cols != 0)
    # dense part
    dense = np.zeros((n, int(frequent.sum())), dtype=np.float32)
    for j, (s, e) in enumerate(zip(starts[frequent], ends[frequent], strict=True)):
        dense[xt.rows[s:e], j] = xt.data[s:e]
    out: Float = (dense @ dense.T).astype(np.float64) + 1.0
    # sparse tail
    flat = out.reshape(-1)
    sizes, starts = sizes[rare], starts[rare]
    pending_idx: list[NDArray[np.int64]] = []
    pending_w: list[Float] = []
    pending = 0

    def flush() -> None:
        nonlocal pending
        if pending_idx:
            flat[:] += np.bincount(
                np.concatenate(pending_idx), np.concatenate(pending_w), minlength=n * n
            )
        pending_idx.clear()
        pending_w.clear()
        pending = 0

    for m in np.unique(sizes):
        group = starts[sizes == m]
        per_col = int(m) * int(m)
        step = max(1, chunk // per_col)
        offsets = np.arange(m)
        for k in range(0, len(group), step):
            pos = group[k : k + step, None] + offsets
            rows, vals = xt.rows[pos], xt.data[pos]
            pending_idx.append((rows[:, :, None] * n + rows[:, None, :]).ravel())
            pending_w.append((vals[:, :, None] * vals[:, None, :]).ravel())
            pending += pending_idx[-1].size
            if pending >= chunk:
                flush()
    flush()
    return out
