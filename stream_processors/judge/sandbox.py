"""The sandbox that runs students' code for coding questions: untrusted programs, contained.

A student's answer is a program the judge compiles and runs against the teacher's tests. The
program is hostile until proven otherwise: it may fork without end, allocate without end,
print without end, sleep, open sockets, or read the worker's secrets. Each compile and each
run is one bubblewrap (``bwrap``) sandbox:

- new namespaces for everything (``--unshare-all``): no network but an unconfigured loopback,
  its own pids (``/proc`` shows only the sandbox's), its own hostname, IPC and cgroup view;
  a user namespace in which the program is uid/gid 65534, every capability dropped, and no
  nested user namespace (``--disable-userns``);
- a filesystem made of ``/usr`` read-only (and the merged-/usr symlinks), a private ``/proc``
  and ``/dev``, a small private ``/tmp`` tmpfs, and the program's own directory on ``/job``
  (writable only while the compiler runs). No ``/etc``, ``/home``, ``/root``, ``/var``, the
  checkout or its secrets: they are not hidden, they are not there. ``/`` and ``/dev`` are
  remounted read-only (bwrap leaves both writable tmpfs: memory without a limit);
- an empty environment but PATH, HOME and LANG;
- a seccomp filter (default allow, a deny list answering EPERM) on the system calls a
  program reading stdin and writing stdout never needs: sockets, ptrace, mounts, namespaces,
  keyrings, BPF, kernel modules, io_uring...;
- resource limits set before ``bwrap`` is exec'd, inherited by everything inside: CPU time,
  address space, processes, file size, open files, no core dumps;
- a wall-clock limit and an output cap enforced here, by killing the sandbox.

RLIMIT_NPROC is what contains a fork bomb, and the kernel does not enforce it for root (uid 0
is exempt, even inside a new user namespace). A worker running as root therefore drops to an
unprivileged uid before exec'ing bwrap, one uid per concurrent slot (61000 + slot), because
the limit counts every process of a uid. A worker that is not root runs bwrap as itself; the
limit then counts the user's other processes too, so it is raised by their number at start:
weaker, for developers' machines only.

CPU time and peak memory come from ``wait4``. bwrap's outer process exits as soon as the
sandbox's pid 1 reports the program's exit, without reaping pid 1, so this process makes
itself a child subreaper (process-wide, once) and reaps pid 1 itself: pid 1's rusage holds the
program's and that of every process it reaped. A sandbox killed for its wall-clock limit may
under-report CPU (processes killed in the namespace's teardown are not all counted).
Whether bwrap's own setup failed (``sandbox_error``) is told by its ``--json-status-fd``: it
reports an exit code only once the program was exec'd, so a program printing "bwrap: ..." on
stderr cannot pass for an infrastructure fault.
"""
from __future__ import annotations

import ctypes
import errno
import json
import math
import os
import resource
import selectors
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

LANGUAGES = ("python", "c", "cpp")

BWRAP = "/usr/bin/bwrap"
PYTHON = "/usr/bin/python3"  # Debian's interpreter: never the project's venv
SANDBOX_ID = 65534  # uid and gid inside: "nobody"
SLOT_UID_BASE = 61000  # the uid a root worker's slot runs as
JOB = "/job"  # where the program's directory appears inside
SOURCE_FILES = {"python": "main.py", "c": "main.c", "cpp": "main.cpp"}
BINARY = "main"
STDERR_BYTES = 8 * 1024
OPEN_FILES = 64
# bwrap runs under the limits it passes on: the outer process (which waits for the sandbox)
# and the sandbox's pid 1 (which reaps orphans) are two processes of the slot's uid.
BWRAP_PROCESSES = 2
# Address space beyond `memory_mb`: the interpreter or libc mappings, not the student's data.
# Measured: python3 with nothing imported peaks at 17 MiB of address space, bwrap at 5 MiB, a
# C program at 3 MiB; a thread's glibc arena reserves 64 MiB more.
ADDRESS_SPACE_HEADROOM_MB = 64
TMP_FILES_FACTOR = 4  # /tmp holds this many maximal files (tmpfs pages are memory)
_READ_CHUNK = 64 * 1024
_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


