#!/usr/bin/env python3
"""One version number for every package: checks that each manifest in the repository names the
workspace's version (Cargo.toml [workspace.package] version), and that CHANGELOG.md has a section
for it.

    python3 scripts/check-versions.py            # check
    python3 scripts/check-versions.py --tag v0.1.0   # also check a release tag (the release workflow)

Exit 1 with one line per disagreement, naming the file and what it says. Manifests are found,
not listed: every package.json, pom.xml and pyproject.toml outside build output, so a new
package cannot be forgotten.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP = {"node_modules", "target", ".venv", ".build", "build", "build-test", "dist", ".git", ".swift-root", "artifacts"}
# Our own packages: names that start with these (third-party manifests, e.g. test fixtures, are skipped).
OURS = ("dintero-checkout", "dintero-emulator", "dintero_checkout", "dintero_emulator")


def manifests(name: str) -> list[Path]:
    found = []
    for path in ROOT.rglob(name):
        rel = path.relative_to(ROOT)
        if any(part in SKIP or part.startswith(".swift") for part in rel.parts[:-1]):
            continue
        found.append(path)
    return sorted(found)


def main() -> int:
    args = sys.argv[1:]
    tag = args[args.index("--tag") + 1] if "--tag" in args else None
    cargo = tomllib.loads((ROOT / "Cargo.toml").read_text())
    version = cargo["workspace"]["package"]["version"]
    problems: list[str] = []

    def want(where: Path | str, what: str, got: object) -> None:
        if got != version:
            problems.append(f"{where}: {what} is {got!r}, the workspace version is {version!r}")

    # Cargo: workspace members inherit; path dependencies name the version for crates.io.
    for dep, spec in cargo["workspace"].get("dependencies", {}).items():
        if isinstance(spec, dict) and "path" in spec:
            want("Cargo.toml", f"[workspace.dependencies] {dep} version", spec.get("version"))
    for toml_path in manifests("Cargo.toml"):
        if toml_path == ROOT / "Cargo.toml":
            continue
        pkg = tomllib.loads(toml_path.read_text()).get("package", {})
        v = pkg.get("version")
        if v is not None and v != {"workspace": True}:
            want(toml_path.relative_to(ROOT), "[package] version (use version.workspace = true)", v)

    # npm: every package of ours, and the versions it pins of its siblings.
    for pj in manifests("package.json"):
        data = json.loads(pj.read_text())
        name = str(data.get("name", ""))
        if not name.startswith(OURS) or data.get("private"):
            continue  # not ours, or never published (tests, examples)
        rel = pj.relative_to(ROOT)
        want(rel, f"{name} version", data.get("version"))
        for section in ("dependencies", "optionalDependencies", "peerDependencies"):
            for dep, spec in (data.get(section) or {}).items():
                if dep.startswith(OURS) and not str(spec).startswith(("file:", "link:", "workspace:")):
                    want(rel, f"{section}.{dep}", str(spec).lstrip("=^~"))

    # Python: a static version, or dynamic (maturin takes it from Cargo.toml); pins of siblings.
    for pp in manifests("pyproject.toml"):
        project = tomllib.loads(pp.read_text()).get("project", {})
        name = str(project.get("name", ""))
        if not name.startswith(OURS):
            continue
        rel = pp.relative_to(ROOT)
        if "version" not in project.get("dynamic", []):
            want(rel, f"{name} version", project.get("version"))
        deps = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            deps.extend(extra)
        for dep in deps:
            m = re.match(r"^(dintero[-_](?:checkout|emulator))\s*(==|>=|~=)?\s*([^,;\s]*)", dep)
            if m:
                if m.group(2) != "==":
                    problems.append(f"{rel}: {dep!r} must pin =={version} (one version for every package)")
                else:
                    want(rel, f"dependency {m.group(1)}", m.group(3))

    # Maven: every pom of ours (artifact and parent versions).
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    for pom in manifests("pom.xml"):
        root = ET.parse(pom).getroot()
        group = root.findtext("m:groupId", default="", namespaces=ns) or root.findtext(
            "m:parent/m:groupId", default="", namespaces=ns
        )
        if not group.startswith("com.dintero"):
            continue
        rel = pom.relative_to(ROOT)
        v = root.findtext("m:version", namespaces=ns) or root.findtext("m:parent/m:version", namespaces=ns)
        want(rel, "version", v)
        props = {p.tag.split("}")[-1]: (p.text or "") for p in root.find("m:properties", ns) or []}
        props["project.version"] = props["project.parent.version"] = v or ""
        for dep in root.iterfind(".//m:dependency", ns):
            if (dep.findtext("m:groupId", default="", namespaces=ns)).startswith("com.dintero"):
                dv = dep.findtext("m:version", default="", namespaces=ns)
                dv = re.sub(r"\$\{([^}]+)\}", lambda m: props.get(m.group(1), m.group(0)), dv)
                want(rel, f"dependency {dep.findtext('m:artifactId', namespaces=ns)}", dv)

    # The changelog has a section for this version.
    changelog = (ROOT / "CHANGELOG.md").read_text() if (ROOT / "CHANGELOG.md").exists() else ""
    if not re.search(rf"^## \[{re.escape(version)}\]", changelog, re.M):
        problems.append(f"CHANGELOG.md: no '## [{version}]' section")

    if tag is not None and tag != f"v{version}":
        problems.append(f"release tag {tag!r} is not v{version}")

    for p in problems:
        print(f"check-versions: {p}", file=sys.stderr)
    if problems:
        return 1
    print(f"check-versions: every package is {version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
