"""What every bench entry point does before it measures: its settings and its preflight."""

from __future__ import annotations

import argparse
import os
import shutil
from typing import Mapping, TypeVar

from .proc import BenchError

SettingsT = TypeVar("SettingsT")


def settings_from(args: argparse.Namespace, settings_type: type[SettingsT], quick: Mapping) -> SettingsT:
    """Defaults, then `--quick`, then explicit flags: any flag named like a settings field."""
    settings = settings_type(**(quick if args.quick else {}))
    for name in settings_type.__dataclass_fields__:
        value = getattr(args, name, None)
        if value is not None:
            setattr(settings, name, value)
    return settings


def preflight(required_tools: Mapping[str, str], make_target: str) -> None:
    """Root and the tools; raises BenchError naming the Debian packages to install."""
    if os.geteuid() != 0:
        raise BenchError("must run as root (namespaces, veth, trafgen)")
    missing = sorted({package for tool, package in required_tools.items() if not shutil.which(tool)})
    if missing:
        raise BenchError(f"missing tools; install with `make {make_target}` or `apt-get install {' '.join(missing)}`")
