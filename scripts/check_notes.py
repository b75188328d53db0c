#!/usr/bin/env python3
"""Checks that every `Note [X]` reference names a note that is defined.

  check_notes.py [--root DIR]     scan DIR (default: the repository holding this script)
  check_notes.py --self-test      check the checker on a small tree it writes itself

A note is defined by a comment line that starts with its title, alone or followed by a colon:

    // Note [Carved storages]
    # Note [Plugin linkage]
    // Note [Compiler warnings]: a build's -Werror ...

Every other `Note [X]` in a source, build or documentation file is a reference, also when the
title is broken across two comment lines. Errors: a reference to a note that is not defined,
and a title defined twice (a reference to it would be ambiguous). Warning: a reference that
says where the note is (`Note [X] in cuda/cuda_copy.cu`, a path relative to the referring
file when it starts with ./ or ../) while no file of that name defines it. Prints each
problem as `path:line: error|warning: message`; exits 1 when there is an error, or when no
note is defined at all (the scan found nothing, so it checked nothing).

Build trees (directories holding a CMakeCache.txt) and hidden directories are not scanned.
Standard library only.
"""
import argparse
import os
import re
import sys
import tempfile

SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".h", ".hpp", ".cu", ".cuh", ".inc", ".py", ".cmake", ".in", ".sh",
                   ".md", ".txt", ".cfg", ".test", ".json")

# A comment marker, then the title, then nothing or a colon and text.
DEFINITION = re.compile(r"^[ \t]*(?://+|#+|/?\*+)[ \t]*Note \[([^\]\n]+)\][ \t]*(?::.*)?$", re.M)
# A reference may wrap onto the next line, whose comment marker and indentation are not part
# of it.
GAP = r"(?:[ \t]+|[ \t]*\n[ \t]*(?://+|#+|\*)?[ \t]*)"
REFERENCE = re.compile(r"Note" + GAP + r"\[([^\]]+)\](?:" + GAP + r"in" + GAP + r"`?([\w./-]+))?")
LINE_JOIN = re.compile(r"[ \t]*\n[ \t]*(?://+|#+|\*)?[ \t]*")


def source_files(root):
    """Every file that may hold a note, except this script, whose examples are not notes."""
    this_script = os.path.realpath(__file__)
    for directory, subdirs, files in os.walk(root):
        if directory != root and "CMakeCache.txt" in files:
            subdirs[:] = []
            continue
        subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(directory, name)
            if (name.endswith(SOURCE_SUFFIXES) or name == "CMakeLists.txt") and os.path.realpath(path) != this_script:
                yield path


def line_of(text, offset):
    return text.count("\n", 0, offset) + 1


def defined_in(where, referrer, place):
    """Whether `where`, as written in `referrer`, names the file `place` (both relative to the root)."""
    place = place.replace(os.sep, "/")
    if where.startswith(("./", "../")):
        return os.path.normpath(os.path.join(os.path.dirname(referrer), where)).replace(os.sep, "/") == place
    return place == where or place.endswith("/" + where)


def looks_like_path(token):
    return "/" in token or re.search(r"\.[A-Za-z]{1,5}$", token) is not None


def scan(root):
    """Returns (definitions, references): title -> [(path, line)], and [(path, line, title, where)]."""
    definitions, references = {}, []
    for path in source_files(root):
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except (UnicodeDecodeError, OSError):
            continue
        if "Note" not in text:
            continue
        rel = os.path.relpath(path, root)
        defined_at = set()
        for m in DEFINITION.finditer(text):
            definitions.setdefault(m.group(1).strip(), []).append((rel, line_of(text, m.start(1))))
            defined_at.add(m.start(1))
        for m in REFERENCE.finditer(text):
            if m.start(1) in defined_at:
                continue
            title = LINE_JOIN.sub(" ", m.group(1)).strip()
            where = (m.group(2) or "").rstrip(".")
            references.append((rel, line_of(text, m.start()), title, where if looks_like_path(where) else None))
    return definitions, references


