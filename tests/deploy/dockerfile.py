"""Reads the Dockerfile and .dockerignore the way BuildKit does, as far as the tests need them."""

import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath


@dataclass
class Instruction:
    keyword: str  # upper case: FROM, RUN, COPY, ...
    arguments: str

    @property
    def exec_form(self) -> list[str] | None:
        """The JSON array of an exec-form ENTRYPOINT/CMD (None for shell form)."""
        try:
            value = json.loads(self.arguments)
        except json.JSONDecodeError:
            return None
        return value if isinstance(value, list) and all(isinstance(v, str) for v in value) else None


@dataclass
class Stage:
    name: str
    base: str  # the image or stage it starts from, ARGs resolved
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]

    def one(self, keyword: str) -> Instruction:
        found = self.all(keyword)
        assert len(found) == 1, f"stage {self.name}: {len(found)} {keyword} instructions, expected one"
        return found[0]

    def healthcheck(self) -> tuple[str, list[str] | None]:
        """The HEALTHCHECK's options and its command in exec form (None for shell form)."""
        options, _, command = self.one("HEALTHCHECK").arguments.partition(" CMD ")
        return options, Instruction("CMD", command).exec_form

    def env(self) -> dict[str, str]:
        """ENV key=value pairs of this stage (not inherited ones)."""
        values: dict[str, str] = {}
        for instruction in self.all("ENV"):
            for pair in shlex.split(instruction.arguments):
                key, _, value = pair.partition("=")
                values[key] = value
        return values


@dataclass
class Dockerfile:
    global_args: dict[str, str]
    stages: dict[str, Stage]

    def lineage(self, name: str) -> list[Stage]:
        """The stage and the stages it builds on, nearest first."""
        chain = [self.stages[name]]
        while chain[-1].base in self.stages:
            chain.append(self.stages[chain[-1].base])
        return chain

    def inherited_env(self, name: str) -> dict[str, str]:
        env: dict[str, str] = {}
        for stage in reversed(self.lineage(name)):
            env.update(stage.env())
        return env


def _logical_lines(text: str) -> list[str]:
    lines, current = [], ""
    for raw in text.splitlines():
        stripped = raw.strip()
        if not current and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        lines.append(current + stripped)
        current = ""
    if current:
        lines.append(current)
    return lines


def parse(path: Path) -> Dockerfile:
    global_args: dict[str, str] = {}
    stages: dict[str, Stage] = {}
    current: Stage | None = None
    for line in _logical_lines(path.read_text()):
        keyword, _, arguments = line.partition(" ")
        keyword, arguments = keyword.upper(), arguments.strip()
        if keyword == "ARG" and current is None:
            name, _, default = arguments.partition("=")
            global_args[name] = default
        elif keyword == "FROM":
            match = re.fullmatch(r"(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?", arguments, re.IGNORECASE)
            assert match, f"cannot read FROM {arguments}"
            base = re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: global_args[m.group(1) or m.group(2)], match.group(1))
            name = match.group(2) or f"stage-{len(stages)}"
            current = stages[name] = Stage(name, base)
        else:
            assert current is not None, f"{keyword} before the first FROM"
            current.instructions.append(Instruction(keyword, arguments))
    return Dockerfile(global_args, stages)


class DockerIgnore:
    """BuildKit's .dockerignore rules: patterns in Go's filepath.Match syntax plus `**`, matched
    against the path and each of its parent directories; the last matching pattern decides, and
    a leading `!` re-includes."""

    def __init__(self, path: Path) -> None:
        self.patterns: list[tuple[bool, re.Pattern[str]]] = []
        for line in path.read_text().splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            include = line.startswith("!")
            pattern = str(PurePosixPath(line.lstrip("!").strip().lstrip("/")))
            self.patterns.append((include, re.compile(self._regex(pattern))))

    @staticmethod
    def _regex(pattern: str) -> str:
        out, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                out, i = out + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                out, i = out + ".*", i + 2
            elif pattern[i] == "*":
                out, i = out + "[^/]*", i + 1
            elif pattern[i] == "?":
                out, i = out + "[^/]", i + 1
            else:
                out, i = out + re.escape(pattern[i]), i + 1
        return out

    def excluded(self, relative: str) -> bool:
        parts = PurePosixPath(relative).parts
        candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
        excluded = False
        for include, regex in self.patterns:
            if any(regex.fullmatch(candidate) for candidate in candidates):
                excluded = not include
        return excluded
