#!/usr/bin/python3
"""Runs a command under the restrictions a systemd unit file asks for, without systemd: to prove
the installed lanyard works inside lanyard-agent.service's sandbox on a machine (or container)
where systemd is not running. Must run as root; needs python3-seccomp (Debian package).

    unit_sandbox.py [--hide DIR]... [--setenv K=V]... [--watchdog-usec N] UNIT -- COMMAND [ARG]...

It reads UNIT's [Service] section and applies, as systemd's executor would:
  User= Group= SupplementaryGroups=      identity (and HOME, USER, LOGNAME, SHELL from passwd)
  Environment= UMask=                    a clean environment like systemd's, working directory /
  CapabilityBoundingSet=                 an empty bounding set when the setting is empty
  ProtectSystem=strict                   / read-only, except StateDirectory= / ReadWritePaths=
  ProtectKernelTunables= ProtectControlGroups=   /sys read-only (its top mount)
  PrivateTmp= ProtectHome=               fresh /tmp and /var/tmp; empty /home, /root, /run/user
  ProtectProc= ProcSubset=               a new /proc mounted with hidepid= and subset=
  MemoryDenyWriteExecute=                seccomp: no writable+executable mappings, no mprotect(PROT_EXEC)
  RestrictAddressFamilies=               seccomp: socket() of any other family fails (EAFNOSUPPORT)
  SystemCallFilter= SystemCallErrorNumber=   seccomp: the allow list with its groups expanded
                                         by `systemd-analyze syscall-filter`, @default included
Not emulated: the device cgroup (DevicePolicy=, DeviceAllow=), RestrictNamespaces=, restarts.

--watchdog-usec sets WATCHDOG_USEC and WATCHDOG_PID (the pid the command will have, as this
process execs it), as systemd does for WatchdogSec=. --setenv adds a variable, as systemd adds
NOTIFY_SOCKET. --hide mounts an empty read-only tmpfs over DIR: the test hides the source tree
and the Swift toolchain to show the installed package needs neither.
"""

import argparse
import ctypes
import errno
import grp
import os
import pwd
import re
import shlex
import subprocess
import sys

import seccomp

CLONE_NEWNS = 0x00020000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 1, 2, 4, 8, 32, 4096, 16384, 1 << 18
PR_CAPBSET_DROP = 24
PROT_WRITE, PROT_EXEC, SHM_EXEC = 0x2, 0x4, 0o100000
ADDRESS_FAMILIES = {"AF_UNIX": 1, "AF_INET": 2, "AF_INET6": 10, "AF_NETLINK": 16, "AF_PACKET": 17}
AF_MAX = 46

libc = ctypes.CDLL(None, use_errno=True)


def check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = lambda s: s.encode() if s is not None else None
    check(libc.mount(enc(source), enc(target), enc(fstype), ctypes.c_ulong(flags), enc(data)), f"mount {target}")


def service_section(path: str) -> list[tuple[str, str]]:
    """The [Service] assignments in order; a repeated key keeps every value, as systemd does."""
    entries, section = [], None
    with open(path) as unit:
        for raw in unit:
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.startswith("["):
                section = line
            elif section == "[Service]" and "=" in line:
                key, value = line.split("=", 1)
                entries.append((key.strip(), value.strip()))
    return entries


def values(entries: list[tuple[str, str]], key: str) -> list[str]:
    return [v for k, v in entries if k == key]


def last(entries: list[tuple[str, str]], key: str, default: str = "") -> str:
    found = values(entries, key)
    return found[-1] if found else default


def yes(entries: list[tuple[str, str]], key: str) -> bool:
    return last(entries, key).lower() in ("yes", "true", "1", "on")


def syscall_groups() -> dict[str, list[str]]:
    text = subprocess.run(["systemd-analyze", "syscall-filter"], check=True, capture_output=True, text=True).stdout
    groups: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if re.match(r"^@\S+", line):
            current = line.split()[0]
            groups[current] = []
        elif current and line.strip() and not line.strip().startswith("#"):
            groups[current].append(line.strip())
    return groups


def expand(names: list[str], groups: dict[str, list[str]]) -> set[str]:
    calls: set[str] = set()
    for name in names:
        calls |= expand(groups[name], groups) if name.startswith("@") else {name}
    return calls


def syscall_filter(entries: list[tuple[str, str]]) -> seccomp.SyscallFilter | None:
    lines = values(entries, "SystemCallFilter")
    if not lines:
        return None
    groups = syscall_groups()
    error = last(entries, "SystemCallErrorNumber")
    denied_action = seccomp.ERRNO(getattr(errno, error)) if error else seccomp.KILL_PROCESS
    allow_list = not lines[0].startswith("~")
    calls = expand(["@default"], groups) if allow_list else set()
    for line in lines:
        names = expand(line.lstrip("~").split(), groups)
        if line.startswith("~"):
            calls = calls - names if allow_list else calls | names
        else:
            calls |= names
    result = seccomp.SyscallFilter(denied_action if allow_list else seccomp.ALLOW)
    for call in sorted(calls):
        try:
            result.add_rule(seccomp.ALLOW if allow_list else denied_action, call)
        except (RuntimeError, ValueError):
            pass  # not a system call of this architecture
    return result


