"""How many real Keras models round-trip through graphspec? The corpus count, model by model.

For every model of the corpus in tests/corpus/ (keras-io examples and guides,
Keras' own functional and saving tests, committed model.to_json() shapes):
import it with ``graphspec.from_keras``, build the spec back, and compare the
two as tests/corpus/check.py does (layers, configs, parameters, trainable,
input/output names and structure, predictions after copying weights by name,
compile settings, fixed point). Prints one line a model — its result, the
import and build times, and whether it is what tests/corpus/expected.py says —
then the count and the failures grouped by the issue-11 item they belong to.
Times are seconds: ``from_keras``, ``build`` of the imported spec, and the
whole check of the model (building it, both of those, comparing, reimporting).

    python benchmarks/corpus.py                 # the default corpus (about a minute on 2 cores)
    python benchmarks/corpus.py --slow          # with the large applications too
    python benchmarks/corpus.py NAME ...        # some models; --messages prints each refusal in full

Exit status 1 when a model does not do what the expectation table says.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import warnings
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

_LABELS = {"pass": "PASS", "differs": "DIFFERS", "import": "REFUSED", "build": "NOT BUILT", "reimport": "NO REIMPORT"}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="corpus entries to run (default: all)")
    parser.add_argument("--slow", action="store_true", help="include the entries marked slow (large applications)")
    parser.add_argument(
        "--messages", action="store_true", help="print each refusal's whole message and graphspec's warnings"
    )
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore")

    from tests.corpus import entries
    from tests.corpus.check import mismatch, run
    from tests.corpus.expected import EXPECTED

    corpus = entries()
    unknown = [n for n in args.names if n not in corpus]
    if unknown:
        parser.error(f"no corpus entry {', '.join(unknown)}")
    todo = [corpus[n] for n in args.names] if args.names else [e for e in corpus.values() if args.slow or not e.slow]
    start, cpu_start = time.perf_counter(), time.process_time()
    passed, surprises, causes = 0, 0, defaultdict(list)
    print(f"{'model':<50} {'result':<11} {'from_keras':>10} {'build':>7} {'check':>7}  detail")
    for entry in todo:
        begin = time.perf_counter()
        outcome = run(entry)
        check = time.perf_counter() - begin
        expected = EXPECTED.get(entry.name)
        wrong = mismatch(outcome, expected)
        surprises += wrong is not None
        passed += outcome.passed
        if not outcome.passed:
            what = (
                ", ".join(sorted(outcome.differs)) if outcome.stage == "differs" else f"{outcome.stage}: {outcome.code}"
            )
            for item in expected.items if expected is not None else ("not in the table",):
                causes[item].append(f"{entry.name} ({what})")
        times = [f"{outcome.seconds[k]:.2f}" if k in outcome.seconds else "-" for k in ("from_keras", "build")]
        note = f"  UNEXPECTED: {wrong.splitlines()[0]}" if wrong else ""
        print(
            f"{entry.name:<50} {_LABELS[outcome.stage]:<11} {times[0]:>10} {times[1]:>7} {check:>7.2f}  "
            f"{outcome.summary()[:150]}{note}",
            flush=True,
        )
        if args.messages:
            for text in [outcome.message.strip(), *(f"warning: {w}" for w in outcome.warnings)]:
                if text:
                    print("    " + text.replace("\n", "\n    "))
    print()
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{passed} of {len(todo)} real models round-trip; {surprises} not as tests/corpus/expected.py says "
        f"({wall:.0f} s, {cpu:.0f} s of CPU, peak memory {peak:.0f} MiB)"
    )
    print("Not round-tripping, by the issue-11 item they belong to (a model may belong to two):")
    for item in sorted(causes):
        print(f"  {item}: {len(causes[item])}: " + "; ".join(causes[item]))
    return 1 if surprises else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