@dataclass(frozen=True)
class Limits:
    cpu_seconds: float = 2.0
    wall_seconds: float = 6.0
    memory_mb: int = 256
    processes: int = 16
    output_bytes: int = 64 * 1024
    file_bytes: int = 4 * 1024 * 1024


# The compiler is trusted code on untrusted input: generous, but a template bomb still ends.
COMPILE_LIMITS = Limits(cpu_seconds=10, wall_seconds=20, memory_mb=512, processes=64,
                        output_bytes=64 * 1024, file_bytes=64 * 1024 * 1024)


class Outcome(StrEnum):
    OK = "ok"
    RUNTIME_ERROR = "runtime_error"
    TIME_LIMIT = "time_limit"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    SANDBOX_ERROR = "sandbox_error"


@dataclass(frozen=True)
class Run:
    outcome: Outcome
    exit_code: int | None  # None when a signal ended it
    signal: int | None
    stdout: bytes  # at most the limit's output_bytes
    stderr: str  # at most STDERR_BYTES, decoded leniently
    cpu_ms: int
    wall_ms: int
    max_rss_kb: int


class SandboxUnavailable(RuntimeError):
    """bwrap or the seccomp filter cannot be had on this machine: nothing can be judged."""


# --- the seccomp filter ------------------------------------------------------------------------

# Denied with EPERM. A program that reads stdin and writes stdout needs none of these; each is
# a way out (network, namespaces, mounts, other processes' memory) or a large kernel surface
# (BPF, io_uring, keyrings, userfaultfd). Names libseccomp does not know are skipped.
DENIED_SYSCALLS = (
    "socket", "socketpair", "connect", "bind", "listen", "accept", "accept4",
    "ptrace", "process_vm_readv", "process_vm_writev",
    "mount", "umount2", "pivot_root", "chroot", "fsopen", "fsmount", "move_mount", "open_tree",
    "unshare", "setns",
    "keyctl", "add_key", "request_key",
    "bpf", "perf_event_open", "userfaultfd",
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module",
    "reboot", "swapon", "swapoff", "personality", "open_by_handle_at",
    "io_uring_setup", "io_uring_enter", "io_uring_register",
)
# clone's flags are its first argument on every architecture bwrap runs on here (x86_64,
# arm64); any namespace flag is refused. clone3 passes its flags in memory, which seccomp
# cannot read: it answers ENOSYS, and glibc then falls back to clone (the common practice).
_CLONE_NAMESPACE_FLAGS = (0x00020000, 0x02000000, 0x04000000, 0x08000000, 0x10000000,
                          0x20000000, 0x40000000)  # NEWNS, NEWCGROUP, UTS, IPC, USER, PID, NET

_seccomp_lock = threading.Lock()
_seccomp_program: bytes | None = None
_seccomp_skipped: tuple[str, ...] = ()


def seccomp_program() -> bytes:
    """The filter as a BPF program for ``bwrap --seccomp``: built once per process."""
    global _seccomp_program, _seccomp_skipped
    with _seccomp_lock:
        if _seccomp_program is None:
            try:
                import pyseccomp as seccomp
            except ImportError as missing:  # or its libseccomp.so.2
                raise SandboxUnavailable(f"seccomp is not available: {missing}") from missing
            rules = seccomp.SyscallFilter(seccomp.ALLOW)
            skipped = []
            for name in DENIED_SYSCALLS:
                if not _add_rule(seccomp, rules, seccomp.ERRNO(errno.EPERM), name):
                    skipped.append(name)
            for flag in _CLONE_NAMESPACE_FLAGS:
                _add_rule(seccomp, rules, seccomp.ERRNO(errno.EPERM), "clone",
                          seccomp.Arg(0, seccomp.MASKED_EQ, flag, flag))
            if not _add_rule(seccomp, rules, seccomp.ERRNO(errno.ENOSYS), "clone3"):
                skipped.append("clone3")
            with tempfile.TemporaryFile() as out:
                rules.export_bpf(out)
                out.seek(0)
                _seccomp_program = out.read()
            _seccomp_skipped = tuple(skipped)
        return _seccomp_program


