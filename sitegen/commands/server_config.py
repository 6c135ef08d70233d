"""`build.py server-config nginx|apache|headers`: the response headers of site.yaml's `server` section, for a
web server's configuration. Printed, never written into output/: a server's configuration is not for the public."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import BuildError, Problem
from ..loading.config import CONFIG_FILE
from ..loading.site import load_site
from ..rendering.server import apache_conf, header_plan, headers_file, nginx_conf

SERVERS = ("nginx", "apache", "headers")


def server_config(root: Path, base_url: str | None, server: str) -> int:
    try:
        site = load_site(root, base_url)
    except BuildError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return 1
    config = site.config
    if not config.server.declared:
        print(Problem(CONFIG_FILE, 1, "site.yaml has no 'server' section", "see README, 'Publishing'"), file=sys.stderr)
        return 1
    plan = header_plan(site)
    if server == "nginx":
        sys.stdout.write(nginx_conf(plan))
    elif server == "apache":
        sys.stdout.write(apache_conf(plan))
    else:
        sys.stdout.write(headers_file(plan, config.base_path))
    return 0
