"""Matcher quality on the dev set: top-1, top-3, confident-but-wrong, out-of-scope rejection.

    python bench/match_quality.py [--failures] [--questions tests/eval/questions.yaml]

Figures are split by questions with and without diacritics; the baseline printed beside ours
is rapidfuzz WRatio over procedure names, measured in the same run.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.core.matcher import Matcher
from bot.evaluation import evaluate, load_questions
from bot.knowledge import load_knowledge

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--questions", type=Path, default=ROOT / "tests/eval/questions.yaml")
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--failures", action="store_true", help="list every failed question")
    args = parser.parse_args()

    kb = load_knowledge(args.knowledge)
    questions = load_questions(args.questions)
    started = time.perf_counter()
    matcher = Matcher(kb.procedures, kb.synonyms)
    built = time.perf_counter() - started
    started = time.perf_counter()
    report = evaluate(matcher, questions)
    elapsed = time.perf_counter() - started

    names = [p.name for p in kb.procedures]
    keys = [p.key for p in kb.procedures]
    in_scope = [q for q in questions if q.kind == "in_scope"]
    wratio = sum(
        keys[process.extractOne(q.q, names, scorer=fuzz.WRatio)[2]] in q.keys for q in in_scope
    ) / len(in_scope)

    with_d, without_d = report.in_scope(True), report.in_scope(False)
    print(
        f"questions: {len(questions)} ({len(in_scope)} in scope, "
        f"{len(with_d)} with diacritics, {len(without_d)} without)"
    )
    print(f"index build: {built * 1000:.1f} ms; {elapsed / len(questions) * 1000:.2f} ms/question")
    print(
        f"top-1            {report.top1():6.1%}   (baseline WRatio {wratio:6.1%}, "
        f"ratio {report.top1() / wratio if wratio else float('inf'):.2f}x)"
    )
    print(f"  with diacritics    {report.top1(True):6.1%}")
    print(f"  without            {report.top1(False):6.1%}")
    print(f"  twin-pair gap      {report.pair_gap() * 100:+.1f} points")
    print(
        f"top-3            {report.top3():6.1%}   (with {report.top3(True):.1%}, "
        f"without {report.top3(False):.1%})"
    )
    print(f"confident wrong  {report.confident_wrong():6.1%}")
    print(f"out-of-scope rejected {report.out_of_scope_rejected():6.1%}")
    if any(o.question.kind == "smalltalk" for o in report.outcomes):
        print(f"smalltalk recognised  {report.smalltalk_recognised():6.1%}")
    if any(o.question.aspect for o in report.outcomes):
        print(f"aspect accuracy       {report.aspect_accuracy():6.1%}")
    outcomes = {}
    for o in report.in_scope():
        outcomes[o.result.outcome] = outcomes.get(o.result.outcome, 0) + 1
    print(f"in-scope outcomes: {outcomes}")
    if args.failures:
        for o in report.failures():
            got = ", ".join(f"{k}" for k in o.ranked[:3])
            print(
                f"- [{o.question.kind}] {o.question.q!r} want={o.question.expect} "
                f"→ {o.result.outcome} {o.result.best.score if o.result.best else 0:.3f} "
                f"[{got}]"
            )


if __name__ == "__main__":
    main()
