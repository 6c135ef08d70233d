"""Command line: parse arguments, run one command, turn problems into lines and exit codes."""

from __future__ import annotations

import argparse
import errno
import signal
import sys
import traceback
from collections.abc import Callable
from pathlib import Path

from ..errors import BuildError
from ..loading.files import relative

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 128 + signal.SIGINT, 128 + signal.SIGTERM  # as a shell reports them


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(
        prog="build.py",
        description="Build the bilingual site from site.yaml and "
        "content/ into output/. Without a command, 'build' runs.",
    )
    main.add_argument(
        "--root", type=Path, default=Path.cwd(), help="the site's folder, with site.yaml (default: the current folder)"
    )
    main.add_argument("--debug", action="store_true", help="show Python tracebacks")
    main.add_argument("--base-url", help="publish under another address or sub-path, e.g. /preview/")
    commands = main.add_subparsers(dest="command", metavar="COMMAND")
    build = commands.add_parser("build", help="build the site into output/ (drafts excluded)")
    build.add_argument(
        "--no-cache",
        action="store_true",
        help="build without the cache, workers or Markdown speed-ups, if you suspect them",
    )
    serve = commands.add_parser("serve", help="build with drafts, serve output/ and reload the browser on save")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    check = commands.add_parser("check", help="run every strict check; list problems as path:line")
    check.add_argument(
        "--format",
        choices=("text", "json", "github", "gitlab"),
        default="text",
        help="text: a line per problem; json; github: workflow commands, which GitHub shows on a pull request's "
        "lines; gitlab: a Code Quality report (JSON), the same on a merge request",
    )
    check.add_argument(
        "--external",
        action="store_true",
        help="also ask the servers of every http(s) link whether it still works (dead links fail the check, "
        "permanent redirects warn); links found alive are not asked again for 24 hours",
    )
    check.add_argument(
        "--timeout",
        type=seconds,
        default=10.0,
        metavar="SECONDS",
        help="with --external: how long to wait for each server's answer (default: 10)",
    )
    server = commands.add_parser(
        "server-config", help="print the response headers of site.yaml's 'server' section for a web server"
    )
    server.add_argument(
        "server",
        choices=("nginx", "apache", "headers"),
        help="nginx: for the site's server block; apache: for its VirtualHost or .htaccess; headers: the "
        "_headers file every build writes into output/",
    )
    new = commands.add_parser("new", help="create a page pair with front matter in every language")
    new.add_argument("name", help="section/name, e.g. news/2026-11-22-open-call")
    i18n = commands.add_parser("i18n", help="translator's workflow for the interface catalogues")
    i18n.add_argument(
        "action",
        choices=("extract", "update", "status"),
        help="extract: templates -> locales/messages.pot; update: .pot -> each .po; "
        "status: what is translated, missing or out of date",
    )
    return main


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value <= 600:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds between 0 and 600")
    return value


class Terminated(BaseException):
    """SIGTERM, raised where the build is, like Ctrl+C's KeyboardInterrupt."""


def terminate(number: int, frame: object) -> None:
    raise Terminated()


HINTS = {
    errno.ENOSPC: "free some disk space, then build again",
    errno.EDQUOT: "free some space, then build again",
    errno.EACCES: "make it writable, or set paths.output in site.yaml to a folder that is",
    errno.EPERM: "make it writable (see chattr and chmod), or set paths.output in site.yaml to another folder",
    errno.EROFS: "the disk is read-only: set paths.output in site.yaml to a folder on another one",
}


def main(argv: list[str] | None = None) -> int:
    arguments = parser().parse_args(argv)
    root = arguments.root.resolve()
    progress = {"written": False}
    if arguments.command != "serve":  # the preview's event loop would swallow the exception: SIGTERM ends it
        signal.signal(signal.SIGTERM, terminate)
    try:
        return run(arguments, root, lambda: progress.update(written=True))
    except BuildError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        count = len(error.problems)
        print(f"build failed: {count} problem{'s' if count != 1 else ''}; output/ was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    except (KeyboardInterrupt, Terminated) as interrupt:
        if arguments.command == "serve":
            return EXIT_OK  # Ctrl+C is how the preview ends
        print(
            "interrupted; "
            + (
                "output/ holds the new build, written just before"
                if progress["written"]
                else "output/ was left as it was"
            ),
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED if isinstance(interrupt, KeyboardInterrupt) else EXIT_TERMINATED
    except OSError as error:
        if arguments.debug:
            traceback.print_exc()
        print(disk_problem(error, root), file=sys.stderr)
        if arguments.command in (None, "build"):
            print("build failed; output/ was left as it was", file=sys.stderr)
        return EXIT_CONTENT
    except Exception as error:  # noqa: BLE001 - the last line of defence: one line, no traceback
        if arguments.debug:
            traceback.print_exc()
        print(f"internal error: {type(error).__name__}: {error} (run with --debug for details)", file=sys.stderr)
        return EXIT_CONTENT


def disk_problem(error: OSError, root: Path) -> str:
    """One line: the folder, the file where known, the cause and what to do. A full disk or a folder that
    cannot be written is the machine's problem, not the content's, so it names no line."""
    cause = error.strerror or str(error)
    hint = HINTS.get(error.errno or 0, "check the disk and the folder's permissions, then build again")
    if not error.filename:  # a write to an open file (a cache): the site's disk
        return f"{root}/: cannot write into the site's folder ({cause}); {hint}"
    shown = relative(Path(str(error.filename)), root)
    return f"{shown.split('/')[0]}/: cannot write {shown} ({cause}); {hint}"


def run(arguments: argparse.Namespace, root: Path, written: Callable[[], None]) -> int:
    command = arguments.command or "build"
    if command == "serve":
        from .serve import serve

        return serve(root, arguments.host, arguments.port)
    if command == "check":
        from .check import check
        from .probe import Settings

        return check(root, arguments.format, Settings(timeout=arguments.timeout) if arguments.external else None)
    if command == "server-config":
        from .server_config import server_config

        return server_config(root, arguments.base_url, arguments.server)
    if command == "new":
        from .new import new_page

        return new_page(root, arguments.name)
    if command == "i18n":
        from .catalogs import i18n

        return i18n(root, arguments.action)
    if getattr(arguments, "no_cache", False):
        from .pipeline import build_plain

        return report_build(build_plain(root, base_url=arguments.base_url, written=written))
    from ..loading.config import load_config
    from ..output.writer import list_output
    from ..speed.parallel import Background
    from ..speed.unchanged import take_snapshot, up_to_date

    config = load_config(root, arguments.base_url)
    present = Background(list_output, config.path("output"))  # output/ is listed on the other core
    try:
        snapshot = take_snapshot(config, production=True, drafts=False)
        record = up_to_date(snapshot, present.result, root)
        if record is not None:
            for message in record["messages"]:
                print(message, file=sys.stderr)
            print(
                f"nothing changed since the last build: {config.path('output')} is up to date "
                f"({len(record['outputs'])} files)",
                file=sys.stderr,
            )
            return EXIT_OK
        from .pipeline import build

        result = build(root, base_url=arguments.base_url, snapshot=snapshot, present=present.result, written=written)
    finally:
        present.close()
    return report_build(result)


def report_build(result) -> int:
    from .pipeline import result_messages

    for message in result_messages(result):
        print(message, file=sys.stderr)
    report = result.report
    print(
        f"built {len(result.site.pages)} pages into {result.site.config.path('output')}: "
        f"{report.written} written, {report.unchanged} unchanged, {report.removed} removed",
        file=sys.stderr,
    )
    return EXIT_OK
