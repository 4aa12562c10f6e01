"""python/examples/ run as a newcomer would run them."""

import os
import subprocess
import sys
import unittest

from support import ROOT, scratch


class Examples(unittest.TestCase):
    def test_bilevel_network(self):
        r = subprocess.run([sys.executable, str(ROOT / "python" / "examples" / "bilevel_network.py")], capture_output=True, text=True,
                           cwd=scratch(), env={**os.environ, "PYTHONPATH": str(ROOT / "python")}, timeout=300)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("step  1000   G_lambda = 5.789e-04", r.stdout)  # README's bilevel row: 5.79e-4
        self.assertIn("largest difference between the two traces: 0.0e+00", r.stdout)


if __name__ == "__main__":
    unittest.main()
