"""Engine work that cannot reach the network, by construction.

SPARQL's ``SERVICE`` and ``LOAD`` make the engine open HTTP connections. The endpoint refuses
them unless their IRI is allow-listed, but that check reads the query text, and a checker
that reads it even slightly differently from the engine is a way out (U+00A0 inside an IRI
was one). So, when nothing is allow-listed, the engine runs where it *cannot* open a network
socket: a Linux seccomp filter makes ``socket()`` fail with EACCES for every address family
but ``AF_UNIX`` (and refuses ``io_uring_setup`` and foreign syscall ABIs, which could go
around it). Query workers install it for their whole process; SPARQL updates run in one
thread of the server that installed it for itself only (a filter set by ``prctl`` binds the
calling thread and the threads it starts, not the rest of the process).

Supported on Linux x86-64 and arm64; elsewhere :func:`deny_network` returns False and the
text check stays the only guard (``collex serve`` says so at start).
"""

from __future__ import annotations

import ctypes
import platform
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")

# per architecture: (AUDIT_ARCH, __NR_socket, __NR_io_uring_setup, __NR_seccomp)
_ARCH = {"x86_64": (0xC000003E, 41, 425, 317), "aarch64": (0xC00000B7, 198, 425, 277)}
_AF_UNIX = 1
_EACCES = 13
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_SET_MODE_FILTER = 1
_SECCOMP_FILTER_FLAG_TSYNC = 1
_RET_ALLOW = 0x7FFF0000
_RET_DENY = 0x00050000 | _EACCES  # SECCOMP_RET_ERRNO | EACCES
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_state = threading.local()
DENIED = ("the query or update asks the engine for a network connection (SERVICE or LOAD),"
          " which this server does not allow (COLLEX_SERVICE_ALLOWLIST, COLLEX_LOAD_ALLOWLIST)")


class _Insn(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte),
                ("k", ctypes.c_uint32)]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Insn))]


def _program(arch: int, nr_socket: int, nr_uring: int) -> list[tuple[int, int, int, int]]:
    """The BPF program over ``struct seccomp_data`` (nr at 0, arch at 4, args[0] at 16)."""
    return [
        (_LD_W_ABS, 0, 0, 4),               # 0: arch
        (_JEQ_K, 0, 7, arch),               # 1: foreign ABI -> deny
        (_LD_W_ABS, 0, 0, 0),               # 2: syscall number
        (_JGE_K, 5, 0, 0x40000000),         # 3: x32 ABI numbers -> deny
        (_JEQ_K, 0, 2, nr_socket),          # 4: socket(...)?
        (_LD_W_ABS, 0, 0, 16),              # 5:   its address family
        (_JEQ_K, 3, 2, _AF_UNIX),           # 6:   AF_UNIX -> allow, else deny
        (_JEQ_K, 1, 0, nr_uring),           # 7: io_uring_setup -> deny
        (_RET_K, 0, 0, _RET_ALLOW),         # 8
        (_RET_K, 0, 0, _RET_DENY),          # 9
        (_RET_K, 0, 0, _RET_ALLOW),         # 10
    ]


def supported() -> bool:
    return sys.platform == "linux" and platform.machine() in _ARCH


def deny_network(whole_process: bool = False) -> bool:
    """Forbid network sockets to the calling thread (and the threads it starts), or to every
    thread of the process with ``whole_process``. True when the filter is in place."""
    if not supported():
        return False
    arch, nr_socket, nr_uring, nr_seccomp = _ARCH[platform.machine()]
    insns = _program(arch, nr_socket, nr_uring)
    array = (_Insn * len(insns))(*(_Insn(*i) for i in insns))
    prog = _Prog(len(insns), array)
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_NO_NEW_PRIVS, ctypes.c_ulong(1), ctypes.c_ulong(0),
                  ctypes.c_ulong(0), ctypes.c_ulong(0)) != 0:
        return False
    if whole_process:
        done = libc.syscall(ctypes.c_long(nr_seccomp), ctypes.c_ulong(_SECCOMP_SET_MODE_FILTER),
                            ctypes.c_ulong(_SECCOMP_FILTER_FLAG_TSYNC), ctypes.byref(prog))
    else:
        done = libc.prctl(_PR_SET_SECCOMP, ctypes.c_ulong(_SECCOMP_MODE_FILTER),
                          ctypes.byref(prog), ctypes.c_ulong(0), ctypes.c_ulong(0))
    _state.offline = done == 0
    return bool(done == 0)


def denied(exc: BaseException) -> bool:
    """Whether ``exc``, raised by the engine in this thread, is the sandbox saying no."""
    return isinstance(exc, PermissionError) and getattr(_state, "offline", False)


class OfflineThread:
    """One thread that runs functions with the network denied to it (see the module)."""

    def __init__(self) -> None:
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="collex-offline")
        self.active = self._executor.submit(deny_network).result()

    def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return self._executor.submit(fn, *args, **kwargs).result()

    def close(self) -> None:
        self._executor.shutdown(wait=False)
