"""Imports every command module so that it registers its commands on the root app.

Add one line per command module (keep alphabetical).
"""

from __future__ import annotations

from backcare.cli import assess as assess
from backcare.cli import batch as batch
from backcare.cli import camera as camera
from backcare.cli import ergo as ergo
from backcare.cli import ergo_load as ergo_load
from backcare.cli import ergo_scores as ergo_scores
from backcare.cli import facts as facts
from backcare.cli import info as info
from backcare.cli import score as score
from backcare.cli import serve as serve
from backcare.cli import text_pack as text_pack
from backcare.cli import wearable as wearable
from backcare.cli import wearable_analyze as wearable_analyze
from backcare.cli import wearable_files as wearable_files
from backcare.cli import worker as worker
