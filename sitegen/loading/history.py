"""When each source file was last committed, from one `git log` over the content folder per build.

A page's "Last updated" date is the date of the last commit that changed its file. git is asked once, for
every file at once, and the answer is frozen. Without git, outside a repository, before the first commit
or when git fails, the history is empty and pages show only the dates their front matter gives.

Only commits count, never the working tree: a file changed since its last commit keeps that commit's
date, and a file never committed has none. So the dates do not depend on the clock or on modification
times, and two builds of one commit give the same pages.
"""

from __future__ import annotations

import datetime
import hashlib
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from .files import relative

TIMEOUT_SECONDS = 60
# -z: names as they are, NUL-ended, never quoted; --relative: from the site's folder, wherever the
# repository's top is; --date=short: the day in the committer's own time zone, as they saw it; the
# options after -c and --no-color keep an editor's git configuration out of the output.
GIT_LOG = (
    "git",
    "--literal-pathspecs",
    "-c",
    "log.showSignature=false",
    "log",
    "-z",
    "--no-color",
    "--no-renames",
    "--name-only",
    "--relative",
    "--date=short",
    "--format=%x01%cd",
)


@dataclass(frozen=True)
class History:
    dates: Mapping[str, datetime.date] = field(default_factory=lambda: MappingProxyType({}))
    digest: str = ""  # of git's answer: the same history gives the same digest


NO_HISTORY = History()


def read_history(root: Path, folder: Path) -> History:
    """Path from root ('content/news/a.pl.md') -> the date of the last commit that changed the file under
    folder, as git's committer date."""
    try:
        result = subprocess.run(
            [*GIT_LOG, "--", relative(folder, root)],
            cwd=root,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):  # no git at all, or it hung
        return NO_HISTORY
    if result.returncode != 0:  # not a repository, or no commit yet
        return NO_HISTORY
    return History(parse_log(result.stdout), hashlib.blake2b(result.stdout, digest_size=16).hexdigest())


def parse_log(output: bytes) -> Mapping[str, datetime.date]:
    """GIT_LOG's output: per commit, \\x01 and its date, then the files it changed, each item ended by a NUL
    (and the first file after a newline). A file's date is the newest of its commits' dates."""
    dates: dict[str, datetime.date] = {}
    date = None
    for raw in output.split(b"\0"):
        item = raw.lstrip(b"\n")  # no path starts with one: they all start with the content folder's name
        if item.startswith(b"\x01"):
            date = datetime.date.fromisoformat(item[1:].decode("ascii"))
        elif item and date is not None:
            name = item.decode("utf-8", "surrogateescape")  # as os.scandir names files
            known = dates.get(name)
            if known is None or known < date:
                dates[name] = date
    return MappingProxyType(dates)
