#!/usr/bin/env python3
"""check_layers.py -- every #include line of runtime/ against the layer order.

Usage: check_layers.py RUNTIME_DIR LAYER:BELOW,BELOW ...

Each argument names one layer (a folder of RUNTIME_DIR) and the layers it is
declared on in runtime/CMakeLists.txt. A file of a layer may include its own
layer's headers and those of every layer below it (the declared layers and,
through them, theirs). The check fails, naming the file, the line and the
header, when a file includes a header of any other layer, includes a header by
a relative path ("../"), or lives in a folder that is not a declared layer; and
when the declared layers or the folder include graph (measured from the
#include lines) have a cycle. Headers are found as the build finds them:
"layer/name.hpp" in runtime/layer/, "fastqueue/name.hpp" in
runtime/<layer>/include/fastqueue/. Headers of no runtime layer (the standard
library, third-party libraries, the plugin SDK) are not checked.
"""

import re
import sys
from pathlib import Path

INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
SOURCE_SUFFIXES = {".cpp", ".hpp", ".h", ".c"}


def parse_layers(arguments):
    below = {}
    for argument in arguments:
        name, _, names = argument.partition(":")
        below[name] = [layer for layer in names.split(",") if layer]
    return below


def find_cycle(graph):
    """A list of nodes forming a cycle in graph (node -> successors), or None."""
    state = {}  # node -> "open" while on the path, "done" once finished
    path = []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for successor in sorted(graph.get(node, ())):
            if state.get(successor) == "open":
                return path[path.index(successor):] + [successor]
            if successor not in state:
                cycle = visit(successor)
                if cycle:
                    return cycle
        path.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            cycle = visit(node)
            if cycle:
                return cycle
    return None


def reachable(below, layer):
    """Every layer under `layer` through its declared layers."""
    seen = set()
    stack = list(below.get(layer, ()))
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(below.get(current, ()))
    return seen


def public_headers(runtime, layers):
    """"fastqueue/name.hpp" -> the layer whose include/ folder holds it."""
    owners = {}
    for layer in layers:
        include_dir = runtime / layer / "include"
        for header in include_dir.rglob("*") if include_dir.is_dir() else ():
            if header.is_file():
                owners[header.relative_to(include_dir).as_posix()] = layer
    return owners


def main(argv):
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    runtime = Path(argv[1])
    below = parse_layers(argv[2:])
    problems = []

    for layer, names in sorted(below.items()):
        for name in names:
            if name not in below:
                problems.append(f"layer '{layer}' is declared on '{name}', which is no layer")
    cycle = find_cycle(below)
    if cycle:
        problems.append("the declared layers have a cycle: " + " -> ".join(cycle))

    owners = public_headers(runtime, below)
    allowed = {layer: reachable(below, layer) | {layer} for layer in below}
    folder_graph = {}
    for path in sorted(runtime.rglob("*")):
        if path.suffix not in SOURCE_SUFFIXES or not path.is_file():
            continue
        relative = path.relative_to(runtime)
        if len(relative.parts) < 2:
            continue  # files directly in runtime/ belong to no layer
        layer = relative.parts[0]
        if layer not in below:
            problems.append(f"{relative}: folder '{layer}' is not a declared layer "
                            "(add it with fastqueue_add_layer in runtime/CMakeLists.txt)")
            continue
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        for number, line in enumerate(lines, start=1):
            match = INCLUDE.match(line)
            if not match:
                continue
            header = match.group(1)
            if ".." in Path(header).parts:
                problems.append(f"{relative}:{number}: includes \"{header}\" by a relative path; "
                                "name it from its layer (\"layer/name.hpp\")")
                continue
            first = header.split("/")[0]
            if header in owners:
                target = owners[header]
            elif "/" in header and first in below and (runtime / header).is_file():
                target = first
            else:
                continue  # not a runtime layer's header
            folder_graph.setdefault(layer, set())
            if target != layer:
                folder_graph[layer].add(target)
            if target not in allowed[layer]:
                problems.append(f"{relative}:{number}: layer '{layer}' includes \"{header}\" of "
                                f"layer '{target}', which is not below it")

    cycle = find_cycle(folder_graph)
    if cycle:
        problems.append("the folder include graph has a cycle: " + " -> ".join(cycle))

    for problem in problems:
        print(problem)
    if problems:
        print(f"check_layers: {len(problems)} problem(s); docs/architecture.md shows the layers")
        return 1
    edges = sum(len(targets) for targets in folder_graph.values())
    print(f"check_layers: {len(below)} layers, {edges} folder include edges, all downward")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
