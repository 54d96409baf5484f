#!/usr/bin/env python3
"""Drives a command through a pseudo-terminal, as a person at a terminal would: waits for each
expected prompt, then types the answer. Used by the CLI tests for interactive input (hidden values,
confirmations, Ctrl-C, Ctrl-D).

Why Python's pty module: node-pty ships no Linux prebuilds and needs a native build, and script(1)
cannot wait for a prompt before typing. pty is in Python's standard library, on every machine
that builds Coffer.

Input (JSON on stdin): {"argv": [...], "env": {...}, "cwd": "...", "timeout": 20,
                        "steps": [{"expect": "Key: ", "send": "token\\r"}, ...]}
Output (JSON on stdout): {"exitCode": int|null, "signal": int|null, "transcript": "...",
                          "error": "..." (when an expected prompt never came)}
"""
import json
import os
import pty
import select
import signal
import sys
import time


def main():
    spec = json.load(sys.stdin)
    deadline = time.monotonic() + spec.get("timeout", 20)
    pid, fd = pty.fork()
    if pid == 0:
        if spec.get("cwd"):
            os.chdir(spec["cwd"])
        os.execve(spec["argv"][0], spec["argv"], spec["env"])

    transcript = b""
    seen = 0  # where the search for the next prompt starts
    error = None

    def read_some(wait):
        nonlocal transcript
        ready, _, _ = select.select([fd], [], [], wait)
        if not ready:
            return True
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            return False  # the child closed the terminal
        if not chunk:
            return False
        transcript += chunk
        return True

    alive = True
    for step in spec.get("steps", []):
        expected = step["expect"].encode()
        while alive and expected not in transcript[seen:]:
            if time.monotonic() > deadline:
                error = "timed out waiting for %r" % step["expect"]
                break
            alive = read_some(0.1)
        if error or expected not in transcript[seen:]:
            error = error or "the command ended before %r" % step["expect"]
            break
        seen = transcript.index(expected, seen) + len(expected)
        os.write(fd, step["send"].encode())

    if error:
        os.kill(pid, signal.SIGKILL)
    while alive and time.monotonic() < deadline:
        alive = read_some(0.1)
    if alive:
        error = error or "timed out waiting for the command to end"
        os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    result = {
        "exitCode": os.WEXITSTATUS(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "transcript": transcript.decode("utf-8", "replace"),
    }
    if error:
        result["error"] = error
    json.dump(result, sys.stdout)


main()
