#!/usr/bin/env python3
"""Build the site: python build.py --help."""

import os
import sys

from sitegen.commands.cli import main

if __name__ == "__main__":
    code = main()
    sys.stdout.flush()
    sys.stderr.flush()
    # Every file is written and closed by now. Leaving without tearing the interpreter down spares a big
    # site's build 0.4 s of freeing its objects one by one; the system takes the memory back at once.
    os._exit(code)
