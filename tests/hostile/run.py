"""Run one command and report how it ended: ``python -m tests.hostile.run OUT.json CMD...``.

A process of its own, so that the peak RSS it reports (``ru_maxrss`` of its children) is the
command's alone, not that of every process the test session started before.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time


def main(argv: list[str]) -> int:
    out, command = argv[0], argv[1:]
    began = time.monotonic()
    proc = subprocess.run(command, capture_output=True, check=False)
    seconds = time.monotonic() - began
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    with open(out, "w", encoding="utf-8") as fh:
        json.dump({"rc": proc.returncode, "seconds": seconds, "peak_mb": peak_kb / 1024,
                   "stdout": proc.stdout.decode("utf-8", "replace"),
                   "stderr": proc.stderr.decode("utf-8", "replace")}, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
