"""The evidence of every pair of a product's reports at once, as n x n matrices: the same
numbers as `rules.pair_features` read from each report against all the others, without a
Python step per pair. Pure: no database, no clock, no model.

Read by the re-grouping (linkage.py), which weighs every pair of a product's window (up to
rules.CANDIDATE_REPORTS reports): one `rules.pair_logits` call per report costs 0.76 s of CPU
for 400 reports; whole matrices cost a few tens of milliseconds. Row i, column j is report i
asked about member j (the relative and centred terms, and the follow-up flag, are the row
report's), as `rules.pair_features(reports[i], [reports[j]...])` reads it.

One more pair feature in rules.FEATURES is one more matrix in `feature_matrices` (the test
against the per-report reference fails until it is there).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import numpy as np

from . import rules

# Sets of a report's tokens (numbers, concepts, n-grams): one column each in an incidence
# matrix whose product with itself counts the tokens two reports share.
Tokens = Callable[[rules.Report], Iterable[str]]


def shared_counts(reports: Sequence[rules.Report], tokens: Tokens) -> np.ndarray:
    """How many tokens each pair of reports shares (the diagonal: each report's own count).
    Tokens only one report holds add to the diagonal alone; they are counted without a column
    so that the matrix stays as narrow as the vocabulary the reports share."""
    sets = [frozenset(tokens(r)) for r in reports]
    n = len(sets)
    holders: dict[str, list[int]] = {}
    for i, s in enumerate(sets):
        for t in s:
            holders.setdefault(t, []).append(i)
    shared = [rows for rows in holders.values() if len(rows) > 1]
    counts = np.zeros((n, n))
    if shared:
        # float32 counts are exact far beyond any report's number of tokens, and the product
        # is twice as fast as in float64.
        incidence = np.zeros((n, len(shared)), dtype=np.float32)
        cols = np.repeat(np.arange(len(shared)), [len(rows) for rows in shared])
        incidence[np.concatenate(shared), cols] = 1.0
        counts = (incidence @ incidence.T).astype(float)
    counts[np.diag_indices(n)] = [len(s) for s in sets]
    return counts


def _set_cosine(counts: np.ndarray) -> np.ndarray:
    """|A & B| / sqrt(|A| |B|), 0 where either set is empty."""
    size = np.diag(counts).copy()
    denominator = np.sqrt(np.outer(size, size))
    return np.divide(counts, denominator, out=np.zeros_like(counts), where=denominator > 0)


def _centred_cosines(vectors: np.ndarray, zh: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cosines of unit rows, and the same after taking out the product's mean vector of each
    language shrunk by rules.CENTRE_PRIOR (the same dot-product form as rules._cosines, so
    that the numbers agree to rounding)."""
    cosine = vectors @ vectors.T
    means = np.zeros((2, vectors.shape[1]))  # row 0: Chinese, row 1: the other languages
    for row, of in enumerate((zh, ~zh)):
        means[row] = vectors[of].sum(axis=0) / (int(of.sum()) + rules.CENTRE_PRIOR)
    which = np.where(zh, 0, 1)
    v_means = (vectors @ means.T)[:, which]  # v_i . mu_j: two means, so one narrow product
    mu_mu = (means @ means.T)[np.ix_(which, which)]
    # (v_i - mu_i).(v_j - mu_j), and |v - mu|^2 = 1 - 2 v.mu + |mu|^2 for unit v.
    numerator = cosine - v_means - v_means.T + mu_mu
    norm_sq = np.maximum(1.0 - 2.0 * np.diag(v_means) + np.diag(mu_mu), 1e-18)
    norms = np.sqrt(np.outer(norm_sq, norm_sq))
    return cosine, numerator / np.maximum(norms, 1e-9)


def _below_best(similarity: np.ndarray, by_vector: np.ndarray) -> np.ndarray:
    """How far below the row report's closest other report each pair is, within each kind
    of similarity (cosine, n-gram overlap)."""
    n = len(similarity)
    below = np.zeros((n, n))
    off_diagonal = ~np.eye(n, dtype=bool)
    for kind in (by_vector, ~by_vector):
        mask = kind & off_diagonal
        best = np.where(mask, similarity, -np.inf).max(axis=1, keepdims=True)
        best = np.where(np.isfinite(best), best, 0.0)
        below = np.where(mask, similarity - best, below)
    return below


def feature_matrices(reports: Sequence[rules.Report]) -> tuple[list[np.ndarray], np.ndarray]:
    """One n x n matrix for each of rules.FEATURES, in its order, and which pairs are read by
    their vectors (else by n-gram overlap)."""
    n = len(reports)
    lex = [r.lexical for r in reports]
    language = np.array([x.language for x in lex])
    zh = language == "zh"
    cross = (language[:, None] != language[None, :]).astype(float)
    reason = np.array([r.reason_id for r in reports])
    customer = np.array([r.customer_id for r in reports])
    follow_up = np.array([x.follow_up for x in lex], dtype=float)
    same_reason = (reason[:, None] == reason[None, :]).astype(float)
    same_customer = (customer[:, None] == customer[None, :]).astype(float)

    numbers = shared_counts(reports, lambda r: r.lexical.numbers)
    has_numbers = np.diag(numbers) > 0
    numbers_shared = (numbers > 0) & has_numbers[:, None]
    numbers_differ = has_numbers[:, None] & has_numbers[None, :] & ~numbers_shared
    concepts = shared_counts(reports, lambda r: r.lexical.concepts)
    has_concepts = np.diag(concepts) > 0
    concepts_differ = has_concepts[:, None] & has_concepts[None, :] & (concepts == 0)
    defects = _set_cosine(shared_counts(reports, lambda r: r.lexical.defects))
    grams = _set_cosine(shared_counts(reports, lambda r: r.lexical.grams))

    has_vector = np.array([r.vector is not None for r in reports])
    by_vector = has_vector[:, None] & has_vector[None, :]
    similarity = grams.copy()
    centred = np.zeros((n, n))
    if has_vector.any():
        idx = np.flatnonzero(has_vector)
        vectors = np.stack([reports[int(i)].vector for i in idx]).astype(float)  # type: ignore[misc]
        cos, cen = _centred_cosines(vectors, zh[idx])
        similarity[np.ix_(idx, idx)] = cos
        centred[np.ix_(idx, idx)] = cen
    matrices = {
        "similarity": similarity,
        "cross_language": cross,
        "cross_language_x_similarity": cross * similarity,
        "numbers_shared": numbers_shared.astype(float),
        "numbers_differ": numbers_differ.astype(float),
        "same_reason": same_reason,
        "below_best": _below_best(similarity, by_vector),
        "same_customer": same_customer,
        "same_customer_follow_up": same_customer * follow_up[:, None],
        "concepts_shared": defects,
        "concepts_differ": concepts_differ.astype(float),
        "grams": grams,
        "centred_similarity": centred,
    }
    return [matrices[name] for name in rules.FEATURES], by_vector


def logit_matrix(reports: Sequence[rules.Report]) -> np.ndarray:
    """Log-odds that report i (row) and report j describe the same problem, with the fitted
    weights of each pair's kind of evidence; the diagonal is not meaningful."""
    features, by_vector = feature_matrices(reports)
    embedding, lexical = rules.EMBEDDING_WEIGHTS, rules.LEXICAL_WEIGHTS
    z = np.where(by_vector, embedding[0], lexical[0])
    for k, x in enumerate(features, start=1):
        z = z + np.where(by_vector, embedding[k], lexical[k]) * x
    return z
