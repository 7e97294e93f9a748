#!/usr/bin/env python3
"""Regenerates three-boots.export (journal export format, see systemd's JOURNAL_EXPORT_FORMATS).
Boot A ends cleanly, boot B ends with a kernel BUG/Oops and no shutdown record, boot C is "current"
and holds an OOM kill sequence, a binary (non-UTF-8, embedded newline) MESSAGE and non-kernel noise."""
import struct

A = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
B = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
C = "cccccccccccccccccccccccccccccccc"
MACHINE = "0123456789abcdef0123456789abcdef"
out = bytearray()

def entry(boot, realtime, monotonic, message, kernel=True, source_mono=None, priority=6, extra=()):
    fields = [
        ("__CURSOR", "s=fixture;i=%x" % realtime),
        ("__REALTIME_TIMESTAMP", str(realtime)),
        ("__MONOTONIC_TIMESTAMP", str(monotonic)),
        ("_BOOT_ID", boot),
        ("_MACHINE_ID", MACHINE),
        ("_HOSTNAME", "node-1"),
        ("PRIORITY", str(priority)),
    ]
    if kernel:
        fields += [("_TRANSPORT", "kernel"), ("SYSLOG_FACILITY", "0"), ("SYSLOG_IDENTIFIER", "kernel")]
        if source_mono is not None:
            fields.append(("_SOURCE_MONOTONIC_TIMESTAMP", str(source_mono)))
    else:
        fields += [("_TRANSPORT", "journal")]
    fields += list(extra)
    for name, value in fields:
        out.extend(name.encode() + b"=" + value.encode() + b"\n")
    if isinstance(message, bytes) and (b"\n" in message or any(b > 127 for b in message)):
        out.extend(b"MESSAGE\n" + struct.pack("<Q", len(message)) + message + b"\n")
    else:
        m = message if isinstance(message, bytes) else message.encode()
        out.extend(b"MESSAGE=" + m + b"\n")
    out.extend(b"\n")

# Boot A: clean reboot.
a0 = 1700000000_000000
entry(A, a0, 1_000_000, "Linux version 6.1.0-18-amd64", source_mono=0, priority=5)
entry(A, a0 + 1_000, 1_001_000, "Command line: BOOT_IMAGE=/vmlinuz root=/dev/sda1", source_mono=0)
entry(A, a0 + 3600_000000, 3601_000000, "System is rebooting.", kernel=False, priority=5,
      extra=[("MESSAGE_ID", "98268866d1d54a499c4e98921d93bc40"), ("SHUTDOWN", "reboot"), ("SYSLOG_IDENTIFIER", "systemd-logind")])
entry(A, a0 + 3601_000000, 3602_000000, "Reached target reboot.target - System Reboot.", kernel=False,
      extra=[("MESSAGE_ID", "39f53479d3a045ac8e11786248231fbf"), ("UNIT", "reboot.target"), ("SYSLOG_IDENTIFIER", "systemd")])
entry(A, a0 + 3602_000000, 3603_000000, "Journal stopped", kernel=False,
      extra=[("MESSAGE_ID", "d93fb3c9c24d451a97cea615ce59c00b"), ("SYSLOG_IDENTIFIER", "systemd-journald")])
entry(A, a0 + 3603_000000, 3604_000000, "reboot: Restarting system", source_mono=3603_900000, priority=0)

# Boot B: crash (kernel BUG + Oops), no shutdown record.
b0 = 1700100000_000000
entry(B, b0, 1_000_000, "Linux version 6.1.0-18-amd64", source_mono=0, priority=5)
entry(B, b0 + 500_000000, 501_000000, "BUG: kernel NULL pointer dereference, address: 0000000000000008", source_mono=500_900000, priority=1)
entry(B, b0 + 500_000100, 501_000100, "#PF: supervisor read access in kernel mode", source_mono=500_900010, priority=1)
entry(B, b0 + 500_000200, 501_000200, "Oops: 0000 [#1] PREEMPT SMP NOPTI", source_mono=500_900020, priority=4)
entry(B, b0 + 500_000300, 501_000300, "Started Session 4 of User root.", kernel=False,
      extra=[("MESSAGE_ID", "39f53479d3a045ac8e11786248231fbf"), ("UNIT", "session-4.scope")])

# Boot C: current boot with an OOM kill, a binary message and non-kernel noise.
c0 = 1700200000_000000
entry(C, c0, 1_000_000, "Linux version 6.18.44-fc-v595", source_mono=0, priority=5)
entry(C, c0 + 100_000000, 101_000000, "Started nginx.service.", kernel=False)
entry(C, c0 + 126_000000, 126_500000, "haproxy invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0", source_mono=126_417944, priority=4)
entry(C, c0 + 126_000100, 126_500100, "memory: usage 32768kB, limit 32768kB, failcnt 82", source_mono=126_418095, priority=6)
entry(C, c0 + 126_000200, 126_500200, "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/oomwatch-probe/system.slice,task_memcg=/oomwatch-probe/system.slice/haproxy.service,task=haproxy,pid=3311,uid=0", source_mono=126_418195, priority=6)
entry(C, c0 + 126_000300, 126_500300, "Memory cgroup out of memory: Killed process 3311 (haproxy) total-vm:35372kB, anon-rss:32512kB, file-rss:992kB, shmem-rss:0kB, UID:0 pgtables:112kB oom_score_adj:0", source_mono=126_418212, priority=3)
entry(C, c0 + 127_000000, 127_500000, b"Killed process 4242 (bad\xff\xfe\nname) total-vm:1kB", source_mono=127_000001, priority=3)
entry(C, c0 + 128_000000, 128_500000, "no source monotonic timestamp here", priority=6)

open("three-boots.export", "wb").write(bytes(out))
