"""Clean-room smoke test of the installed wheels (run by scripts/python-dist.sh inside a fresh
venv that has `dintero-checkout[testing]` from the built wheels and no Rust toolchain on PATH).

1. The emulator program is the one of the installed `dintero-emulator` distribution.
2. The README's Python quickstart, run as written (only its placeholder credentials are
   pointed at the emulator, and the transaction ids it expects are paid first).
3. A callback the emulator really sends to a receiver here is verified and confirmed, and a
   forged one is refused.

Usage: python python_smoke.py path/to/bindings-python/README.md
"""

from __future__ import annotations

import os
import re
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import dintero_emulator

import dintero_checkout as dc
from dintero_checkout import testing
from dintero_checkout.testing import Emulator, sign_callback

README_CREDENTIALS = 'Client(account_id="T12345678", client_id="...", client_secret="...")'


def check(condition: bool, what: str) -> None:
    if not condition:
        sys.exit(f"clean room: FAILED: {what}")
    print(f"clean room: ok: {what}")


def quickstart_block(readme: str) -> str:
    with open(readme) as f:
        text = f.read()
    match = re.search(r"## Quickstart\n+```python\n(.*?)```", text, re.S)
    check(match is not None, f"{readme} has a Quickstart python block")
    assert match is not None
    block = match.group(1)
    check(README_CREDENTIALS in block, "the quickstart builds its Client as this test expects")
    return block.replace(
        README_CREDENTIALS,
        "Client(account_id=EMU.account_id, client_id=EMU.client_id, client_secret=EMU.client_secret, "
        "base_url=EMU.base_url)",
    )


def run_quickstart(emu: Emulator, readme: str) -> None:
    block = quickstart_block(readme)
    client = emu.client()
    # The quickstart's session payload: it reads `transaction_id` (captured in full, then
    # refunded) and `other_id` (voided) from "later"; pay two such sessions first.
    payload = re.search(r"client\.sessions\.create\((\{.*?\n\})\)", block, re.S)
    check(payload is not None, "the quickstart creates a session")
    assert payload is not None
    request: Any = eval(payload.group(1), {})  # the README's own dict literal
    paid = [emu.pay(client.sessions.create(request).id).transaction_id for _ in range(2)]
    ids = [i for i in paid if i is not None]
    check(len(ids) == 2, "the customer paid two sessions with the approving test card")
    namespace: dict[str, Any] = {"EMU": emu, "transaction_id": ids[0], "other_id": ids[1]}
    exec(compile(block, f"{readme}#Quickstart", "exec"), namespace)
    final = client.transactions.get(ids[0])
    check(final.status == "PARTIALLY_REFUNDED", f"quickstart ran: captured then refunded ({final.status})")
    check(client.transactions.get(ids[1]).status == "AUTHORIZATION_VOIDED", "quickstart ran: voided the other one")


class Receiver(BaseHTTPRequestHandler):
    emu: Emulator
    client: dc.Client
    seen: ClassVar[list[tuple[int, str]]] = []

    def do_GET(self) -> None:
        verifier = dc.CallbackVerifier(self.emu.signature_secret or "", self.emu.account_id)
        try:
            cb = verifier.verify_request("GET", self.path, dict(self.headers.items()))
            confirmed = self.client.callbacks.confirm(cb)
            status, what = 200, f"confirmed {confirmed.transaction.id} {confirmed.transaction.status}"
        except dc.SignatureError as e:
            status, what = 400, f"refused: {e.code}"
        self.seen.append((status, what))
        self.send_response(status)
        self.end_headers()
        self.wfile.write(what.encode())

    def log_message(self, format: str, *args: Any) -> None:
        pass


def run_callback(emu: Emulator) -> None:
    emu.reset()  # only this test's callback from here on
    client = emu.client()
    server = HTTPServer(("127.0.0.1", 0), Receiver)
    Receiver.emu, Receiver.client = emu, client
    threading.Thread(target=server.serve_forever, daemon=True).start()
    callback_url = f"http://127.0.0.1:{server.server_address[1]}/dintero/callback"
    session = client.sessions.create(
        {
            "url": {"return_url": "https://shop.example/return", "callback_url": callback_url},
            "order": {
                "amount": 10000,
                "currency": "NOK",
                "merchant_reference": "clean-room-callback",
                "items": [
                    {
                        "line_id": "1",
                        "description": "Lamp",
                        "quantity": 1,
                        "amount": 10000,
                        "vat": 25,
                        "vat_amount": 2000,
                    }
                ],
            },
            "profile_id": "default",
        }
    )
    paid = emu.pay(session.id)
    [delivery] = emu.wait_for_callbacks(1, timeout=20)
    check(delivery.last_status == 200, f"the emulator's signed callback was verified and confirmed: {Receiver.seen}")
    check(
        Receiver.seen[0] == (200, f"confirmed {paid.transaction_id} AUTHORIZED"), "the receiver confirmed that payment"
    )
    # A forged callback (a secret that is not the emulator's) is refused by the same receiver.
    url = callback_url + f"?transaction_id={paid.transaction_id}&session_id={session.id}"
    req = urllib.request.Request(url, headers=sign_callback(url, secret="a-guess", account_id=emu.account_id))
    try:
        urllib.request.urlopen(req, timeout=10)
        refused = False
    except urllib.error.HTTPError as e:
        refused = e.code == 400
    check(refused and Receiver.seen[-1] == (400, "refused: signature_mismatch"), "a forged callback is refused")
    server.shutdown()


def main() -> None:
    readme = sys.argv[1]
    check("DINTERO_EMULATOR_BIN" not in os.environ, "DINTERO_EMULATOR_BIN is not set")
    program = testing._emulator_binary()
    check(program == dintero_emulator.binary_path(), f"the emulator program is the installed one: {program}")
    check(program.startswith(sys.prefix + os.sep), f"and it lives in this venv ({sys.prefix})")
    check(dc.__file__.startswith(sys.prefix + os.sep), f"dintero_checkout comes from this venv: {dc.__file__}")
    with Emulator() as emu:
        run_quickstart(emu, readme)
        run_callback(emu)
    print(f"clean room: dintero-checkout {dc.__version__} with dintero-emulator from wheels: all good")


if __name__ == "__main__":
    main()
