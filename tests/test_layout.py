"""The package's layers, as the README's Architecture section draws them: the
core imports nothing of essaykit's outside itself; the checker only the core."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import essaykit

PACKAGE = Path(essaykit.__file__).parent

# subpackage -> the essaykit modules it may import from
ALLOWED = {
    "core": ("essaykit.core",),
    "check": ("essaykit.core", "essaykit.check"),
    "dashboard": ("essaykit.core", "essaykit.check", "essaykit.dashboard"),
    # `essaykit init`: the core, and the scaffold that writes its example essay
    "start": ("essaykit.core", "essaykit.start", "essaykit.scaffold"),
}


def essaykit_imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = [node.module] if node.module != "essaykit" else [
                f"essaykit.{alias.name}" for alias in node.names]
            found += [(node.lineno, name) for name in names if name.startswith("essaykit")]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names
                      if alias.name.startswith("essaykit")]
    return found


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_a_layer_imports_only_what_is_below_it(layer: str) -> None:
    wrong = [f"{path.relative_to(PACKAGE)}:{line}: {name}"
             for path in sorted((PACKAGE / layer).rglob("*.py"))
             for line, name in essaykit_imports(path)
             if not name.startswith(ALLOWED[layer])]
    assert wrong == []


def test_the_package_has_no_relative_imports() -> None:
    """Absolute imports say where a name comes from; the layer test reads them."""
    relative = [f"{path.relative_to(PACKAGE)}:{node.lineno}"
                for path in sorted(PACKAGE.rglob("*.py"))
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                if isinstance(node, ast.ImportFrom) and node.level]
    assert relative == []


def test_the_import_reader_sees_every_form(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from essaykit.sphinx_ext import state\nfrom essaykit import build\n"
                      "import essaykit.cli\nfrom . import sibling\nimport os\n", encoding="utf-8")
    assert [name for _, name in essaykit_imports(module)] == [
        "essaykit.sphinx_ext", "essaykit.build", "essaykit.cli"]


def test_every_data_file_of_the_package_is_package_data() -> None:
    """A file the package reads at run time ships in the wheel only when a
    package-data pattern names it (tests/test_wheel.py installs the wheel and
    uses it; this is the fast half of that guard)."""
    import tomllib

    pyproject = tomllib.loads((PACKAGE.parents[1] / "pyproject.toml").read_text("utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["essaykit"]
    shipped = {path for pattern in patterns for path in PACKAGE.glob(pattern)}
    # hidden folders (a tool's cache, say) are not the package's
    data = {path for path in PACKAGE.rglob("*") if path.is_file() and path.suffix not in
            (".py", ".pyc") and "__pycache__" not in path.parts
            and not any(part.startswith(".") for part in path.relative_to(PACKAGE).parts)}
    assert data, "no data files found: is the package where this test looks?"
    assert sorted(p.relative_to(PACKAGE).as_posix() for p in data - shipped) == []