def _add_rule(seccomp, rules, action: int, name: str, *args) -> bool:
    try:
        if seccomp.resolve_syscall(seccomp.Arch.NATIVE, name) < 0:
            return False
        rules.add_rule(action, name, *args)
    except (OSError, ValueError, RuntimeError):
        return False
    return True


# --- programs ----------------------------------------------------------------------------------

class Program:
    """A student's source in its own directory, compiled when the language needs it.

    A context manager: leaving it (or ``close``) removes the directory.
    """

    def __init__(self, language: str, directory: Path, compile: Run | None) -> None:
        self.language = language
        self.directory = directory
        self.compile = compile

    @property
    def ok(self) -> bool:
        """Ready to run: nothing to compile, or compiled without error."""
        if self.compile is None:
            return True
        return self.compile.outcome == Outcome.OK and (self.directory / BINARY).is_file()

    def argv(self) -> list[str]:
        if self.language == "python":
            # -I: no environment, no user site, not the script's directory on sys.path;
            # -B: no .pyc beside the read-only source.
            return [PYTHON, "-I", "-B", SOURCE_FILES["python"]]
        return [f"./{BINARY}"]

    def close(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> Program:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _compiler_argv(language: str) -> list[str]:
    common = ["-O2", "-pipe", "-fdiagnostics-color=never", "-o", BINARY]
    if language == "c":
        return ["/usr/bin/gcc", "-std=c17", *common, SOURCE_FILES["c"], "-lm"]
    return ["/usr/bin/g++", "-std=c++17", *common, SOURCE_FILES["cpp"]]


# --- the sandbox -------------------------------------------------------------------------------

class Sandbox:
    """Runs programs in bwrap sandboxes, one at a time; one Sandbox per concurrent worker.

    ``slot`` picks the unprivileged uid a root worker runs the sandbox as (61000 + slot): two
    sandboxes running at once must have different slots, or their process limits add up.
    ``root`` is where each program's directory is made (default: the system's temp dir).
    """

    def __init__(self, slot: int = 0, root: Path | None = None) -> None:
        if not os.access(BWRAP, os.X_OK):
            raise SandboxUnavailable(f"{BWRAP} is missing: install the bubblewrap package")
        seccomp_program()
        self.slot = slot
        self.root = Path(root) if root is not None else Path(tempfile.gettempdir())
        self._as_root = os.geteuid() == 0
        self.uid = SLOT_UID_BASE + slot if self._as_root else os.geteuid()
        self.gid = SLOT_UID_BASE + slot if self._as_root else os.getegid()

    def prepare(self, language: str, source: str) -> Program:
        """Write ``source`` into a fresh directory and compile it (C, C++) inside a sandbox."""
        if language not in LANGUAGES:
            raise ValueError(f"unknown language {language!r}; one of {', '.join(LANGUAGES)}")
        directory = Path(tempfile.mkdtemp(prefix="soems-judge-", dir=self.root))
        try:
            (directory / SOURCE_FILES[language]).write_text(source, encoding="utf-8")
            if self._as_root:  # the slot's uid reads (and the compiler writes) it
                for path in (directory, directory / SOURCE_FILES[language]):
                    os.chown(path, self.uid, self.gid)
            compiled = None
            if language != "python":
                compiled = self._execute(_compiler_argv(language), directory, b"",
                                         COMPILE_LIMITS, writable=True)
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        return Program(language, directory, compiled)

    def run(self, program: Program, stdin: bytes, limits: Limits) -> Run:
        """Run a prepared program on ``stdin``; never raises for what the program does."""
        if not program.ok:
            raise ValueError("the program did not compile")
        return self._execute(program.argv(), program.directory, stdin, limits, writable=False)

    # --- one sandboxed process ---

    def _execute(self, argv: list[str], directory: Path, stdin: bytes, limits: Limits,
                 writable: bool) -> Run:
        _become_subreaper()
        seccomp_fd = _memfd("seccomp", seccomp_program())
        stdin_fd = _read_only(_memfd("stdin", stdin))  # a file: no pipe to keep fed
        job_fd = os.open(directory, os.O_PATH | os.O_DIRECTORY | os.O_CLOEXEC)
        status_r, status_w = os.pipe2(os.O_CLOEXEC)
        command = [*self._bwrap_argv(seccomp_fd, job_fd, status_w, writable, limits),
                   "--", *argv]
        started = time.monotonic()
        try:
            child = subprocess.Popen(
                command, stdin=stdin_fd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                pass_fds=(seccomp_fd, job_fd, status_w), close_fds=True,
                env={"PATH": "/usr/bin:/bin"},
                start_new_session=True,  # its own process group, killed as one
                user=self.uid if self._as_root else None,
                group=self.gid if self._as_root else None,
                extra_groups=[] if self._as_root else None,
                preexec_fn=_child_setup(self._rlimits(limits)),
            )
        except OSError as failed:
            os.close(status_r)
            return Run(Outcome.SANDBOX_ERROR, None, None, b"", f"bwrap: not started: {failed}",
                       0, 0, 0)
        finally:
            for fd in (seccomp_fd, stdin_fd, job_fd, status_w):
                os.close(fd)
        with open(status_r, "rb", buffering=0) as status_pipe:
            collected = _collect(child, status_pipe, started + limits.wall_seconds,
                                 limits.output_bytes)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        cpu = usage.ru_utime + usage.ru_stime
        max_rss_kb = usage.ru_maxrss
        # The sandbox's pid 1: bwrap's outer process exits as soon as pid 1 reports the
        # program's exit, without reaping it, so pid 1 (and with it the rusage of every
        # process it reaped) comes to this process, the subreaper. Waiting for it also waits
        # for the pid namespace to be torn down: the slot's processes are gone after this.
        pid1 = collected.child_pid
        if pid1 and (collected.exit_code is not None or collected.killed_for):
            try:
                _, _, inner = os.wait4(pid1, 0)
                cpu += inner.ru_utime + inner.ru_stime
                max_rss_kb = max(max_rss_kb, inner.ru_maxrss)
            except ChildProcessError:  # reaped by bwrap after all
                pass
        wall_ms = round((time.monotonic() - started) * 1000)
        cpu_ms = round(cpu * 1000)
        text = collected.stderr.decode("utf-8", errors="replace")
        if collected.exit_code is None and collected.killed_for is None:
            # bwrap never exec'd the program (its setup failed): an infrastructure fault,
            # told by bwrap's status, not by what the program could print.
            return Run(Outcome.SANDBOX_ERROR, _exit_of(status)[0], None, collected.stdout,
                       text, cpu_ms, wall_ms, max_rss_kb)
        exit_code, signum = (_exit_of(status) if collected.killed_for
                             else _exit_of_code(collected.exit_code))
        outcome = classify(exit_code, signum, collected.killed_for, text, cpu_ms, max_rss_kb,
                           limits)
        return Run(outcome, exit_code, signum, collected.stdout, text, cpu_ms, wall_ms,
                   max_rss_kb)

    def _bwrap_argv(self, seccomp_fd: int, job_fd: int, status_fd: int, writable: bool,
                    limits: Limits) -> list[str]:
        return [
            BWRAP,
            "--unshare-all", "--unshare-user", "--disable-userns",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--uid", str(SANDBOX_ID), "--gid", str(SANDBOX_ID), "--hostname", "judge",
            "--ro-bind", "/usr", "/usr", *_usr_links(),
            "--proc", "/proc", "--dev", "/dev",
            "--size", str(max(limits.file_bytes, 1 << 20) * TMP_FILES_FACTOR), "--tmpfs", "/tmp",
            # By descriptor: the slot's uid need not be able to walk to it through `root`.
            "--bind-fd" if writable else "--ro-bind-fd", str(job_fd), JOB,
            "--remount-ro", "/dev", "--remount-ro", "/",
            "--chdir", JOB,
            "--clearenv", "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "HOME", "/tmp",
            "--setenv", "LANG", "C.UTF-8",
            "--seccomp", str(seccomp_fd),
            # {"child-pid": pid 1} at start, {"exit-code": n} only if the program was exec'd
            "--json-status-fd", str(status_fd),
        ]

    def _rlimits(self, limits: Limits) -> list[tuple[int, int, int]]:
        cpu = max(1, math.ceil(limits.cpu_seconds))
        memory = (limits.memory_mb + ADDRESS_SPACE_HEADROOM_MB) * 1024 * 1024
        processes = limits.processes + BWRAP_PROCESSES
        if not self._as_root:  # the limit counts every process of this user
            processes += processes_of(os.geteuid())
        return [
            (resource.RLIMIT_CPU, cpu, cpu + 1),  # SIGXCPU, then SIGKILL a second later
            (resource.RLIMIT_AS, memory, memory),
            (resource.RLIMIT_NPROC, processes, processes),
            (resource.RLIMIT_FSIZE, limits.file_bytes, limits.file_bytes),
            (resource.RLIMIT_NOFILE, OPEN_FILES, OPEN_FILES),
            (resource.RLIMIT_CORE, 0, 0),
        ]


def classify(exit_code: int | None, signum: int | None, killed_for: str | None, stderr: str,
             cpu_ms: int, max_rss_kb: int, limits: Limits) -> Outcome:
    """What ended a run, from how it ended and what it used.

    Memory is a heuristic: the address-space limit makes an allocation fail, and what a
    program does then differs. Python raises MemoryError (its stderr's last line), C++ throws
    std::bad_alloc (terminate's message, SIGABRT), a message naming ENOMEM ("Cannot allocate
    memory") counts too, and a crash (SIGSEGV, SIGBUS, SIGABRT, SIGKILL) whose peak resident
    memory reached 80 % of the limit. A C program that dereferences the NULL of a single
    failed large malloc has used little memory: that is a runtime_error.
    """
    if killed_for == "output":
        return Outcome.OUTPUT_LIMIT
    if killed_for == "wall":
        return Outcome.TIME_LIMIT
    if signum == signal.SIGXCPU or cpu_ms > limits.cpu_seconds * 1000:
        return Outcome.TIME_LIMIT
    if signum == signal.SIGKILL and cpu_ms >= limits.cpu_seconds * 1000 * 0.95:
        return Outcome.TIME_LIMIT  # the hard CPU limit: SIGXCPU was ignored
    if exit_code != 0:
        lines = stderr.rstrip().splitlines()
        last = lines[-1] if lines else ""
        if (last.startswith("MemoryError") or "std::bad_alloc" in stderr
                or "Cannot allocate memory" in stderr):
            return Outcome.MEMORY_LIMIT
        crashed = signum in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGKILL)
        if crashed and max_rss_kb >= limits.memory_mb * 1024 * 0.8:
            return Outcome.MEMORY_LIMIT
        return Outcome.RUNTIME_ERROR
    return Outcome.OK


