"""When each source file was last committed, from one `git log` over the content folder.

A page's "Last updated" date is the date of the last commit that changed its file. git is asked once, for
every file at once, and the answer is frozen. Without git, outside a repository, before the first commit
or when git fails, the history is empty and pages show only the dates their front matter gives.

Only commits count, never the working tree: a file changed since its last commit keeps that commit's
date, and a file never committed has none. So the dates do not depend on the clock or on modification
times, and two builds of one commit give the same pages.

`git log` reads every commit that touched the folder, which takes longer as history grows (about a
second for 300 commits in a folder of 20,000 files). Given a memo, the history is kept under the commit
checked out, and a build with no new commit only asks git which commit that is (history_state).
"""

from __future__ import annotations

import datetime
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ..digests import CODE, Recall, digest
from .files import relative
from .schema import ReadOnlyDict

TIMEOUT_SECONDS = 60
# -z: names as they are, NUL-ended, never quoted; --relative: from the site's folder, wherever the
# repository's top is; --date=short: the day in the committer's own time zone, as they saw it; the
# options after -c and --no-color keep an editor's git configuration out of the output.
GIT_LOG = (
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
NO_HISTORY: Mapping[str, datetime.date] = ReadOnlyDict()


def read_history(
    root: Path, folder: Path, memo: Recall | None = None, state: str | None = None
) -> Mapping[str, datetime.date]:
    """Path from root ('content/news/a.pl.md') -> the date of the last commit that changed that file under
    folder (git's committer date). memo: the speed layer's, to keep the history under the commit checked
    out; state: that commit, as history_state() gave it, if the caller has asked already."""
    if memo is None:
        return git_log(root, folder) or NO_HISTORY
    state = history_state(root) if state is None else state
    if not state:
        return NO_HISTORY
    key = digest(CODE, state, relative(folder, root))
    known = memo.get("history", key)
    memo.keep_used("history")
    if known is None:
        known = git_log(root, folder)
        if known is None:  # git failed: asked again next time
            return NO_HISTORY
        memo.put("history", key, known)
    return known


def history_state(root: Path) -> str:
    """What the history depends on, in one quick call: the commit checked out, and whether the clone is
    shallow (deepening it adds history to the same commit). "" when there is no history to read."""
    output = git(root, "rev-parse", "--is-shallow-repository", "HEAD")
    return output.decode("ascii", "replace").strip() if output is not None else ""


def git_log(root: Path, folder: Path) -> Mapping[str, datetime.date] | None:
    output = git(root, *GIT_LOG, "--", relative(folder, root))
    return None if output is None else parse_log(output)


def git(root: Path, *args: str) -> bytes | None:
    """git's output in root, or None if it cannot say: no git at all, not a repository, no commit yet."""
    try:
        result = subprocess.run(["git", *args], cwd=root, capture_output=True, timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.SubprocessError):  # no git, or it hung
        return None
    return result.stdout if result.returncode == 0 else None


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
    return ReadOnlyDict(dates)
