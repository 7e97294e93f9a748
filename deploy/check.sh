#!/usr/bin/env bash
# Checks for everything under deploy/ and systemd/. Run from the repository root:  bash deploy/check.sh
# Needs: python3 (venv), promtool (Debian: prometheus), systemd-analyze (Debian: systemd). The Python
# tools are installed into .build/venv-deploy on first use (PyPI), pinned below.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
passed=0; failed=0
pass() { echo "PASS $1"; passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
# run NAME CMD...: PASS when CMD exits 0; its output is shown only on failure.
run() {
  local name=$1; shift
  local out
  if out=$("$@" 2>&1); then pass "$name"; else fail "$name"; echo "$out" | sed 's/^/    /' | tail -40; fi
}
# run_fails NAME CMD...: a negative control: PASS when CMD fails (proves the check above can fail).
run_fails() {
  local name=$1; shift
  if "$@" >/dev/null 2>&1; then fail "$name (the check accepted a broken input)"; else pass "$name"; fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

# ---- Python tools (pinned; verified together) ----
VENV=.build/venv-deploy
PIP_PINS="kubernetes-validate==1.37.0 checkov==3.3.30 cloudcoil==0.6.0 cloudcoil.models.prometheus_operator==0.80.1.0 PyYAML==6.0.3"
if [[ ! -f $VENV/.pins ]] || [[ "$(cat $VENV/.pins)" != "$PIP_PINS" ]]; then
  echo "installing into $VENV: $PIP_PINS"
  python3 -m venv "$VENV"
  # shellcheck disable=SC2086
  "$VENV/bin/pip" install -q --disable-pip-version-check $PIP_PINS
  echo "$PIP_PINS" > "$VENV/.pins"
fi
PY=$VENV/bin/python
K8S=deploy/kubernetes
BUILTIN=($K8S/namespace.yaml $K8S/serviceaccount.yaml $K8S/daemonset.yaml $K8S/service.yaml $K8S/networkpolicy.yaml)
CRDS=($K8S/podmonitor.yaml $K8S/prometheusrule.yaml)

# ---- Kubernetes manifests ----
for v in 1.29.0 1.33.0; do
  run "kubernetes-validate --strict (Kubernetes $v): ${BUILTIN[*]##*/}" \
    "$VENV/bin/kubernetes-validate" --strict --quiet -k "$v" "${BUILTIN[@]}"
done
sed 's/readOnlyRootFilesystem: true/readOnlyRootFilesysten: true/' $K8S/daemonset.yaml > "$tmp/ds-typo.yaml"
run_fails "kubernetes-validate --strict rejects an unknown field (negative control)" \
  "$VENV/bin/kubernetes-validate" --strict --quiet -k 1.33.0 "$tmp/ds-typo.yaml"
echo "     (kubernetes-validate has no schemas for CRDs: PodMonitor and PrometheusRule are checked next against the prometheus-operator models)"
run "prometheus-operator CRD models: ${CRDS[*]##*/}" $PY deploy/checks/validate_crds.py "${CRDS[@]}"
sed 's/jobLabel:/jobLabels:/' $K8S/podmonitor.yaml > "$tmp/pm-typo.yaml"
run_fails "CRD check rejects an unknown field (negative control)" $PY deploy/checks/validate_crds.py "$tmp/pm-typo.yaml"
run "kustomization.yaml lists exactly the manifests in deploy/kubernetes" $PY - <<'PY'
import os, sys, yaml
d = "deploy/kubernetes"
k = yaml.safe_load(open(f"{d}/kustomization.yaml"))
listed = set(k["resources"])
present = {f for f in os.listdir(d) if f.endswith(".yaml") and f != "kustomization.yaml"}
missing, unlisted = listed - present, present - listed
for f in sorted(missing): print("listed but missing:", f)
for f in sorted(unlisted): print("not listed:", f)
for f in sorted(present):
    for doc in yaml.safe_load_all(open(f"{d}/{f}")):
        if doc and doc["kind"] != "Namespace" and doc["metadata"].get("namespace") != k["namespace"]:
            print(f"{f}: metadata.namespace is not {k['namespace']}"); sys.exit(1)
sys.exit(1 if missing or unlisted else 0)
PY
run "DaemonSet env/args are real daemon options and every host mount is passed to one" \
  $PY deploy/checks/check_daemonset_options.py $K8S/daemonset.yaml deploy/daemon-options.txt
sed 's#value: /host/var/log/containers#value: /var/log/containers#' $K8S/daemonset.yaml > "$tmp/ds-path.yaml"
run_fails "options check rejects an option pointing outside the mounts (negative control)" \
  $PY deploy/checks/check_daemonset_options.py "$tmp/ds-path.yaml" deploy/daemon-options.txt
run "systemd/oomwatch.env only sets real daemon options" $PY - <<'PY'
import re, sys
opts = {l.strip() for l in open("deploy/daemon-options.txt") if l.startswith("--")}
bad = [n for n in re.findall(r"^#?(OOMWATCH_[A-Z_]+)=", open("systemd/oomwatch.env").read(), re.M)
       if "--" + n[9:].lower().replace("_", "-") not in opts]
print("not options:", bad) if bad else None
sys.exit(1 if bad else 0)
PY
run "checkov kubernetes (deploy/kubernetes; skips with reasons in deploy/.checkov.yaml)" \
  "$VENV/bin/checkov" --config-file deploy/.checkov.yaml -d $K8S --framework kubernetes
run "checkov dockerfile (deploy/Dockerfile)" \
  "$VENV/bin/checkov" --config-file deploy/.checkov.yaml -f deploy/Dockerfile --framework dockerfile
"$VENV/bin/checkov" --config-file deploy/.checkov.yaml -d $K8S --framework kubernetes 2>/dev/null | grep -E "Passed checks" | sed 's/^/     kubernetes: /' || true
"$VENV/bin/checkov" --config-file deploy/.checkov.yaml -f deploy/Dockerfile --framework dockerfile 2>/dev/null | grep -E "Passed checks" | sed 's/^/     dockerfile: /' || true
echo "     skipped by deploy/.checkov.yaml: $(grep -oE '^  - CKV[A-Z0-9_]+' deploy/.checkov.yaml | tr -d ' -' | tr '\n' ' ')"

# ---- Prometheus rules ----
if command -v promtool >/dev/null; then
  run "promtool check rules deploy/prometheus/oomwatch-rules.yaml" promtool check rules deploy/prometheus/oomwatch-rules.yaml
  run "promtool test rules deploy/prometheus/oomwatch-rules.test.yaml" promtool test rules deploy/prometheus/oomwatch-rules.test.yaml
  run "promtool check config deploy/prometheus/prometheus-scrape.yaml" promtool check config deploy/prometheus/prometheus-scrape.yaml
  # Mutation controls: each changes one rule; the unit tests must then fail.
  mutants=(
    'and on (job, instance) (up offset 10m == 1)|and on (job, instance) (up offset 10m >= 0)|kill rules without the fresh-scrape guard'
    'offset 10m)|offset 0m)|pod/unit rules without the first-kill branch'
    'increase(oomwatch_oom_kills_total{owner_kind="pod"}[10m])|vector(0)|pod rule without increase()'
    '> 0.97|> 0.99|critical slice threshold'
    '< 0.02|< 0.01|capacity threshold'
    'sum without (constraint, container, qos)|sum without (constraint, qos)|repeated kills grouped by container'
    'oomwatch_alert_active == 1|oomwatch_alert_active == 2|daemon alerts'
    ' or absent(up{job="oomwatch"})||OOMWatchDown without absent()'
  )
  mkdir -p "$tmp/mut"; cp deploy/prometheus/oomwatch-rules.test.yaml "$tmp/mut/"
  for m in "${mutants[@]}"; do
    IFS='|' read -r from to what <<<"$m"
    FROM=$from TO=$to $PY -c 'import os,sys; s=open("deploy/prometheus/oomwatch-rules.yaml").read(); f=os.environ["FROM"]; assert f in s, f; open(sys.argv[1],"w").write(s.replace(f, os.environ["TO"]))' "$tmp/mut/oomwatch-rules.yaml"
    run_fails "rule tests catch a mutant: $what" promtool test rules "$tmp/mut/oomwatch-rules.test.yaml"
  done
else
  fail "promtool not found (Debian: apt-get install prometheus): rules not checked"
fi
run "PrometheusRule is generated from the plain rules file (byte-identical)" \
  diff -u $K8S/prometheusrule.yaml <(deploy/prometheus/generate-prometheusrule.sh -)
run "PrometheusRule spec.groups == plain rules groups (parsed)" $PY -c '
import sys, yaml
plain = yaml.safe_load(open("deploy/prometheus/oomwatch-rules.yaml"))["groups"]
crd = yaml.safe_load(open("deploy/kubernetes/prometheusrule.yaml"))["spec"]["groups"]
sys.exit(0 if plain == crd and len(plain) > 0 else 1)'
run "rules and dashboard only use metrics of the daemon's contract" $PY - <<'PY'
import json, re, sys, yaml
known = {l.strip() for l in open("deploy/checks/metric-names.txt") if l.strip() and not l.startswith("#")}
known |= {n + s for n in known for s in ("_bucket", "_sum", "_count")}
texts = [r["expr"] for g in yaml.safe_load(open("deploy/prometheus/oomwatch-rules.yaml"))["groups"] for r in g["rules"]]
def walk(x):
    if isinstance(x, dict):
        for k, v in x.items():
            if k in ("expr", "query", "definition") and isinstance(v, str): texts.append(v)
            else: walk(v)
    elif isinstance(x, list):
        for v in x: walk(v)
walk(json.load(open("deploy/grafana/oomwatch-dashboard.json")))
used = {m for t in texts for m in re.findall(r"\boomwatch_[a-z0-9_]+", t)}
unknown = sorted(used - known)
print("unknown metrics:", unknown) if unknown else print(len(used), "metrics used")
sys.exit(1 if unknown else 0)
PY

# ---- Grafana ----
run "dashboard is valid JSON with unique panel ids and a datasource variable" $PY - <<'PY'
import json, sys
d = json.load(open("deploy/grafana/oomwatch-dashboard.json"))
ids = [p["id"] for p in d["panels"]]
assert len(ids) == len(set(ids)), "duplicate panel ids"
assert any(v["type"] == "datasource" and v["name"] == "datasource" for v in d["templating"]["list"])
for p in d["panels"]:
    if p["type"] != "row":
        assert p["datasource"]["uid"] == "${datasource}", p["title"]
        assert p["targets"] and all(t.get("expr") for t in p["targets"]), p["title"]
PY

# ---- systemd ----
if command -v systemd-analyze >/dev/null; then
  # verify checks ExecStart= exists: give it a root with a stand-in binary and the system's units.
  root="$tmp/root"; mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/lib"
  cp -a /usr/lib/systemd "$root/usr/lib/"; ln -s usr/lib "$root/lib"
  cp systemd/oomwatch.service "$root/etc/systemd/system/"
  run_fails "systemd-analyze verify fails without the binary (negative control)" systemd-analyze verify --root="$root" oomwatch.service
  printf '#!/bin/sh\nexit 0\n' > "$root/usr/local/bin/oomwatch"; chmod +x "$root/usr/local/bin/oomwatch"
  run "systemd-analyze verify systemd/oomwatch.service" systemd-analyze verify --root="$root" oomwatch.service
  line=$(systemd-analyze security --offline=true systemd/oomwatch.service 2>&1 | grep 'Overall exposure level' || true)
  score=$(sed -nE 's/.*: ([0-9.]+) .*/\1/p' <<<"$line")
  echo "     $line"
  if [[ -n $score ]] && awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }'; then
    pass "systemd-analyze security --offline=true: exposure $score <= 2.0"
  else
    fail "systemd-analyze security --offline=true: exposure '${score:-?}' > 2.0"
  fi
else
  fail "systemd-analyze not found (Debian: apt-get install systemd): unit not checked"
fi

echo "deploy checks took $(( $(date +%s) - start ))s"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