def _exit_of(status: int) -> tuple[int | None, int | None]:
    """(exit code, signal) of bwrap's own wait status."""
    if os.WIFSIGNALED(status):  # killed here for time or output
        return None, os.WTERMSIG(status)
    return _exit_of_code(os.WEXITSTATUS(status))


def _exit_of_code(code: int) -> tuple[int | None, int | None]:
    """(exit code, signal) of the program. bwrap reports a program killed by signal N as exit
    code 128 + N, like a shell: a program that itself exits 128 + N reads as killed by N."""
    if 128 < code <= 128 + 64:
        return None, code - 128
    return code, None


@dataclass
class _Collected:
    stdout: bytes = b""
    stderr: bytes = b""
    killed_for: str | None = None  # "wall" or "output"
    child_pid: int | None = None  # the sandbox's pid 1, as this process sees it
    exit_code: int | None = None  # the program's, as bwrap reports it; None: never exec'd


def _collect(child: subprocess.Popen, status_pipe, deadline: float,
             output_bytes: int) -> _Collected:
    """Read stdout, stderr and bwrap's status until the sandbox ends, its time is up or it
    prints too much; in the last two cases kill it."""
    stdout, stderr, status = bytearray(), bytearray(), bytearray()
    caps = {id(stdout): output_bytes, id(stderr): STDERR_BYTES, id(status): STDERR_BYTES}
    found = _Collected()
    selector = selectors.DefaultSelector()
    for stream, buffer in ((child.stdout, stdout), (child.stderr, stderr),
                           (status_pipe, status)):
        selector.register(stream, selectors.EVENT_READ, buffer)
    try:
        pidfd = os.pidfd_open(child.pid)
        selector.register(pidfd, selectors.EVENT_READ, None)
    except (AttributeError, OSError):  # pidfd: Linux 5.3; otherwise poll
        pidfd = None
    exited, streams = False, 3
    try:
        while not exited or streams:  # bwrap exited: read what is left in the pipes
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                found.killed_for = "wall"
                break
            events = selector.select(remaining if pidfd is not None else min(remaining, 0.05))
            for key, _ in events:
                if key.data is None:
                    selector.unregister(key.fileobj)
                    exited = True
                    continue
                chunk = os.read(key.fd, _READ_CHUNK)
                if not chunk:
                    selector.unregister(key.fileobj)
                    streams -= 1
                    continue
                buffer, cap = key.data, caps[id(key.data)]
                if len(buffer) <= cap:  # past the cap stderr is read and dropped
                    buffer += chunk[:cap + 1 - len(buffer)]
            if len(stdout) > output_bytes:
                found.killed_for = "output"
                break
            if pidfd is None and not exited:
                exited = os.waitid(os.P_PID, child.pid,
                                   os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None
        if found.killed_for is not None:
            try:
                os.killpg(child.pid, signal.SIGKILL)  # bwrap; its pid 1 dies with it
            except ProcessLookupError:
                pass
            if found.child_pid is None:  # killed before bwrap said anything else
                status += _read_available(status_pipe)
    finally:
        selector.close()
        if pidfd is not None:
            os.close(pidfd)
        child.stdout.close()
        child.stderr.close()
    for line in bytes(status).splitlines():
        try:
            report = json.loads(line)
        except ValueError:
            continue
        found.child_pid = report.get("child-pid", found.child_pid)
        found.exit_code = report.get("exit-code", found.exit_code)
    found.stdout, found.stderr = bytes(stdout[:output_bytes]), bytes(stderr[:STDERR_BYTES])
    return found


def _read_available(pipe) -> bytes:
    os.set_blocking(pipe.fileno(), False)
    try:
        return os.read(pipe.fileno(), _READ_CHUNK)
    except BlockingIOError:
        return b""


def _become_subreaper() -> None:
    """Orphaned descendants of this process come to it rather than to the host's init: the
    sandbox's pid 1 is one (see ``Sandbox._execute``). Set once, for the whole process."""
    global _subreaper
    if not _subreaper:
        if _libc().prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
            problem = os.strerror(ctypes.get_errno())
            raise SandboxUnavailable(f"prctl(PR_SET_CHILD_SUBREAPER): {problem}")
        _subreaper = True


_subreaper = False


def _child_setup(rlimits: list[tuple[int, int, int]]):
    """Run in the forked child after it dropped to the slot's uid, before exec'ing bwrap."""
    prctl = _libc().prctl

    def setup() -> None:
        for which, soft, hard in rlimits:
            resource.setrlimit(which, (soft, hard))
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)  # the worker dies: so does bwrap

    return setup


_libc_handle: ctypes.CDLL | None = None


def _libc() -> ctypes.CDLL:
    global _libc_handle
    if _libc_handle is None:
        _libc_handle = ctypes.CDLL(None, use_errno=True)
    return _libc_handle


def _memfd(name: str, data: bytes) -> int:
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.lseek(fd, 0, os.SEEK_SET)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _read_only(fd: int) -> int:
    """The same file, opened again for reading only: the program may not write its stdin."""
    try:
        return os.open(f"/proc/self/fd/{fd}", os.O_RDONLY | os.O_CLOEXEC)
    finally:
        os.close(fd)


_links: list[str] | None = None


def _usr_links() -> list[str]:
    """/bin, /lib, /lib64, /sbin as on the host: symlinks into /usr on a merged-/usr system."""
    global _links
    if _links is None:
        found = []
        for name in ("bin", "lib", "lib64", "sbin"):
            path = f"/{name}"
            if os.path.islink(path):
                found += ["--symlink", os.readlink(path), path]
            elif os.path.isdir(path):
                found += ["--ro-bind", path, path]
        _links = found
    return _links


def processes_of(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                count += entry.stat().st_uid == uid
            except OSError:
                pass
    return count
