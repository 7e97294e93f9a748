#!/usr/bin/env python3
"""Generates the cgroup fixture trees under Tests/OOMWatchAdaptersTests/Fixtures.

Values are a function of the cgroup's index k (1-based, in the order listed below), so tests
can state exact expectations:
  usage           = k * 16 MiB        (v1 memory.usage_in_bytes / v2 memory.current)
  rss / anon      = k * 10 MiB
  cache / file    = k * 6 MiB
  inactive_file   = k * 2 MiB         -> working set = k * 14 MiB
  v2 swap.current = k * 4096;  v1 total_swap = k * 4096
  v1 failcnt = k; oom_control: under_oom = 1 iff k == 7, oom_kill = k
  v2 events: low 0, high k, max 2k, oom 3k, oom_kill k, oom_group_kill k % 2
  PSI: some avg10=k.10 avg60=k.20 avg300=k.30 total=k*1000; full avg10=0.0k ... total=k*100
Limits: system.slice 512 MiB, the guaranteed pod and its container 256 MiB, a burstable
container 128 MiB, everything else unlimited (v2 "max", v1 9223372036854771712).
memory.high: 384 MiB on the first system.slice unit, "max" elsewhere.
"""
import os, shutil, sys

MiB = 1 << 20
V1_UNLIMITED = 9223372036854771712
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "Tests", "OOMWatchAdaptersTests", "Fixtures", "trees")

UID_G = "8f6b1c8e-3a0e-4c4e-9d39-6f1f0b2f4a11"
UID_B = "1d2e3f40-5a6b-4c7d-8e9f-0a1b2c3d4e5f"
UID_E = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"
C1 = "3b7f2c1d9e8a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4"
C2 = "9a8b7c6d5e4f30211f2e3d4c5b6a79880a1b2c3d4e5f60718293a4b5c6d7e8f9"
C3 = "0f1e2d3c4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
C4 = "5e4d3c2b1a0f9e8d7c6b5a49382716055e4d3c2b1a0f9e8d7c6b5a4938271605"
PAUSE = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00"

def cgroupfs_paths():
    return [
        ("kubepods", None),
        ("kubepods/burstable", None),
        ("kubepods/besteffort", None),
        (f"kubepods/pod{UID_G}", 256 * MiB),
        (f"kubepods/pod{UID_G}/{C1}", 256 * MiB),
        (f"kubepods/burstable/pod{UID_B}", None),
        (f"kubepods/burstable/pod{UID_B}/{PAUSE}", None),
        (f"kubepods/burstable/pod{UID_B}/{C2}", 128 * MiB),
        (f"kubepods/burstable/pod{UID_B}/{C3}", None),
        (f"kubepods/besteffort/pod{UID_E}", None),
        (f"kubepods/besteffort/pod{UID_E}/{C4}", None),
    ]

def systemd_paths():
    g, b, e = (u.replace("-", "_") for u in (UID_G, UID_B, UID_E))
    k = "kubepods.slice"
    return [
        (k, None),
        (f"{k}/kubepods-burstable.slice", None),
        (f"{k}/kubepods-besteffort.slice", None),
        (f"{k}/kubepods-pod{g}.slice", 256 * MiB),
        (f"{k}/kubepods-pod{g}.slice/cri-containerd-{C1}.scope", 256 * MiB),
        (f"{k}/kubepods-burstable.slice/kubepods-burstable-pod{b}.slice", None),
        (f"{k}/kubepods-burstable.slice/kubepods-burstable-pod{b}.slice/cri-containerd-{PAUSE}.scope", None),
        (f"{k}/kubepods-burstable.slice/kubepods-burstable-pod{b}.slice/cri-containerd-{C2}.scope", 128 * MiB),
        (f"{k}/kubepods-burstable.slice/kubepods-burstable-pod{b}.slice/cri-containerd-{C3}.scope", None),
        (f"{k}/kubepods-besteffort.slice/kubepods-besteffort-pod{e}.slice", None),
        (f"{k}/kubepods-besteffort.slice/kubepods-besteffort-pod{e}.slice/crio-{C4}.scope", None),
    ]

