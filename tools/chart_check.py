#!/usr/bin/env python3
"""Check a Helm chart with real Helm and the Kubernetes schemas (see tools/chart-check.sh).

- Chart.yaml and values.yaml parse and carry the required fields; yamllint on the chart's static YAML and the
  examples.
- `helm lint --strict` (Helm v4 through helm-python-sdk) for the default values and every scenario: no error,
  no warning.
- values.schema.json describes every value of values.yaml (no unknown key allowed at any level); a wrong type,
  an unknown key (top level and nested) and a bad enum value are rejected by Helm.
- Every scenario is rendered by Helm (`Chart.render`: the same engine as `helm template`); every object must be
  valid for Kubernetes 1.30 and 1.33 (kubernetes-validate, strict) and meet the chart's own expectations.
- The examples (a plain Job, the containerd clean-up DaemonSet) are validated the same way; the Metaflow
  example compiles.

Prints one line per check and `N passed, N failed`; exits 1 on any failure.
"""

from __future__ import annotations

import ast
import json
import sys
import traceback
from pathlib import Path
from typing import Any, Callable

import helm_python as helm
import yaml
from yamllint import config as yamllint_config
from yamllint import linter as yamllint_linter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from chart_objects import (  # noqa: E402
    KUBE_VERSIONS, by_kind, check_chart_yaml, check_object, check_values_yaml, manifests, schema_gaps,
)
from chart_scenarios import SCENARIOS, MUST_FAIL, MUST_REJECT  # noqa: E402

PASSED = 0
FAILED = 0
SUMMARY_FILE = ""
YAMLLINT = """
extends: default
rules:
  line-length: {max: 120}
  document-start: disable
  comments: {min-spaces-from-content: 1}
  truthy: {check-keys: false}
"""


def check(name: str, fn: Callable[[], Any]) -> Any:
    global PASSED, FAILED
    try:
        res = fn()
    except AssertionError as e:
        FAILED += 1
        print(f"FAIL  {name}: {e}")
        return None
    except helm.HelmError as e:
        FAILED += 1
        print(f"FAIL  {name}: {type(e).__name__}: {e}")
        return None
    except Exception as e:  # noqa: BLE001
        FAILED += 1
        print(f"FAIL  {name}: unexpected {type(e).__name__}: {e}")
        traceback.print_exc(limit=3)
        return None
    PASSED += 1
    print(f"ok    {name}")
    return res


def yamllint_file(path: Path) -> None:
    conf = yamllint_config.YamlLintConfig(YAMLLINT)
    problems = list(yamllint_linter.run(path.read_text(), conf, str(path)))
    assert not problems, "; ".join(f"{path.name}:{p.line}:{p.column} {p.desc} ({p.rule})" for p in problems)


def lint(chart_dir: Path, values: dict | None) -> None:
    for version in KUBE_VERSIONS:
        report = helm.lint(chart_dir, values, strict=True, kube_version=f"v{version}")
        bad = [m for m in report["messages"] if m["severity"] >= 2] + [{"error": e} for e in report["errors"]]
        assert not bad, f"Kubernetes {version}: " + "; ".join(f"{m.get('path', '')} {m['error']}" for m in bad)


def render(chart: helm.Chart, values: dict, release: str = "larder", namespace: str = "larder-system",
           revision: int = 1) -> dict[str, str]:
    """Renders through Helm; keys are the template file names (daemonset.yaml, NOTES.txt)."""
    rendered = chart.render(values, name=release, namespace=namespace, revision=revision,
                            is_install=revision == 1, is_upgrade=revision > 1)
    return {Path(k).name: v for k, v in rendered.items()}


def check_examples(chart_dir: Path) -> None:
    examples = sorted((chart_dir / "examples").glob("*"))

    def present():
        assert examples, f"no files in {chart_dir / 'examples'}"
    check("examples present", present)
    for path in examples:
        if path.suffix == ".yaml":
            def validate(path=path):
                yamllint_file(path)
                docs = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
                assert docs, f"{path.name} has no object"
                for o in docs:
                    check_object(path.name, o)
            check(f"example {path.name}: yamllint, Kubernetes {', '.join(KUBE_VERSIONS)} (strict)", validate)
        elif path.suffix == ".py":
            check(f"example {path.name}: compiles", lambda path=path: ast.parse(path.read_text(), str(path)))


