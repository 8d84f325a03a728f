"""Test set-up: the tests folder is importable (shared hypothesis strategies), and under CI
hypothesis draws a fixed set of examples.

Locally every run explores new examples (that is how hypothesis finds corners); in CI a
submission must not pass or fail by the luck of the draw, so the ``ci`` profile derandomises
the generation: CI runs exactly the examples a developer can reproduce with ``CI=true``.
"""

import os
import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).parent))

# No deadlines: speed is measured in benchmarks/, never in tests. On a loaded machine (two
# cores shared by many jobs) hypothesis's default 200 ms deadline fails correct code.
settings.register_profile("local", deadline=None)
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "local")
