#!/usr/bin/env python3
"""Check that the DaemonSet and the daemon's options agree.

- every OOMWATCH_* env variable and every --option in args/command names a real option
  (deploy/daemon-options.txt);
- every hostPath volume mounted into the container is handed to the daemon through an option
  (its mountPath is, or contains, an option's path value), except the few listed in IMPLICIT with why;
- every path-valued option points inside a mounted volume (no option refers to a path the container
  does not have);
- every host mount is read-only except the state directory.

usage: check_daemonset_options.py DAEMONSET_YAML OPTIONS_TXT
"""
import os
import sys

import yaml

# Volumes the daemon uses without an option naming them.
IMPLICIT = {
    "/etc/machine-id": "read by sd-journal itself (sd_id128_get_machine) to find this machine's journal directory",
}
PATH_OPTIONS = {"--cgroup-root", "--proc-root", "--journal-directory", "--journal-root", "--pod-log-dir",
                "--container-log-dir", "--kubelet-config", "--state-dir"}
# Options naming an OS root of which the daemon reads these subdirectories.
ROOT_OPTIONS = {"--journal-root": ["var/log/journal", "run/log/journal"]}
WRITABLE_OPTION = "--state-dir"


def option_for_env(name):
    return "--" + name[len("OOMWATCH_"):].lower().replace("_", "-")


def inside(path, root):
    path, root = os.path.normpath(path), os.path.normpath(root)
    return path == root or path.startswith(root.rstrip("/") + "/")


def main(daemonset_file, options_file):
    errors = []
    with open(options_file) as f:
        options = {line.strip() for line in f if line.strip() and not line.startswith("#")}
    with open(daemonset_file) as f:
        ds = next(d for d in yaml.safe_load_all(f) if d and d.get("kind") == "DaemonSet")
    pod = ds["spec"]["template"]["spec"]
    (container,) = [c for c in pod["containers"] if c["name"] == "oomwatch"]

    values = {}  # option -> list of values
    for env in container.get("env", []):
        if not env["name"].startswith("OOMWATCH_"):
            errors.append(f"env {env['name']}: not an OOMWATCH_* option variable")
            continue
        opt = option_for_env(env["name"])
        if opt not in options:
            errors.append(f"env {env['name']}: {opt} is not an option of `oomwatch run`")
        value = env.get("value", "")
        values.setdefault(opt, []).append(value)
    args = list(container.get("args", [])) + list(container.get("command", [])[1:] if container.get("command") else [])
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--"):
            opt, eq, value = arg.partition("=")
            if opt not in options:
                errors.append(f"arg {arg}: {opt} is not an option of `oomwatch run`")
            if not eq and i + 1 < len(args) and not args[i + 1].startswith("--"):
                value, i = args[i + 1], i + 1
            values.setdefault(opt, []).append(value)
        elif arg != "run":
            errors.append(f"arg {arg!r}: unexpected positional argument")
        i += 1

    host_volumes = {v["name"]: v["hostPath"]["path"] for v in pod.get("volumes", []) if "hostPath" in v}
    mounts = [m for m in container.get("volumeMounts", []) if m["name"] in host_volumes]
    path_values = [(opt, v) for opt in PATH_OPTIONS for v in values.get(opt, [])]

    for m in mounts:
        host, target = host_volumes[m["name"]], m["mountPath"]
        users = [opt for opt, v in path_values if inside(v, target)]
        users += [opt for opt, v in path_values if opt in ROOT_OPTIONS
                  and any(os.path.normpath(target) == os.path.normpath(os.path.join(v, sub)) for sub in ROOT_OPTIONS[opt])]
        if not users and target not in IMPLICIT:
            errors.append(f"hostPath {host} mounted at {target} is not passed to any option")
        writable_ok = any(opt == WRITABLE_OPTION for opt in users)
        if not m.get("readOnly", False) and not writable_ok:
            errors.append(f"hostPath {host} mounted at {target} is writable but is not the state directory")
        if m.get("readOnly", False) and writable_ok:
            errors.append(f"state directory mount {target} is read-only: the daemon could not save its cursor")
    for opt, v in path_values:
        if opt in ROOT_OPTIONS:
            missing = [sub for sub in ROOT_OPTIONS[opt]
                       if not any(os.path.normpath(m["mountPath"]) == os.path.normpath(os.path.join(v, sub)) for m in mounts)]
            if missing:
                errors.append(f"{opt}={v}: nothing mounted at {', '.join(os.path.join(v, s) for s in missing)}")
        elif not any(inside(v, m["mountPath"]) for m in mounts):
            errors.append(f"{opt}={v} is not inside any mounted host path")
    # The journal comes from one of these alternatives; only one may (and must) be set.
    journal = {"--journal-directory", "--journal-root"}
    if not journal & set(values):
        errors.append("neither --journal-directory nor --journal-root is set: the host's journal is not read")
    if len(journal & set(values)) > 1:
        errors.append("--journal-directory and --journal-root exclude each other")
    for opt in PATH_OPTIONS - set(values) - journal:
        errors.append(f"{opt} is not set: its default (a host path) does not exist in the container")

    for e in errors:
        print(f"  {e}")
    print(f"{len(options)} options, {len(values)} set, {len(mounts)} host mounts checked, {len(errors)} problem(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