def memory_deny_write_execute() -> seccomp.SyscallFilter:
    result = seccomp.SyscallFilter(seccomp.ALLOW)
    denied = seccomp.ERRNO(errno.EPERM)
    both = PROT_WRITE | PROT_EXEC
    result.add_rule(denied, "mmap", seccomp.Arg(2, seccomp.MASKED_EQ, both, both))
    result.add_rule(denied, "mprotect", seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, PROT_EXEC))
    result.add_rule(denied, "pkey_mprotect", seccomp.Arg(2, seccomp.MASKED_EQ, PROT_EXEC, PROT_EXEC))
    result.add_rule(denied, "shmat", seccomp.Arg(2, seccomp.MASKED_EQ, SHM_EXEC, SHM_EXEC))
    return result


def address_families(entries: list[tuple[str, str]]) -> seccomp.SyscallFilter | None:
    setting = last(entries, "RestrictAddressFamilies")
    if not setting:
        return None
    allowed = {ADDRESS_FAMILIES[name] for name in setting.split()}
    result = seccomp.SyscallFilter(seccomp.ALLOW)
    for family in range(AF_MAX):
        if family not in allowed:
            result.add_rule(seccomp.ERRNO(errno.EAFNOSUPPORT), "socket", seccomp.Arg(0, seccomp.EQ, family))
    return result


def set_up_mounts(entries: list[tuple[str, str]], hidden: list[str]) -> None:
    check(libc.unshare(CLONE_NEWNS), "unshare")
    mount(None, "/", None, MS_REC | MS_PRIVATE)

    def empty(path: str, mode: str) -> None:
        if os.path.isdir(path):
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"mode={mode}")
            mount(None, path, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)

    if yes(entries, "PrivateTmp"):
        for path in ("/tmp", "/var/tmp"):
            mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    if last(entries, "ProtectHome") in ("yes", "true", "read-only", "tmpfs"):
        for path in ("/home", "/root", "/run/user"):
            empty(path, "000")
    for path in hidden:
        empty(path, "755")
    if last(entries, "ProtectSystem") == "strict":
        writable = ["/var/lib/" + d for v in values(entries, "StateDirectory") for d in v.split()]
        writable += [p for v in values(entries, "ReadWritePaths") for p in v.split()]
        for path in writable:
            mount(path, path, None, MS_BIND | MS_REC)
        mount(None, "/", None, MS_REMOUNT | MS_BIND | MS_RDONLY)
    proc_options = [f"hidepid={last(entries, 'ProtectProc')}"] if last(entries, "ProtectProc") not in ("", "default") else []
    proc_options += [f"subset={last(entries, 'ProcSubset')}"] if last(entries, "ProcSubset") not in ("", "all") else []
    if proc_options:
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, ",".join(proc_options))
    if yes(entries, "ProtectKernelTunables") or yes(entries, "ProtectControlGroups"):
        mount("/sys", "/sys", None, MS_BIND | MS_REC)
        mount(None, "/sys", None, MS_REMOUNT | MS_BIND | MS_RDONLY)


def environment(entries: list[tuple[str, str]], user: pwd.struct_passwd | None, extra: list[str]) -> dict[str, str]:
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin"}
    if user:
        env.update(HOME=user.pw_dir, USER=user.pw_name, LOGNAME=user.pw_name, SHELL=user.pw_shell)
    for line in values(entries, "Environment"):
        for assignment in shlex.split(line):
            key, _, value = assignment.partition("=")
            env[key] = value
    for assignment in extra:
        key, _, value = assignment.partition("=")
        env[key] = value
    return env


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hide", action="append", default=[], help="directory to cover with an empty tmpfs")
    parser.add_argument("--setenv", action="append", default=[], help="extra KEY=VALUE, as systemd adds NOTIFY_SOCKET")
    parser.add_argument("--watchdog-usec", type=int, help="as systemd passes WatchdogSec= to the main process")
    parser.add_argument("unit")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command")
    entries = service_section(args.unit)

    user = pwd.getpwnam(last(entries, "User")) if last(entries, "User") else None
    group = grp.getgrnam(last(entries, "Group")).gr_gid if last(entries, "Group") else (user.pw_gid if user else 0)
    supplementary = [grp.getgrnam(g).gr_gid for v in values(entries, "SupplementaryGroups") for g in v.split()]
    env = environment(entries, user, args.setenv)
    if args.watchdog_usec:
        env.update(WATCHDOG_USEC=str(args.watchdog_usec), WATCHDOG_PID=str(os.getpid()))
    filters = [memory_deny_write_execute()] if yes(entries, "MemoryDenyWriteExecute") else []
    filters += [f for f in (address_families(entries), syscall_filter(entries)) if f is not None]

    set_up_mounts(entries, args.hide)
    os.chdir(last(entries, "WorkingDirectory", "/"))
    os.umask(int(last(entries, "UMask", "0022"), 8))
    if "CapabilityBoundingSet" in dict(entries) and not last(entries, "CapabilityBoundingSet"):
        for cap in range(64):
            if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                break
    if user:
        os.setgroups(supplementary)
        os.setgid(group)
        os.setuid(user.pw_uid)
    for f in filters:
        f.load()
    os.execvpe(command[0], command, env)


if __name__ == "__main__":
    sys.exit(main())
