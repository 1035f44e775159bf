"""Reads docker-compose.yml and .env files the way Docker Compose does, as far as the tests need."""

import re
from pathlib import Path
from typing import Any

import yaml

# `$$` (a literal `$`), `${NAME}` with its modifiers, or `$NAME`.
_VARIABLE = re.compile(r"\$(?:(?P<escaped>\$)|\{(?P<braced>[^}]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")
_BRACED = re.compile(r"(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?+])(?P<arg>.*))?", re.DOTALL)


class MissingVariable(Exception):
    pass


def load(path: Path) -> dict[str, Any]:
    """The compose file as YAML (anchors and merge keys resolved), not yet interpolated."""
    return yaml.safe_load(path.read_text())


def read_env_file(path: Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def variables(node: Any) -> set[str]:
    """Every variable the compose file substitutes."""
    if isinstance(node, dict):
        return set().union(*(variables(v) for v in node.values())) if node else set()
    if isinstance(node, list):
        return set().union(*(variables(v) for v in node)) if node else set()
    if isinstance(node, str):
        names = set()
        for match in _VARIABLE.finditer(node):
            if match.group("plain"):
                names.add(match.group("plain"))
            elif match.group("braced") is not None:
                names.add(_braced(match.group("braced")).group("name"))
        return names
    return set()


def interpolate(node: Any, env: dict[str, str]) -> Any:
    """Compose's substitution in every string value: `${X}`, `${X:-default}`, `${X-default}`,
    `${X:?error}`, `${X?error}`, `${X:+other}`, `${X+other}`, `$X` and `$$`."""
    if isinstance(node, dict):
        return {k: interpolate(v, env) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate(v, env) for v in node]
    if isinstance(node, str):
        return _VARIABLE.sub(lambda m: _substitute(m, env), node)
    return node


def _braced(text: str) -> re.Match[str]:
    match = _BRACED.fullmatch(text)
    if match is None:
        raise ValueError(f"invalid substitution ${{{text}}}")
    return match


def _substitute(match: re.Match[str], env: dict[str, str]) -> str:
    if match.group("escaped"):
        return "$"
    if match.group("plain"):
        return env.get(match.group("plain"), "")
    braced = _braced(match.group("braced"))
    name, op, arg = braced.group("name"), braced.group("op"), braced.group("arg")
    value = env.get(name)
    unset_or_empty = not value if op and op.startswith(":") else value is None
    if op in (":-", "-"):
        return arg if unset_or_empty else value
    if op in (":?", "?"):
        if unset_or_empty:
            raise MissingVariable(f"{name}: {arg}")
        return value
    if op in (":+", "+"):
        return "" if unset_or_empty else arg
    return value or ""


def host_port(entry: Any) -> str | None:
    """The published host port of a `ports` entry (short or long syntax), None if Docker picks one."""
    if isinstance(entry, dict):
        published = entry.get("published")
        return str(published) if published not in (None, "") else None
    parts = str(entry).split(":")
    # "8001" | "8000:8000" | "127.0.0.1:8025:8025" | "127.0.0.1::8001"
    if len(parts) == 1:
        return None
    return parts[-2] or None