SLICES = [
    ("system.slice", 512 * MiB),
    ("system.slice/containerd.service", None),
    ("system.slice/haproxy.service", None),
    ("kube.slice", None),
    ("kube.slice/kubelet.service", None),
    ("user.slice", None),
]

def w(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)

def psi(k):
    return (f"some avg10={k}.10 avg60={k}.20 avg300={k}.30 total={k * 1000}\n"
            f"full avg10=0.0{k % 10} avg60=0.{k % 10}0 avg300={k}.00 total={k * 100}\n")

def v2_files(d, k, limit, high):
    w(f"{d}/memory.current", f"{k * 16 * MiB}\n")
    w(f"{d}/memory.max", f"{limit}\n" if limit else "max\n")
    w(f"{d}/memory.high", f"{high}\n" if high else "max\n")
    w(f"{d}/memory.low", "0\n")
    w(f"{d}/memory.min", "0\n")
    w(f"{d}/memory.swap.current", f"{k * 4096}\n")
    w(f"{d}/memory.swap.max", "max\n")
    w(f"{d}/memory.stat", v2_stat(k))
    w(f"{d}/memory.events", f"low 0\nhigh {k}\nmax {2 * k}\noom {3 * k}\noom_kill {k}\noom_group_kill {k % 2}\n")
    w(f"{d}/memory.events.local", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n")
    w(f"{d}/memory.pressure", psi(k))
    w(f"{d}/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
    w(f"{d}/cgroup.procs", "")

def v2_stat(k):
    # Key order and key set as printed by mm/memcontrol.c memory_stat_format() on 6.x.
    anon, file, inact = k * 10 * MiB, k * 6 * MiB, k * 2 * MiB
    rows = [("anon", anon), ("file", file), ("kernel", k * 512 * 1024), ("kernel_stack", 16384 * k),
            ("pagetables", 4096 * k), ("sec_pagetables", 0), ("percpu", 8192), ("sock", 0), ("vmalloc", 0),
            ("shmem", 0), ("zswap", 0), ("zswapped", 0), ("file_mapped", k * MiB), ("file_dirty", 0),
            ("file_writeback", 0), ("swapcached", 0), ("anon_thp", 0), ("file_thp", 0), ("shmem_thp", 0),
            ("inactive_anon", anon), ("active_anon", 0), ("inactive_file", inact), ("active_file", file - inact),
            ("unevictable", 0), ("slab_reclaimable", 65536 * k), ("slab_unreclaimable", 32768 * k),
            ("slab", 98304 * k), ("workingset_refault_anon", 0), ("workingset_refault_file", 3 * k),
            ("workingset_activate_anon", 0), ("workingset_activate_file", 0), ("workingset_restore_anon", 0),
            ("workingset_restore_file", 0), ("workingset_nodereclaim", 0), ("pgscan", 0), ("pgsteal", 0),
            ("pgscan_kswapd", 0), ("pgscan_direct", 0), ("pgscan_khugepaged", 0), ("pgsteal_kswapd", 0),
            ("pgsteal_direct", 0), ("pgsteal_khugepaged", 0), ("pgfault", 1000 * k), ("pgmajfault", k),
            ("pgrefill", 0), ("pgactivate", 0), ("pgdeactivate", 0), ("pglazyfree", 0), ("pglazyfreed", 0),
            ("swpin_zero", 0), ("swpout_zero", 0), ("zswpin", 0), ("zswpout", 0), ("zswpwb", 0),
            ("thp_fault_alloc", 0), ("thp_collapse_alloc", 0), ("thp_swpout", 0), ("thp_swpout_fallback", 0)]
    return "".join(f"{key} {val}\n" for key, val in rows)

def v1_stat(k, limit):
    # Key set and order of this machine's /sys/fs/cgroup/memory/memory.stat (kernel 6.18).
    rss, cache, inact = k * 10 * MiB, k * 6 * MiB, k * 2 * MiB
    hl = limit if limit else V1_UNLIMITED
    local = [("cache", cache), ("rss", rss), ("rss_huge", 0), ("shmem", 0), ("mapped_file", k * MiB),
             ("dirty", 0), ("writeback", 0), ("workingset_refault_anon", 0), ("workingset_refault_file", 0),
             ("swap", k * 4096), ("swapcached", 0), ("pgpgin", 100 * k), ("pgpgout", 50 * k),
             ("pgfault", 1000 * k), ("pgmajfault", k), ("inactive_anon", rss), ("active_anon", 0),
             ("inactive_file", inact), ("active_file", cache - inact), ("unevictable", 0)]
    rows = local + [("hierarchical_memory_limit", hl), ("hierarchical_memsw_limit", V1_UNLIMITED)]
    rows += [("total_" + key, val) for key, val in local]
    return "".join(f"{key} {val}\n" for key, val in rows)

def v1_files(d, k, limit):
    w(f"{d}/memory.usage_in_bytes", f"{k * 16 * MiB}\n")
    w(f"{d}/memory.limit_in_bytes", f"{limit if limit else V1_UNLIMITED}\n")
    w(f"{d}/memory.max_usage_in_bytes", f"{k * 20 * MiB}\n")
    w(f"{d}/memory.soft_limit_in_bytes", f"{V1_UNLIMITED}\n")
    w(f"{d}/memory.failcnt", f"{k}\n")
    w(f"{d}/memory.stat", v1_stat(k, limit))
    w(f"{d}/memory.oom_control", f"oom_kill_disable 0\nunder_oom {1 if k == 7 else 0}\noom_kill {k}\n")
    w(f"{d}/memory.memsw.usage_in_bytes", f"{k * 16 * MiB + k * 4096}\n")
    w(f"{d}/memory.memsw.limit_in_bytes", f"{V1_UNLIMITED}\n")
    w(f"{d}/memory.use_hierarchy", "1\n")
    w(f"{d}/cgroup.procs", "")

def build(kind, driver):
    root = os.path.join(OUT, f"{kind}-{driver}")
    shutil.rmtree(root, ignore_errors=True)
    pods = cgroupfs_paths() if driver == "cgroupfs" else systemd_paths()
    cgroups = pods + SLICES
    if kind == "v2":
        w(f"{root}/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n")
        w(f"{root}/cgroup.subtree_control", "cpuset cpu io memory pids\n")
        w(f"{root}/memory.pressure", psi(42))
        w(f"{root}/memory.stat", v2_stat(40))  # present on the root since 6.x; unused (meminfo wins)
        for k, (path, limit) in enumerate(cgroups, start=1):
            v2_files(f"{root}/{path}", k, limit, 384 * MiB if path == "system.slice/containerd.service" else None)
    else:
        mem = f"{root}/memory"
        v1_files(mem, 40, None)
        os.remove(f"{mem}/memory.limit_in_bytes")  # the v1 root has one: put it back with the sentinel
        w(f"{mem}/memory.limit_in_bytes", f"{V1_UNLIMITED}\n")
        for k, (path, limit) in enumerate(cgroups, start=1):
            v1_files(f"{mem}/{path}", k, limit)
        uni = f"{root}/unified"
        w(f"{uni}/cgroup.controllers", "hugetlb\n")
        w(f"{uni}/memory.pressure", psi(42))
        for k, (path, _) in enumerate(cgroups, start=1):
            # systemd mirrors its units and slices into the unified tree; with the cgroupfs driver
            # kubelet's pod cgroups exist only in the v1 hierarchies.
            if driver == "systemd" or not path.startswith("kubepods"):
                w(f"{uni}/{path}/memory.pressure", psi(k))
                w(f"{uni}/{path}/cgroup.procs", "")

for kind in ("v2", "hybrid"):
    for driver in ("cgroupfs", "systemd"):
        build(kind, driver)
print("fixtures written to", os.path.normpath(OUT))
