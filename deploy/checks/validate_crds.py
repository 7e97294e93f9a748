#!/usr/bin/env python3
"""Validate prometheus-operator custom resources (PodMonitor, ServiceMonitor, PrometheusRule).

kubernetes-validate only knows built-in kinds. This uses the typed models generated from the
prometheus-operator CRD schemas (PyPI: cloudcoil.models.prometheus_operator): a document must parse into
its model (types, enums, required fields), and nothing may be dropped on the way (an unknown or misspelt
field is an error, like kubernetes-validate --strict).

usage: validate_crds.py FILE...     exit 0 when every document is valid
"""
import sys

import yaml
from cloudcoil.models.prometheus_operator import v1

KINDS = {"PodMonitor": v1.PodMonitor, "ServiceMonitor": v1.ServiceMonitor, "PrometheusRule": v1.PrometheusRule}


def dropped(given, kept, path=""):
    """Paths present in the input but missing after the model round trip (= unknown fields)."""
    out = []
    if isinstance(given, dict):
        if not isinstance(kept, dict):
            return [path or "/"]
        for key, value in given.items():
            if key not in kept:
                out.append(f"{path}/{key}")
            else:
                out += dropped(value, kept[key], f"{path}/{key}")
    elif isinstance(given, list):
        if not isinstance(kept, list) or len(kept) != len(given):
            return [path]
        for i, (g, k) in enumerate(zip(given, kept)):
            out += dropped(g, k, f"{path}[{i}]")
    return out


def main(files):
    failures = 0
    for name in files:
        with open(name) as f:
            docs = [d for d in yaml.safe_load_all(f) if d]
        for doc in docs:
            kind = doc.get("kind")
            what = f"{name}: {kind}/{doc.get('metadata', {}).get('name')}"
            model = KINDS.get(kind)
            if model is None:
                print(f"FAIL {what}: kind {kind!r} is not a prometheus-operator kind this check knows")
                failures += 1
                continue
            if doc.get("apiVersion") != "monitoring.coreos.com/v1":
                print(f"FAIL {what}: apiVersion {doc.get('apiVersion')!r}, expected monitoring.coreos.com/v1")
                failures += 1
                continue
            try:
                obj = model.model_validate(doc)
            except Exception as error:  # pydantic.ValidationError: type, enum and required-field errors
                print(f"FAIL {what}: {error}")
                failures += 1
                continue
            kept = obj.model_dump(by_alias=True, exclude_unset=True, mode="json")
            unknown = dropped(doc, kept)
            if unknown:
                print(f"FAIL {what}: unknown field(s): {', '.join(unknown)}")
                failures += 1
            else:
                print(f"ok   {what}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