def main() -> int:
    global SUMMARY_FILE
    args = sys.argv[1:]
    if len(args) >= 2 and args[0] == "--summary-file":
        SUMMARY_FILE = args[1]
        args = args[2:]
    chart_dir = Path(args[0] if args else "charts/larder").resolve()
    print(f"chart: {chart_dir} (Helm {helm.helm_sdk_version()})")
    meta = check("Chart.yaml parses (apiVersion v2, name, SemVer version, appVersion)",
                 lambda: check_chart_yaml(chart_dir))
    values = check("values.yaml parses as a mapping", lambda: check_values_yaml(chart_dir))
    for name in ("Chart.yaml", "values.yaml"):
        check(f"yamllint {name}", lambda name=name: yamllint_file(chart_dir / name))
    schema = check("values.schema.json parses (draft-07)",
                   lambda: json.loads((chart_dir / "values.schema.json").read_text()))
    if schema is not None and values is not None:
        def covered():
            gaps = schema_gaps(values, schema)
            assert not gaps, "not described by values.schema.json: " + ", ".join(gaps)
        check("values.schema.json describes every value, no unknown keys", covered)
    if meta is None or values is None:
        return report()

    chart = check("helm loads the chart", lambda: helm.Chart.load(chart_dir))
    if chart is None:
        return report()
    check(f"helm lint --strict (defaults; Kubernetes {', '.join(KUBE_VERSIONS)})", lambda: lint(chart_dir, None))

    for sc in SCENARIOS:
        def run(sc=sc):
            rendered = render(chart, sc.values, **sc.render_args)
            docs = manifests(rendered)
            for fname, o in docs:
                check_object(fname, o)
            sc.expect(by_kind(docs), rendered)
        check(f"render [{sc.name}]: Kubernetes {', '.join(KUBE_VERSIONS)} (strict) + expectations", run)
        if sc.values:
            check(f"helm lint --strict [{sc.name}]", lambda sc=sc: lint(chart_dir, sc.values))

    for name, overrides, message in MUST_FAIL:
        def fails(overrides=overrides, message=message):
            try:
                render(chart, overrides)
            except helm.HelmError as e:
                assert message in str(e), f"failed with {e!r}, expected {message!r}"
                return
            raise AssertionError("rendered, expected a failure")
        check(f"render fails [{name}]", fails)

    for name, overrides, message in MUST_REJECT:
        def rejected(overrides=overrides, message=message):
            try:
                chart.validate_schema(overrides)
            except helm.HelmValuesError as e:
                assert message in str(e), f"rejected with {e!r}, expected {message!r}"
            else:
                raise AssertionError("values.schema.json accepted it")
            try:
                render(chart, overrides)
            except helm.HelmValuesError:
                return
            raise AssertionError("helm rendered it anyway")
        check(f"schema rejects [{name}]", rejected)

    def kube_schema_bites():
        # The same path as every scenario, with a field Kubernetes does not know (a typo in extraEnv).
        docs = manifests(render(chart, {"extraEnv": [{"name": "X", "vaule": "y"}]}))
        try:
            for fname, o in docs:
                check_object(fname, o)
        except AssertionError as e:
            assert "vaule" in str(e) or "additional" in str(e).lower(), f"failed for another reason: {e}"
            return
        raise AssertionError("an env entry with an unknown field passed the Kubernetes schema check")
    check("Kubernetes schemas reject an unknown field (extraEnv[0].vaule)", kube_schema_bites)

    check_examples(chart_dir)
    chart.close()
    return report()


def report() -> int:
    if SUMMARY_FILE:
        Path(SUMMARY_FILE).write_text(f"{PASSED} {FAILED}\n")
    print(f"\nchart-check: {PASSED} passed, {FAILED} failed")
    return 1 if FAILED else 0


if __name__ == "__main__":
    sys.exit(main())
