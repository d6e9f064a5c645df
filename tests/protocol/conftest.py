"""Makes this folder's helper modules (`botocore_oracle`, `shape_samples`) importable whatever
pytest's import mode (prepend, append or importlib)."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = str(Path(__file__).parent)
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
