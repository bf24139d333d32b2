"""``dintero_checkout.testing`` itself: how it finds the ``dintero-emulator`` program, that the
program lives and dies with the ``Emulator`` (and with this process), the clear errors, and
that the SDK works without the emulator installed."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
import time
import urllib.request
from pathlib import Path

import pytest

import dintero_checkout as dc
from conftest import TESTDATA
from dintero_checkout import testing
from dintero_checkout.testing import Emulator


def _program() -> str:
    import dintero_emulator

    path = dintero_emulator.binary_path()
    assert path is not None, "the dintero-emulator distribution is installed without its program"
    return path


def _gone(pid: int, timeout: float = 10.0) -> bool:
    """The process has exited (a zombie waiting for its reaper counts as gone)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


def test_the_program_comes_from_the_installed_distribution(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DINTERO_EMULATOR_BIN", raising=False)
    monkeypatch.setenv("PATH", "")
    assert testing._emulator_binary() == _program()


def test_dintero_emulator_bin_comes_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    marker = tmp_path / "started"
    wrapper = tmp_path / "my-emulator"
    wrapper.write_text(f'#!/bin/sh\necho "$@" > "{marker}"\nexec "{_program()}" "$@"\n')
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("DINTERO_EMULATOR_BIN", str(wrapper))
    with Emulator(fast=False) as emu:
        emu.client().authenticate()
        assert emu.request_count("token") == 1
    args = marker.read_text().split()
    assert args[:2] == ["--listen", "127.0.0.1:0"] and "--exit-on-stdin-eof" in args
    assert "--callback-retry-ms" not in args  # fast=False: Dintero's own timings


def test_path_is_the_last_resort(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "dintero-emulator").symlink_to(_program())
    monkeypatch.delenv("DINTERO_EMULATOR_BIN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))
    assert testing._emulator_binary() == _program()  # the installed distribution before PATH
    monkeypatch.setitem(sys.modules, "dintero_emulator", None)  # as if the extra were not installed
    assert testing._emulator_binary() == str(tmp_path / "dintero-emulator")


def test_a_missing_program_names_the_ways_to_get_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DINTERO_EMULATOR_BIN", str(tmp_path / "nothing-here"))
    with pytest.raises(FileNotFoundError, match="DINTERO_EMULATOR_BIN"):
        Emulator()
    monkeypatch.delenv("DINTERO_EMULATOR_BIN")
    monkeypatch.setitem(sys.modules, "dintero_emulator", None)  # as if the extra were not installed
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(FileNotFoundError) as info:
        Emulator()
    assert 'pip install "dintero-checkout[testing]"' in str(info.value)
    assert "DINTERO_EMULATOR_BIN" in str(info.value)


def test_the_sdk_and_sign_callback_work_without_the_emulator(tmp_path: Path) -> None:
    script = textwrap.dedent(
        """
        import sys
        sys.modules["dintero_emulator"] = None
        import dintero_checkout as dc
        from dintero_checkout.testing import sign_callback
        url = "https://shop.example/cb?transaction_id=T1"
        headers = sign_callback(url)
        dc.verify_callback("GET", url, headers, secret="emulator-signature-secret", account_id="T12345678")
        try:
            from dintero_checkout.testing import CARDS
        except FileNotFoundError as e:
            print("not found:", e)
        """
    )
    env = {k: v for k, v in os.environ.items() if k != "DINTERO_EMULATOR_BIN"}
    env["PATH"] = str(tmp_path)
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("not found:") and "dintero-checkout[testing]" in out.stdout


def test_close_stops_the_program() -> None:
    emu = Emulator()
    pid = emu.pid
    assert not _gone(pid, timeout=0.2)
    emu.close()
    assert emu.closed and _gone(pid)
    emu.close()  # idempotent
    with pytest.raises(dc.InvalidInputError, match="closed"):
        emu.reset()


def test_the_program_dies_with_its_parent(tmp_path: Path) -> None:
    # A parent killed without any chance to clean up: the program sees its stdin close.
    script = textwrap.dedent(
        """
        import os, signal, sys
        from dintero_checkout.testing import Emulator
        emu = Emulator()
        print(emu.pid, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert out.returncode == -signal.SIGKILL, out.stderr
    assert _gone(int(out.stdout.strip()))


def test_settings_the_program_refuses_are_invalid_input() -> None:
    with pytest.raises(dc.InvalidInputError, match="--account"):
        Emulator(account_id="12345678")
    with pytest.raises(dc.InvalidInputError, match="token_ttl"):
        Emulator(token_ttl=0.5)


def test_settings_reach_the_program() -> None:
    with Emulator(
        account_id="T00000042", client_id="cid", client_secret="cs", signature_secret=None, token_ttl=60
    ) as e:
        assert (e.account_id, e.client_id, e.client_secret, e.signature_secret) == ("T00000042", "cid", "cs", None)
        e.client().authenticate()
        assert e.request_count("token") == 1


def test_control_errors_become_sdk_errors(emu: Emulator) -> None:
    with pytest.raises(dc.NotFoundError, match="emulator: "):
        emu.pay("T12345678.nope")
    with pytest.raises(dc.InvalidInputError):
        emu.inject_fault("capture", "no_such_fault")


def test_catalog_is_the_programs_own(emu: Emulator) -> None:
    with urllib.request.urlopen(emu.base_url + "/_emulator/catalog", timeout=10) as resp:
        served = json.loads(resp.read())
    assert testing.CATALOG == served
    assert testing.CARD_APPROVE == testing.CARDS["approve"] and "status_503" in testing.FAULTS


def test_sign_callback_writes_the_shared_vectors() -> None:
    # The core's signature_header through the native module: Dintero's documented example among them.
    with open(os.path.join(TESTDATA, "callback-signatures.json")) as f:
        vectors = [v for v in json.load(f) if v["valid"] and v["signature_header"].count(",") == 1]
    assert any(v["name"] == "dintero-docs-example" for v in vectors)
    for v in vectors:
        headers = testing.sign_callback(
            v["url"], secret=v["secret"], account_id=v["account_id"], method=v["method"], timestamp=v["timestamp"]
        )
        assert headers == {"Dintero-Signature": v["signature_header"]}, v["name"]
