#!/usr/bin/env python3
"""What a silent QEMU guest is doing, through QEMU's human monitor.

    qemu-snapshot.py SOCK NM_OUTPUT [COMMAND | sleep]...

Connects to the monitor on unix socket SOCK, sends each COMMAND ("sleep"
waits a second instead) and prints its answer, then, for every POWER
CPU's NIP and LR in the answers, the kernel symbol it falls in, from
NM_OUTPUT (the output of `nm -n vmlinux`). A monitor that does not
answer within 10 s is said so: QEMU's main loop itself is stuck. The rigs
call it when a guest's console has been silent for minutes, before they
stop QEMU (scripts/lib.sh, watch_silence).
"""
import bisect
import re
import socket
import sys
import time

ESCAPES = re.compile(rb"\x1b\[[0-9;]*[A-Za-z]")
CPU = re.compile(r"^(CPU#\d+)\s*$")
REGS = re.compile(r"\b(NIP|LR) +([0-9a-fA-F]{16})\b")


def receive(sock, seconds):
    """Read until the monitor's prompt comes back, or SECONDS pass."""
    end = time.monotonic() + seconds
    buf = b""
    sock.settimeout(0.5)
    while time.monotonic() < end:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        if not data:
            break
        buf += data
        if buf.rstrip().endswith(b"(qemu)"):
            return buf, True
    return buf, False


def text(raw):
    raw = ESCAPES.sub(b"", raw).replace(b"\r", b"")
    return raw.decode("utf-8", "replace").replace("(qemu)", "").strip()


def load_symbols(path):
    addrs, names = [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[1] in "tTwW":
                addrs.append(int(parts[0], 16))
                names.append(parts[2])
    return addrs, names


def main():
    sock_path, nm_out, commands = sys.argv[1], sys.argv[2], sys.argv[3:]
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(10)
    try:
        sock.connect(sock_path)
    except OSError as e:
        print(f"monitor: cannot connect to {sock_path}: {e}")
        return 1
    _, prompt = receive(sock, 10)
    if not prompt:
        print("monitor: no prompt within 10 s (QEMU's main loop is stuck)")
        return 1
    answers = []
    for cmd in commands:
        if cmd == "sleep":
            time.sleep(1)
            continue
        sock.sendall(cmd.encode() + b"\n")
        raw, prompt = receive(sock, 10)
        answer = text(raw)
        # The first line is the monitor's echo of the command, redrawn
        # character by character.
        answer = answer.partition("\n")[2].strip("\n")
        print(f"== {cmd}" + ("" if prompt else " (no prompt within 10 s)"))
        print(answer)
        answers.append(answer)
    addrs, names = load_symbols(nm_out)
    seen = []
    for answer in answers:
        cpu = ""
        for line in answer.splitlines():
            if CPU.match(line):
                cpu = CPU.match(line).group(1) + " "
            for reg, value in REGS.findall(line):
                addr = int(value, 16)
                i = bisect.bisect_right(addrs, addr) - 1
                where = f"{names[i]}+{addr - addrs[i]:#x}" if i >= 0 else "?"
                seen.append(f"{cpu}{reg} {addr:#x} {where}")
    print("== symbols, in the order above")
    print("\n".join(seen) if seen else "(no NIP or LR in the answers)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
