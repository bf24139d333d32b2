// The dashboard's script: reload the live part every second, and send the buttons' actions
// to the control API (/_emulator/...). Everything works on the server's answers; nothing
// here keeps state of its own beyond what is open and what was typed.
(function () {
  "use strict";
  const live = document.getElementById("live");
  const updated = document.getElementById("updated");
  const flag = updated.parentElement;
  const toast = document.getElementById("toast");
  let timer = 0;
  let busy = false;

  function say(text, bad) {
    toast.textContent = text;
    toast.className = bad ? "toast bad" : "toast";
    toast.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => { toast.hidden = true; }, bad ? 6000 : 2500);
  }

  // The last HTML of each section of the live part, by id: only sections that changed are
  // replaced, so a click or a selection elsewhere is not disturbed.
  const shown = new Map();
  for (const el of live.children) if (el.id) shown.set(el.id, el.outerHTML);

  function replace(old, fresh) {
    // Keep what the user opened, typed, chose or focused.
    const open = new Set([...old.querySelectorAll("details[open]")].map((d) => d.id));
    const typed = new Map();
    for (const el of old.querySelectorAll("input[id],select[id]")) {
      if (el.dataset.dirty) typed.set(el.id, el.value);
    }
    const focused = document.activeElement && old.contains(document.activeElement) ? document.activeElement.id : null;
    old.replaceWith(fresh);
    for (const id of open) { const d = document.getElementById(id); if (d) d.open = true; }
    for (const [id, v] of typed) { const el = document.getElementById(id); if (el) { el.value = v; el.dataset.dirty = "1"; } }
    if (focused) { const el = document.getElementById(focused); if (el) el.focus(); }
  }

  async function refresh() {
    if (busy) return;
    busy = true;
    try {
      const r = await fetch("/_emulator/ui/live", { cache: "no-store" });
      if (!r.ok) throw new Error(String(r.status));
      const html = await r.text();
      flag.classList.remove("stale");
      updated.textContent = "live · " + new Date().toLocaleTimeString();
      const tpl = document.createElement("template");
      tpl.innerHTML = html;
      const fresh = [...tpl.content.children];
      const ids = fresh.map((el) => el.id).join(" ");
      const current = [...live.children].map((el) => el.id).join(" ");
      if (ids !== current) {
        // Sections came or went (not expected): start over.
        live.replaceChildren(...fresh);
        shown.clear();
        for (const el of fresh) shown.set(el.id, el.outerHTML);
        return;
      }
      for (const el of fresh) {
        const text = el.outerHTML;
        if (shown.get(el.id) === text) continue;
        shown.set(el.id, text);
        replace(document.getElementById(el.id), el);
      }
    } catch (e) {
      flag.classList.add("stale");
      updated.textContent = "emulator not answering";
    } finally {
      busy = false;
    }
  }

  document.addEventListener("input", (ev) => { if (ev.target.id) ev.target.dataset.dirty = "1"; });

  async function post(path, body, done) {
    let r, data = null;
    try {
      r = await fetch(path, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body || {}) });
      const text = await r.text();
      try { data = text ? JSON.parse(text) : null; } catch (_) { data = null; }
    } catch (e) {
      say("The emulator did not answer: " + e.message, true);
      return null;
    }
    if (!r.ok) {
      const msg = data && data.error && data.error.message ? data.error.message : "HTTP " + r.status;
      say(msg, true);
    } else {
      say(done);
    }
    await refresh();
    return r.ok ? data : null;
  }

  /** An amount field's value in minor units (it shows major units, e.g. 438.80). */
  function minor(input) {
    const exp = Number(input.dataset.exp || 2);
    const v = Number(String(input.value).replace(/\s/g, "").replace(",", "."));
    if (!Number.isFinite(v) || v <= 0) return null;
    return Math.round(v * Math.pow(10, exp));
  }

  async function act(el) {
    const a = el.dataset.action;
    const enc = encodeURIComponent;
    if (a === "pay") {
      const sid = el.dataset.session;
      const [type, input] = document.getElementById("pay-" + sid).value.split("|");
      const body = { payment_product_type: type };
      body[type === "dintero_psp.creditcard" ? "card_number" : "phone_number"] = input;
      const res = await post("/_emulator/sessions/" + enc(sid) + "/pay", body, "Paid");
      if (res && res.transaction_id) say("Paid: transaction " + res.transaction_id + " (" + (res.status || "") + ")");
    } else if (a === "capture" || a === "refund") {
      const tx = el.dataset.tx;
      const input = document.getElementById("amount-" + tx);
      const amount = minor(input);
      if (amount === null) return say("Enter an amount greater than zero", true);
      // Once done, the field shows what is left again (a refused amount stays as typed).
      delete input.dataset.dirty;
      await post("/_emulator/transactions/" + enc(tx) + "/" + a, { amount }, a === "capture" ? "Captured" : "Refunded");
    } else if (a === "void") {
      await post("/_emulator/transactions/" + enc(el.dataset.tx) + "/void", {}, "Voided");
    } else if (a === "redeliver-callback") {
      await post("/_emulator/callbacks/" + enc(el.dataset.id) + "/redeliver", {}, "Callback sent again");
    } else if (a === "redeliver-webhook") {
      await post("/_emulator/webhooks/" + enc(el.dataset.id) + "/redeliver", {}, "Webhook sent again");
    } else if (a === "rotate") {
      if (!confirm("Rotate the signature secret? Callbacks signed with the old one stop verifying.")) return;
      await post("/_emulator/signature/rotate", {}, "New signature secret created");
    } else if (a === "clear-faults") {
      const r = await fetch("/_emulator/faults", { method: "DELETE" });
      say(r.ok ? "Faults cleared" : "HTTP " + r.status, !r.ok);
      await refresh();
    } else if (a === "reset") {
      if (!confirm("Reset the emulator? Sessions, transactions and deliveries are forgotten.")) return;
      await post("/_emulator/reset", {}, "Emulator reset");
    }
  }

  document.addEventListener("click", (ev) => {
    const el = ev.target.closest("button[data-action]");
    if (!el) return;
    ev.preventDefault();
    el.disabled = true;
    act(el).finally(() => { el.disabled = false; });
  });

  document.addEventListener("submit", async (ev) => {
    const form = ev.target;
    ev.preventDefault();
    if (form.dataset.action === "advance") {
      const seconds = parseInt(document.getElementById("clock-seconds").value, 10);
      if (!Number.isInteger(seconds)) return say("Enter whole seconds", true);
      await post("/_emulator/clock/advance", { seconds }, "Clock advanced by " + seconds + " s");
    } else if (form.dataset.action === "fault") {
      const times = parseInt(document.getElementById("fault-times").value, 10);
      await post("/_emulator/faults", {
        route: document.getElementById("fault-route").value,
        fault: document.getElementById("fault-kind").value,
        times: Number.isInteger(times) && times > 0 ? times : 1,
      }, "Fault armed");
    }
  });

  setInterval(refresh, 1000);
})();
