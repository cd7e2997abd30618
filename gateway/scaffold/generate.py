"""``karmayogi new-plugin NAME``: writes a pip-installable plugin package.

The package has its entry point in the ``karmayogi_gateway`` group, hook
implementations, a settings model, a table with its own Alembic lineage and
tests that pass against the gateway's fixtures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from gateway.plugins import DEFAULT_PLUGINS

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
RESERVED = {"core", "security", "gateway", "schema", "plugins", "test"} | {
    name for name, _ in DEFAULT_PLUGINS
}

# (template, path inside the package directory); $package is the module name.
FILES: tuple[tuple[str, str], ...] = (
    ("pyproject.toml.tmpl", "pyproject.toml"),
    ("README.md.tmpl", "README.md"),
    ("__init__.py.tmpl", "$package/__init__.py"),
    ("plugin.py.tmpl", "$package/plugin.py"),
    ("settings.py.tmpl", "$package/settings.py"),
    ("models.py.tmpl", "$package/models.py"),
    ("graphql.py.tmpl", "$package/graphql.py"),
    ("migration_0001.py.tmpl", "$package/migrations/versions/0001_initial.py"),
    ("conftest.py.tmpl", "tests/conftest.py"),
    ("test_plugin.py.tmpl", "tests/test_plugin.py"),
)


class ScaffoldError(ValueError):
    """The name or the target directory can't be used; the message says why."""


@dataclass(frozen=True)
class PluginNames:
    name: str  # entry-point and settings name: hr_training
    package: str  # module: karmayogi_hr_training
    dashed: str  # distribution suffix: hr-training
    camel: str  # GraphQL field prefix: hrTraining
    title: str  # Hr Training

    @classmethod
    def from_argument(cls, raw: str) -> PluginNames:
        name = raw.strip().lower().replace("-", "_")
        if name.startswith("karmayogi_"):
            name = name.removeprefix("karmayogi_")
        if not NAME_PATTERN.match(name) or name.endswith("_") or "__" in name:
            raise ScaffoldError(
                f"Plugin name {raw!r} must be 2-40 characters of lower-case letters, digits "
                "and single underscores or hyphens, starting with a letter (e.g. hr_training)."
            )
        if name in RESERVED:
            raise ScaffoldError(f"Plugin name {name!r} is reserved; choose another.")
        words = name.split("_")
        return cls(
            name=name,
            package=f"karmayogi_{name}",
            dashed=name.replace("_", "-"),
            camel=words[0] + "".join(w.title() for w in words[1:]),
            title=" ".join(w.title() for w in words),
        )

    def substitutions(self) -> dict[str, str]:
        return {
            "name": self.name,
            "package": self.package,
            "dashed": self.dashed,
            "camel": self.camel,
            "title": self.title,
            "upper": self.name.upper(),
        }


def new_plugin(raw_name: str, parent: Path) -> Path:
    """Write the package for ``raw_name`` under ``parent``; return its directory.

    Refuses to write into an existing non-empty directory.
    """
    names = PluginNames.from_argument(raw_name)
    target = parent / f"karmayogi-{names.dashed}"
    if target.exists() and any(target.iterdir()):
        raise ScaffoldError(f"{target} already exists and is not empty; nothing was written.")
    values = names.substitutions()
    templates = resources.files("gateway.scaffold") / "template"
    for template_name, relative in FILES:
        text = (templates / template_name).read_text(encoding="utf-8")
        path = target / Template(relative).substitute(values)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(Template(text).substitute(values), encoding="utf-8")
    return target
