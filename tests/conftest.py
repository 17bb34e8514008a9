import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# Caches (action plugin summaries, lint results) go to a throw-away folder, never to ~/.cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="asynclint-test-cache-")
