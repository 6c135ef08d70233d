"""The one clock the build reads, kept apart so the no-change shortcut need not load the generator."""

from __future__ import annotations

import datetime
import os
import subprocess
from pathlib import Path


def build_date(root: Path) -> datetime.date:
    """The one clock the build reads: SOURCE_DATE_EPOCH, else the last commit, else today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None and (root / ".git").exists():
        try:
            epoch = (
                subprocess.run(
                    ["git", "log", "-1", "--format=%ct"],
                    cwd=root,
                    capture_output=True,
                    text=True,
                    timeout=10,
                    check=False,
                ).stdout.strip()
                or None
            )
        except (OSError, subprocess.SubprocessError):
            epoch = None
    if epoch and epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC).date()
    return datetime.datetime.now(datetime.UTC).date()
