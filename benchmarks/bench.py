"""The build benchmark: `make bench` (or python benchmarks/bench.py --sizes 1000 10000 --runs 3).

For each size it makes a synthetic site (benchmarks/make_site.py), then times, as the median of
--runs runs with the spread: a cold build, a rebuild with nothing changed, rebuilds after editing one
page's body, one page's title, one partner record and base.html, the time from saving a page to the
preview answering with it (text added at the end, and as a new first paragraph), and the peak memory
of the whole process tree. It also measures the Markdown-conversion floor: Python-Markdown alone over
the same pages on every core; and, as the disk's part, the time to create output/'s folders and files.
And the search index: Pagefind's own command line over the built output/, against what the build does
for its index (the same Pagefind, through its Python API), each run in turn; `--only search` runs that
part alone, with the rebuilds it concerns.
Folders it replaces (an old synthetic site, output/ and the cache before a cold build) are moved aside and
deleted when it ends: see Trash.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROJECT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(PROJECT))

from make_site import make_site  # noqa: E402

BUILD = [sys.executable, str(PROJECT / "build.py")]
CACHE_DIRS = (".cache",)


class Trash:
    """Folders the benchmark is done with are moved here and deleted only when it ends. Deleting them at once
    would slow the builds that follow on some disks: ext4 without a journal (this machine's) does not reuse an
    inode freed in the last 60-360 seconds, and checks each such inode, one by one, on every file creation.
    Creating output/'s 48,000 files and folders took 18-23 s of system time right after deleting as many, and
    1.3-1.7 s without that."""

    def __init__(self, folder: Path):
        self.folder, self.count = folder, 0

    def put(self, path: Path) -> None:
        if path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            self.count += 1
            path.rename(self.folder / f"{os.getpid()}-{self.count}")

    def empty(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def tree_memory(pid: int) -> tuple[int, int]:
    """Resident memory of a process and all its descendants, in bytes: summed RSS (counts pages that forked
    workers share with the parent once per process) and summed PSS (shares them out: the memory really used)."""
    rss = pss = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack += [int(child) for child in handle.read().split()]
        except (FileNotFoundError, ProcessLookupError, PermissionError, ValueError):
            continue
    return rss, pss


def settle() -> None:
    """Write back what earlier steps left in the page cache (a cold build leaves 400 MB), so that the kernel
    writing it to disk does not slow the step being timed. Body edits timed a few minutes after three cold
    builds took 1.48-2.11 s; by hand on a quiet disk 1.12-1.22 s, and up to 2.29 s (0.8 s of it neither
    user nor system time) while 2 GB of earlier output was being deleted."""
    os.sync()


def timed(command: list[str], env: dict | None = None) -> dict:
    """Wall and CPU seconds and peak tree memory of one command."""
    settle()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    peak = peak_pss = 0
    while process.poll() is None:
        rss, pss = tree_memory(process.pid)
        peak, peak_pss = max(peak, rss), max(peak_pss, pss)
        time.sleep(0.02)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{process.stderr.read().decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss": peak, "pss": peak_pss}


def build(root: Path) -> dict:
    return timed([*BUILD, "--root", str(root), "build"])


def clear_cache(root: Path, trash: Trash) -> None:
    for name in (*CACHE_DIRS, "output"):
        trash.put(root / name)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def markdown_floor(root: Path) -> float:
    """Seconds for Python-Markdown alone to convert every page body, on all cores."""
    files = sorted((root / "content").rglob("*.md"))
    bodies = [f.read_text(encoding="utf-8").split("---\n", 2)[-1] for f in files]
    settle()
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(os.cpu_count()) as pool:
        pool.map(_convert_chunk, [bodies[i :: os.cpu_count()] for i in range(os.cpu_count())])
    return time.perf_counter() - start


def _convert_chunk(bodies: list[str]) -> int:
    import markdown

    md = markdown.Markdown(extensions=["tables", "footnotes", "attr_list", "toc", "fenced_code", "sane_lists"])
    for body in bodies:
        md.reset().convert(body)
    return len(bodies)


def file_system_floor(output: Path, scratch: Path, trash: Trash) -> float:
    """Seconds to create output/'s folders and files again (same names and sizes) in a fresh folder on the same
    disk, on every core: what writing the output costs here, which the Markdown floor leaves out. On this kind
    of virtual machine one folder or file creation has taken between 0.1 and 0.8 ms of system CPU."""
    files = [(path.relative_to(output), path.stat().st_size) for path in output.rglob("*") if path.is_file()]
    trash.put(scratch)
    scratch.mkdir(parents=True)
    settle()
    cores = os.cpu_count() or 1
    start = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(cores) as pool:
        pool.map(_create_files, [(scratch, files[i::cores]) for i in range(cores)])
    elapsed = time.perf_counter() - start
    trash.put(scratch)
    return elapsed


def _create_files(job: tuple[Path, list[tuple[Path, int]]]) -> None:
    scratch, files = job
    for relative, size in files:
        target = scratch / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(b"x" * size)


def search_index(root: Path, runs: int, workdir: Path, trash: Trash) -> tuple[list[dict], list[dict], int]:
    """Seconds for Pagefind's command line over output/ (`python -m pagefind --site output`, as a maintainer
    would index the site: it reads every HTML file and keeps the pages with data-pagefind-body), and for the
    build's own step over the same pages (speed/search.py's add_bundle: the indexed pages linked into a folder
    by rank, Pagefind through its Python API, every file of the bundle read and digested for the writer), in
    turn: wall and CPU seconds (Pagefind's process included) of each. Which pages are indexed the build knows
    from its memo; here it is worked out before timing."""
    from sitegen.digests import digest
    from sitegen.output.search import asks_to_be_indexed, bundle_files, gather_pages, index_folder

    output = root / "output"
    pages = sorted(
        (path.relative_to(output).as_posix(), path)
        for path in output.rglob("*.html")
        if asks_to_be_indexed(path.read_bytes())
    )
    cli, step = [], []
    for _ in range(runs):
        target = workdir / "pagefind-cli"
        trash.put(target)
        command = [sys.executable, "-m", "pagefind", "--site", str(output), "--output-path", str(target)]
        cli.append(timed([*command, "--silent"]))
        trash.put(target)
        workspace = workdir / "index-step"
        trash.put(workspace)
        settle()
        before = cpu_seconds()
        start = time.perf_counter()
        gather_pages(pages, workspace / "pages")
        index_folder(workspace / "pages", workspace / "bundle")
        for file in bundle_files(workspace / "bundle").values():
            digest(file.read_bytes())
        step.append({"wall": time.perf_counter() - start, "cpu": cpu_seconds() - before})
        trash.put(workspace)
    return cli, step, len(pages)


def cpu_seconds() -> float:
    """User and system CPU of this process and of its children that have ended (Pagefind's, once it has)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def preview_latency(root: Path, runs: int, first_paragraph: bool = False) -> list[float]:
    """Seconds from saving a page to the preview server answering with the new text: added at the end of
    the body, or (first_paragraph) as a new first paragraph, which changes the summary its section lists."""
    port = free_port()
    server = subprocess.Popen(
        [*BUILD, "--root", str(root), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    page = root / "content/bench/page-00001.en.md"
    url = f"http://127.0.0.1:{port}/en/bench/page-00001/"
    try:
        wait_until(lambda: b"<html" in get(url), 600)
        settle()
        results = []
        for run in range(runs):
            marker = f"latency-marker-{run}-{time.time_ns()}"
            text = page.read_text(encoding="utf-8")
            head, _, body = text.partition("\n---\n")
            edited = f"{head}\n---\n{marker}\n\n{body}" if first_paragraph else f"{text}\n{marker}\n"
            start = time.perf_counter()
            page.write_text(edited, encoding="utf-8")
            wait_until(lambda marker=marker: marker.encode() in get(url), 600)
            results.append(time.perf_counter() - start)
            time.sleep(1)
        return results
    finally:
        server.terminate()
        server.wait()


def get(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except OSError:
        return b""


def wait_until(condition, limit: float) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.005)
    raise SystemExit("timed out waiting for the preview")


def summary(values: list[float], unit: str = "s") -> str:
    median = statistics.median(values)
    spread = f"{min(values):.2f}–{max(values):.2f}" if len(values) > 1 else "single run"
    return f"{median:7.2f} {unit}  (n={len(values)}, {spread})"


def bench_search(root: Path, runs: int, workdir: Path, trash: Trash) -> None:
    cli, step, indexed = search_index(root, runs, workdir, trash)
    print(f"search index: {indexed:,} pages with data-pagefind-body")
    for kind in ("wall", "cpu"):
        ratio = statistics.median(r[kind] for r in step) / statistics.median(r[kind] for r in cli)
        print(f"  Pagefind's CLI, {kind}:             {summary([r[kind] for r in cli])}")
        print(f"  the build's step, {kind}:           {summary([r[kind] for r in step])}  = {ratio:.2f}× the CLI")


def bench_size(pages: int, partners: int, runs: int, workdir: Path, trash: Trash, only: str | None) -> None:
    trash.put(workdir / f"site-{pages}")
    root = make_site(workdir / f"site-{pages}", PROJECT, pages, partners)
    page_count = pages * 2
    print(f"\n== N = {pages:,} page pairs, M = {partners:,} partner records ==", flush=True)
    if only == "search":
        cold = build(root)
        print(f"cold build, wall:                  {summary([cold['wall']])}")
        bench_search(root, runs, workdir, trash)
        for name, change in {
            "no change": lambda i: None,
            "one page's body": lambda i: edit(root / "content/bench/page-00002.en.md", "\n## ", f"\nEdit {i}.\n\n## "),
            "search index deleted": lambda i: trash.put(root / "output/pagefind"),
        }.items():
            results = []
            for run in range(runs):
                change(run)
                results.append(build(root))
            print(f"rebuild after {name + ':':20s}{summary([r['wall'] for r in results])}")
        return
    floor = [markdown_floor(root) for _ in range(runs)]
    cold, file_system = [], []
    for _ in range(runs):
        clear_cache(root, trash)
        cold.append(build(root))
        file_system.append(file_system_floor(root / "output", workdir / "file-system-floor", trash))
    total_pages = sum(1 for _ in (root / "output").rglob("*.html"))
    print(f"HTML files written:                {total_pages:,} ({page_count:,} Markdown pages)")
    print(f"Markdown floor (all cores):        {summary(floor)}")
    print(
        f"cold build, wall:                  {summary([r['wall'] for r in cold])}"
        f"  = {statistics.median(r['wall'] for r in cold) / statistics.median(floor):.2f}× the floor"
    )
    print(f"file-system floor (all cores):     {summary(file_system)}  (creating output/'s folders and files)")
    floors = statistics.median(floor) + statistics.median(file_system)
    print(f"  cold build / (Markdown + file-system floors): {statistics.median(r['wall'] for r in cold) / floors:.2f}")
    print(f"cold build, CPU:                   {summary([r['cpu'] for r in cold])}")
    print(f"cold build, pages per second:      {total_pages / statistics.median(r['wall'] for r in cold):7.0f}")
    print(
        f"cold build, peak memory (tree):    {statistics.median(r['rss'] for r in cold) / 2**20:7.0f} MB RSS, "
        f"{statistics.median(r['pss'] for r in cold) / 2**20:.0f} MB PSS"
    )
    bench_search(root, runs, workdir, trash)
    scenarios = {
        "no change": lambda i: None,
        "one page's body": lambda i: edit(root / "content/bench/page-00002.en.md", "\n## ", f"\nEdit {i}.\n\n## "),
        "one page's title": lambda i: edit(root / "content/bench/page-00003.en.md", 'title: "', f'title: "T{i} '),
        "one partner record": lambda i: edit(root / "content/data/partners.yaml", "city: ", f"city: X{i}"),
        "base.html": lambda i: edit(root / "templates/base.html", "</body>", f"<!-- {i} --></body>"),
    }
    peaks = [r["rss"] for r in cold]
    peaks_pss = [r["pss"] for r in cold]
    for name, change in scenarios.items():
        results = []
        for run in range(runs):
            change(run)
            results.append(build(root))
        peaks += [r["rss"] for r in results]
        peaks_pss += [r["pss"] for r in results]
        print(f"rebuild after {name + ':':20s}{summary([r['wall'] for r in results])}")
    latency = preview_latency(root, runs)
    print(f"save -> preview serves new page:   {summary([x * 1000 for x in latency], 'ms')}")
    latency = preview_latency(root, runs, first_paragraph=True)
    print(f"  ... first paragraph (summary):   {summary([x * 1000 for x in latency], 'ms')}")
    print(f"peak memory, any build (tree):     {max(peaks) / 2**20:7.0f} MB RSS, {max(peaks_pss) / 2**20:.0f} MB PSS")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="page pairs")
    parser.add_argument("--partners", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=None, help="where the synthetic sites go")
    parser.add_argument("--only", choices=["search"], help="search: the search index and its rebuilds alone")
    arguments = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.platform()}"
    )
    workdir = arguments.workdir or Path(tempfile.mkdtemp(prefix="sitegen-bench-"))
    trash = Trash(workdir / "trash")
    try:
        for size in arguments.sizes:
            bench_size(size, arguments.partners, arguments.runs, workdir, trash, arguments.only)
    finally:
        trash.empty()


if __name__ == "__main__":
    main()
