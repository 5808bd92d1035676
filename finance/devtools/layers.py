"""The package graph, checked: one direction of dependencies, no cycles, no hidden imports.

    python -m finance.devtools.layers        # prints the graph; exit 1 on any problem

The data flows file -> validate -> store -> classify -> eligibility -> facts -> results, and the
code depends the same way. Each package sits on a layer and may import only from its own layer
or the layers below it; `tests/` may import anything. Every import counts, those inside
functions too: an import hidden in a function is still a dependency (its cycles and its
direction are checked like any other), and it is allowed only to defer something heavy, with a
comment on its line or the line above saying why. Imports under `if TYPE_CHECKING:` are for the type checker and do not count.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

#: Lowest first: (layer, the module prefixes on it). A module belongs to its longest prefix.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("domain", ("finance", "finance.domain", "finance.devtools")),
    ("store", ("finance.store",)),
    ("classify", ("finance.classify",)),
    ("importers", ("finance.importers",)),
    ("rules", ("rules",)),
    ("checks", ("finance.checks",)),
    ("reports", ("finance.reports",)),
    ("financing", ("finance.financing",)),
    ("exports", ("finance.exports",)),
    ("access", ("finance.access",)),
    ("demo", ("finance.demo",)),
    ("cli", ("finance.cli", "finance.__main__")),
    ("dashboards", ("dashboards",)),
)
PACKAGES = ("finance", "rules", "dashboards")


@dataclass(frozen=True)
class Import:
    """One import of a project module: who imports what, where, and whether it is hidden."""

    importer: str
    imported: str
    line: int
    hidden: bool
    #: a comment on the line or the line above says why it is deferred
    reasoned: bool


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def layer_of(module: str) -> int:
    """Index of the layer of `module` (its longest matching prefix)."""
    best, best_len = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def layer_name(index: int) -> str:
    return LAYERS[index][0]


def _absolute(node: ast.ImportFrom, me: str, is_package: bool) -> str:
    base = node.module or ""
    if not node.level:
        return base
    package = me if is_package else me.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{base}" if base else package


def _names(node: ast.Import | ast.ImportFrom, me: str, is_package: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = _absolute(node, me, is_package)
    return [f"{base}.{alias.name}" for alias in node.names] or [base]


def _type_checking_only(node: ast.stmt) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _walk(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement with whether it sits inside a function."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.stmt) and _type_checking_only(child):
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                found.append((child, in_function))
            inner = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            visit(child, inner)

    visit(tree, False)
    return found


@dataclass
class Graph:
    """The project's modules and their imports, read from the source (nothing is imported)."""

    root: Path
    modules: dict[str, Path]
    imports: list[Import]
    hidden_third_party: list[tuple[str, int, str]]

    @classmethod
    def read(cls, root: Path) -> Graph:
        files = [p for pkg in PACKAGES for p in sorted((root / pkg).rglob("*.py"))]
        modules = {module_name(root, p): p for p in files if "tests" not in p.parts}
        graph = cls(root, modules, [], [])
        for name, path in modules.items():
            graph._read_module(name, path)
        return graph

    def resolve(self, dotted: str) -> str | None:
        while dotted:
            if dotted in self.modules:
                return dotted
            dotted = dotted.rpartition(".")[0]
        return None

    def _read_module(self, name: str, path: Path) -> None:
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        is_package = path.name == "__init__.py"
        for node, hidden in _walk(ast.parse(source)):
            targets = {self.resolve(n) for n in _names(node, name, is_package)}
            targets.discard(None)
            targets.discard(name)
            if is_package:  # a package's face re-exporting its own modules is not a dependency
                targets = {t for t in targets if t and not t.startswith(name + ".")}
            reasoned = _commented(lines, node.lineno)
            for target in sorted(t for t in targets if t):
                self.imports.append(Import(name, target, node.lineno, hidden, reasoned))
            if hidden and not targets and not reasoned:
                self.hidden_third_party.append((name, node.lineno, ast.unparse(node)))

    def cycles(self) -> list[list[str]]:
        edges: dict[str, set[str]] = {m: set() for m in self.modules}
        for imp in self.imports:
            edges[imp.importer].add(imp.imported)
        return _strongly_connected(edges)

    def problems(self) -> list[str]:
        out = [f"cycle: {' <-> '.join(c)}" for c in self.cycles()]
        for imp in self.imports:
            where = f"{self.modules[imp.importer].relative_to(self.root)}:{imp.line}"
            if layer_of(imp.importer) < layer_of(imp.imported):
                out.append(
                    f"upward import: {imp.importer} ({layer_name(layer_of(imp.importer))}) "
                    f"imports {imp.imported} ({layer_name(layer_of(imp.imported))}) at {where}"
                )
            if imp.hidden and not imp.reasoned:
                out.append(f"import hidden in a function: {imp.imported} at {where}")
        for module, line, text in self.hidden_third_party:
            where = f"{self.modules[module].relative_to(self.root)}:{line}"
            out.append(f"deferred import without a reason (a comment): {text} at {where}")
        return out

    def layer_edges(self) -> Counter[tuple[str, str]]:
        return Counter(
            (layer_name(layer_of(i.importer)), layer_name(layer_of(i.imported)))
            for i in self.imports
            if layer_of(i.importer) != layer_of(i.imported)
        )


def _commented(lines: list[str], lineno: int) -> bool:
    same = lines[lineno - 1]
    before = lines[lineno - 2].strip() if lineno >= 2 else ""
    return "#" in same or before.startswith("#")


def _strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that import each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def render(graph: Graph) -> str:
    """The layers, lowest first, each with the layers it uses and how many imports."""
    uses: dict[str, list[str]] = {}
    for (src, dst), count in sorted(graph.layer_edges().items()):
        uses.setdefault(src, []).append(f"{dst} ({count})")
    rows = []
    for index in range(len(LAYERS)):
        name = layer_name(index)
        rows.append(f"{index:>2} {name:<11} uses {', '.join(uses.get(name, [])) or 'nothing'}")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(__file__).resolve().parents[2]
    graph = Graph.read(root)
    print(render(graph))
    problems = graph.problems()
    for problem in problems:
        print(problem)
    print(f"{len(graph.modules)} modules, {len(graph.imports)} imports, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