def problems(root):
    definitions, references = scan(root)
    found = []
    for title, places in sorted(definitions.items()):
        if len(places) > 1:
            others = ", ".join(f"{p}:{n}" for p, n in places[1:])
            found.append((*places[0], "error", f"Note [{title}] is defined more than once (also at {others})"))
    for path, line, title, where in references:
        places = definitions.get(title)
        if not places:
            found.append((path, line, "error", f"Note [{title}] is not defined anywhere"))
        elif where is not None and not any(defined_in(where, path, p) for p, _ in places):
            defined = ", ".join(p for p, _ in places)
            found.append((path, line, "warning", f"Note [{title}] is said to be in {where}, but is defined in {defined}"))
    return sorted(found), len(definitions), len(references)


def report(root):
    found, n_definitions, n_references = problems(root)
    for path, line, severity, message in found:
        print(f"{path}:{line}: {severity}: {message}")
    errors = sum(1 for item in found if item[2] == "error")
    print(f"{n_definitions} notes defined, {n_references} references, {errors} errors, "
          f"{len(found) - errors} warnings")
    return 1 if errors or n_definitions == 0 else 0


def self_test():
    """The checker finds what it must find and nothing else, on files it writes here."""
    files = {
        "a.cpp": "// Note [Kept]\n// Text.\n\n// Note [Colon]: text on the title line\n"
                 "int x;  // See Note [Kept] and Note [Colon].\n// Note [Twice]\n",
        "b/c.h": "// Note [Twice]\n/// See Note\n/// [Kept] in a.cpp, Note [Kept] in the header above,\n"
                 "// Note [Gone] in a.cpp, Note [Colon] in b/c.h. Note [Kept] in ../a.cpp, Note [Kept] in\n"
                 "// ./a.cpp, Note [Colon] in x/a.cpp, Note [Colon] in .a.cpp\n",
        "d.md": "Note [Kept] (in\n`a.cpp`) and Note [Lost\n  title].\n",
        "build/CMakeCache.txt": "",
        "build/e.cpp": "// See Note [Only in a build tree].\n",
    }
    expected = [
        ("a.cpp", 6, "error", "Note [Twice] is defined more than once (also at b/c.h:1)"),
        ("b/c.h", 4, "warning", "Note [Colon] is said to be in b/c.h, but is defined in a.cpp"),
        ("b/c.h", 4, "error", "Note [Gone] is not defined anywhere"),
        ("b/c.h", 4, "warning", "Note [Kept] is said to be in ./a.cpp, but is defined in a.cpp"),
        ("b/c.h", 5, "warning", "Note [Colon] is said to be in .a.cpp, but is defined in a.cpp"),
        ("b/c.h", 5, "warning", "Note [Colon] is said to be in x/a.cpp, but is defined in a.cpp"),
        ("d.md", 2, "error", "Note [Lost title] is not defined anywhere"),
    ]
    with tempfile.TemporaryDirectory() as root:
        for name, text in files.items():
            os.makedirs(os.path.dirname(os.path.join(root, name)), exist_ok=True)
            with open(os.path.join(root, name), "w", encoding="utf-8") as f:
                f.write(text)
        found, n_definitions, n_references = problems(root)
    found = [(p.replace(os.sep, "/"), n, k, m) for p, n, k, m in found]
    if found != sorted(expected) or n_definitions != 3 or n_references != 12:
        print(f"self-test FAILED: {n_definitions} definitions, {n_references} references, found:")
        for item in found:
            print("  ", item)
        print("expected:")
        for item in expected:
            print("  ", item)
        return 1
    print(f"self-test passed: {len(expected)} planted problems found, no others")
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    parser.add_argument("--self-test", action="store_true", help="check the checker on a tree it writes")
    args = parser.parse_args()
    return self_test() if args.self_test else report(args.root)


if __name__ == "__main__":
    sys.exit(main())
