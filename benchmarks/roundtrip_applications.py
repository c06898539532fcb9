"""Round-trip every keras.applications model through graphspec and report which pass.

For each application (built with ``weights=None``): import it with
``graphspec.from_keras``, build the spec back, and check the fidelity that
tests/fidelity.py defines (layer names, classes and configs, parameter count,
input/output names and shapes, predictions after copying weights by layer name,
max abs diff ≤ 1e-5). Each model runs in a fresh process, so one crash or
memory blow-up does not hide the rest.

    python benchmarks/roundtrip_applications.py                  # all of them (about an hour on 2 cores)
    python benchmarks/roundtrip_applications.py ResNet50 VGG16   # some
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_ONE = """
import sys, time, warnings
warnings.simplefilter("ignore")
sys.path.insert(0, {root!r})
import keras
from tests.fidelity import check_round_trip
model = getattr(keras.applications, {name!r})(weights=None)
start = time.perf_counter()
spec = check_round_trip(model)
print(f"RESULT {{model.count_params()}} {{len(spec.nodes)}} {{time.perf_counter() - start:.1f}}")
"""


def names() -> list[str]:
    import keras

    return sorted(n for n in dir(keras.applications) if n[:1].isupper() and callable(getattr(keras.applications, n)))


def run(name: str) -> tuple[str, str]:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _ONE.format(root=ROOT, name=name)], capture_output=True, text=True, env=env, timeout=3600
    )
    wall = time.perf_counter() - start
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
    if proc.returncode == 0 and line is not None:
        params, nodes, check = line.split()[1:]
        return "pass", f"{int(params):>12,} params  {int(nodes):>5} nodes  check {check}s, wall {wall:.0f}s"
    last = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()][-1:] or ["(no output)"]
    return "FAIL", last[0][:300]


def main(argv: list[str]) -> int:
    todo = argv or names()
    failed = 0
    for name in todo:
        status, detail = run(name)
        failed += status != "pass"
        print(f"{name:<20} {status}  {detail}", flush=True)
    print(f"{len(todo) - failed}/{len(todo)} round-trip")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
