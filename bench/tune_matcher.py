"""Tune the matcher on the dev set: ranking weights, then the two calibration models.

    python bench/tune_matcher.py [--trials 400] [--seed 1]

1. Random search over `Weights` maximising top-1 (ties broken by the mean lead of the right
   procedure), on features computed once per question; the same search is first run 5 times
   on 4/5 of the questions from equal weights and judged on the fifth it did not see
   ("5-fold CV of the weight search"), so the top-1 it reaches is not only in-sample.
2. Logistic regressions on the top candidate's decision features: P(question is about one of
   our procedures) and P(top-1 is right), with 5-fold cross-validated figures printed beside
   the in-sample ones, so the numbers reported are not only what the fit has seen.
3. Thresholds: the lowest answer probability keeping confident-but-wrong ≤ 1.5%, and the
   clarify probability rejecting ≥ 95% of out-of-scope questions.
Prints the constants to paste into bot/core/ranking.py and bot/core/thresholds.py.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import numpy as np

from bot.core.matcher import Matcher
from bot.core.ranking import Weights
from bot.evaluation import load_questions
from bot.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent
RANK_FIELDS = [
    "recall",
    "bigrams",
    "variant_recall",
    "variant_precision",
    "fuzzy",
    "name_precision",
    "contrast",
    "missing",
    "action",
]


def prepare(matcher: Matcher, questions):
    rows = []
    for q in questions:
        query = matcher.understand(q.q).query
        candidates = matcher.rank(query) if query.words else []
        rows.append((q, query, candidates))
    return rows


def ranked_with(matcher, rows, weights):
    return [(q, query, matcher.rerank(query, candidates, weights)) for q, query, candidates in rows]


def top1_quality(matcher, ranked) -> tuple[float, float]:
    """Top-1 share and mean lead of the right procedure, with the matcher's real reranking."""
    hits, lead = 0, 0.0
    in_scope = [(q, c) for q, _, c in ranked if q.kind == "in_scope"]
    for q, cands in in_scope:
        if cands and matcher.procedures[cands[0].index].key in q.keys:
            hits += 1
            lead += cands[0].score - (cands[1].score if len(cands) > 1 else 0)
    return hits / len(in_scope), lead / len(in_scope)


class FeatureTable:
    """Every question's candidate features as arrays, so a trial of weights is a few numpy
    operations. Contrast is taken from the ranking under the starting weights."""

    def __init__(self, matcher: Matcher, rows) -> None:
        self.items = []
        for q, _query, candidates in ranked_with(matcher, rows, matcher.weights):
            if q.kind != "in_scope" or not candidates:
                continue
            flat = np.array(
                [
                    [c.recall, c.bigrams, c.name_precision, c.contrast, -c.missing, -c.action]
                    for c in candidates
                ]
            )
            width = max(len(c.variants) for c in candidates)
            variants = np.full((len(candidates), width, 3), -1e9)
            for i, c in enumerate(candidates):
                variants[i, : len(c.variants)] = c.variants
            right = np.array([matcher.procedures[c.index].key in q.keys for c in candidates])
            self.items.append((flat, variants, right))
        self.total = sum(1 for q, _, _ in rows if q.kind == "in_scope")

    def quality(self, w: Weights) -> tuple[float, float]:
        flat_w = np.array([w.recall, w.bigrams, w.name_precision, w.contrast, w.missing, w.action])
        variant_w = np.array([w.variant_recall, w.variant_precision, w.fuzzy])
        hits, lead = 0, 0.0
        for flat, variants, right in self.items:
            scores = flat @ flat_w + (variants @ variant_w).max(axis=1)
            order = np.argsort(-scores)
            if right[order[0]]:
                hits += 1
                lead += scores[order[0]] - (scores[order[1]] if len(order) > 1 else 0.0)
        return hits / self.total, lead / self.total


def normalised(weights: Weights) -> Weights:
    """Ranking ignores scale; fixing the sum keeps the lead comparable between trials."""
    total = sum(getattr(weights, f) for f in RANK_FIELDS) or 1.0
    return dataclasses.replace(weights, **{f: getattr(weights, f) / total for f in RANK_FIELDS})


def objective(table: FeatureTable, weights: Weights) -> float:
    top1, lead = table.quality(normalised(weights))
    return top1 + 0.1 * lead


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 0.01, steps: int = 3000):
    """L2-regularised logistic regression on standardised features, returned unstandardised."""
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    x1 = np.hstack([np.ones((len(x), 1)), (x - mean) / std])
    w = np.zeros(x1.shape[1])
    for _ in range(steps):
        p = 1 / (1 + np.exp(-np.clip(x1 @ w, -30, 30)))
        grad = x1.T @ (p - y) / len(y) + l2 * np.r_[0, w[1:]]
        w -= 0.5 * grad
    coefficients = w[1:] / std
    return np.r_[w[0] - coefficients @ mean, coefficients]


def predict(w, x):
    return 1 / (1 + np.exp(-np.clip(np.hstack([np.ones((len(x), 1)), x]) @ w, -30, 30)))


def choose_thresholds(p_in, p_top, kinds, correct):
    in_scope = kinds == "in_scope"
    out = kinds != "in_scope"
    clarify = max(
        (t for t in np.linspace(0.05, 0.95, 91) if (p_in[out] < t).mean() >= 0.95),
        key=lambda t: (-(p_in[in_scope] < t).mean(), -t),
        default=0.5,
    )
    answer = 0.95
    for t in np.linspace(0.3, 0.95, 66):
        answered = in_scope & (p_in >= clarify) & (p_top >= t)
        if (answered & ~correct).sum() / in_scope.sum() <= 0.015:
            answer = t
            break
    return float(clarify), float(answer)


def metrics(p_in, p_top, kinds, correct, clarify, answer):
    in_scope = kinds == "in_scope"
    out = kinds == "out_of_scope"
    answered = (p_in >= clarify) & (p_top >= answer)
    return {
        "answered": (answered & in_scope).sum() / in_scope.sum(),
        "confident_wrong": (answered & in_scope & ~correct).sum() / in_scope.sum(),
        "fallback_in_scope": ((p_in < clarify) & in_scope).sum() / in_scope.sum(),
        "oos_rejected": ((p_in < clarify) & out).sum() / max(out.sum(), 1),
    }


def search_weights(table: FeatureTable, start: Weights, rng, trials: int) -> Weights:
    """Random restarts, then coordinate ascent, maximising top-1 (ties: the mean lead)."""
    best_w, best = start, objective(table, start)
    for _ in range(trials):
        values = rng.dirichlet(np.ones(len(RANK_FIELDS)))
        trial = dataclasses.replace(
            best_w, **dict(zip(RANK_FIELDS, map(float, values), strict=True))
        )
        if (quality := objective(table, trial)) > best:
            best, best_w = quality, trial
    for step in (0.05, 0.02, 0.01):
        improved = True
        while improved:
            improved = False
            for field in RANK_FIELDS:
                for delta in (step, -step):
                    value = getattr(best_w, field) + delta
                    if value < 0:
                        continue
                    trial = dataclasses.replace(best_w, **{field: value})
                    if (quality := objective(table, trial)) > best:
                        best, best_w, improved = quality, trial, True
    return best_w


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trials", type=int, default=400)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    kb = load_knowledge(ROOT / "knowledge")
    questions = load_questions(ROOT / "tests/eval/questions.yaml")
    matcher = Matcher(kb.procedures, kb.synonyms)
    rows = prepare(matcher, questions)

    rng = np.random.default_rng(args.seed)
    print(
        "current weights: top-1 "
        f"{top1_quality(matcher, ranked_with(matcher, rows, matcher.weights))[0]:.1%}"
    )
    in_scope = [i for i, (q, _, _) in enumerate(rows) if q.kind == "in_scope"]
    fold_of = np.arange(len(in_scope)) % 5
    rng.shuffle(fold_of)
    held_hits = 0.0
    # Each fold starts from equal weights: starting from the current ones (fitted on every
    # question) would leak the held-out questions into the search.
    neutral = normalised(dataclasses.replace(matcher.weights, **dict.fromkeys(RANK_FIELDS, 1.0)))
    for k in range(5):  # the weight search itself, judged on questions it did not see
        train = [rows[i] for i, f in zip(in_scope, fold_of, strict=True) if f != k]
        test = [rows[i] for i, f in zip(in_scope, fold_of, strict=True) if f == k]
        fitted = search_weights(FeatureTable(matcher, train), neutral, rng, args.trials)
        held_hits += FeatureTable(matcher, test).quality(normalised(fitted))[0] * len(test)
    print(f"5-fold CV of the weight search: top-1 {held_hits / len(in_scope):.1%}")
    best_w = search_weights(FeatureTable(matcher, rows), matcher.weights, rng, args.trials)
    best_w = normalised(best_w)
    quality = top1_quality(matcher, ranked_with(matcher, rows, best_w))
    print(f"best weights: top-1 {quality[0]:.1%}, mean lead {quality[1]:.3f}")
    print("Weights(" + ", ".join(f"{f}={getattr(best_w, f):.3f}" for f in RANK_FIELDS) + ")")

    ranked = ranked_with(matcher, rows, best_w)
    feats, kinds, correct = [], [], []
    for q, query, cands in ranked:
        if not cands:
            continue
        feats.append(matcher.decision_features(query, cands))
        kinds.append(q.kind)
        correct.append(matcher.procedures[cands[0].index].key in q.keys)
    x, kinds, correct = np.array(feats), np.array(kinds), np.array(correct)
    y_in = (kinds == "in_scope").astype(float)
    y_top = correct.astype(float)

    folds = np.arange(len(x)) % 5
    rng.shuffle(folds)
    cv_in, cv_top = np.zeros(len(x)), np.zeros(len(x))
    for k in range(5):
        train, test = folds != k, folds == k
        cv_in[test] = predict(fit_logistic(x[train], y_in[train]), x[test])
        cv_top[test] = predict(fit_logistic(x[train], y_top[train]), x[test])
    w_in, w_top = fit_logistic(x, y_in), fit_logistic(x, y_top)
    p_in, p_top = predict(w_in, x), predict(w_top, x)
    clarify, answer = choose_thresholds(p_in, p_top, kinds, correct)
    print(f"thresholds: clarify {clarify:.2f}, answer {answer:.2f}")
    for label, (a, b) in (("in-sample", (p_in, p_top)), ("5-fold CV", (cv_in, cv_top))):
        m = metrics(a, b, kinds, correct, clarify, answer)
        print(f"{label:10} " + ", ".join(f"{k} {v:.1%}" for k, v in m.items()))
    print("IN_SCOPE_MODEL =", tuple(round(float(v), 3) for v in w_in))
    print("TOP1_MODEL =", tuple(round(float(v), 3) for v in w_top))


if __name__ == "__main__":
    main()
