//! The dashboard at `/_emulator/ui` (and `/` without `sid`): a local Backoffice. The page is
//! rendered here; its script reloads the live part (`/_emulator/ui/live`, HTML) every second
//! and sends the actions to the control API. `/_emulator/ui/state` is the same state as JSON.
//!
//! Nothing here shows a secret: not the client secret, tokens, the signature secret (only
//! whether there is one) or a webhook's secret (only whether it has one). URLs and request
//! bodies have the values of query parameters that look like credentials masked.

use super::control::{signature_summary, webhooks_json};
use crate::callbacks::CallbackDelivery;
use crate::error::json_response;
use crate::hooks::{HookDelivery, Subscription};
use crate::model::{Session, Transaction};
use crate::state::{lock, AppState};
use crate::util::{currency_exponent, fmt_time, format_money, html_escape};
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};
use std::fmt::Write as _;
use std::sync::Arc;

const STYLE: &str = include_str!("dashboard.css");
const SCRIPT: &str = include_str!("dashboard.js");
/// Requests shown (newest first).
const REQUESTS_SHOWN: usize = 100;
/// Sessions, transactions, callbacks and webhook deliveries shown (newest first); the
/// summary counts them all.
const ITEMS_SHOWN: usize = 200;

fn html(body: String) -> Response {
    let mut resp = Response::new(Body::from(body));
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// `GET /_emulator/ui`.
pub(crate) async fn page(State(st): State<Arc<AppState>>) -> Response {
    html(render_page(&st))
}

/// `GET /_emulator/ui/live`: the part of the page that changes.
pub(crate) async fn live(State(st): State<Arc<AppState>>) -> Response {
    html(render_live(&st))
}

/// `GET /_emulator/ui/state`: what the dashboard shows, as JSON.
pub(crate) async fn state(State(st): State<Arc<AppState>>) -> Response {
    let sessions: Vec<Value> = sessions(&st)
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "merchant_reference": s.merchant_reference(),
                "amount": s.amount(),
                "currency": s.currency(),
                "status": session_status(&st, s),
                "transaction_id": s.transaction_id,
                "created_at": fmt_time(s.created),
            })
        })
        .collect();
    let txs: Vec<Value> = transactions(&st)
        .iter()
        .map(|t| {
            json!({
                "id": t.id,
                "session_id": t.session_id,
                "status": t.status.as_str(),
                "amount": t.amount,
                "currency": t.currency,
                "captured": t.captured,
                "refunded": t.refunded,
                "remaining": capturable(t),
                "refundable": t.captured - t.refunded,
                "events": t.events.len(),
            })
        })
        .collect();
    let callbacks: Vec<Value> = crate::Emulator::callbacks_of(&st)
        .iter()
        .map(|c| {
            let mut v = serde_json::to_value(c).unwrap_or_default();
            v["url"] = json!(mask_url(&c.url));
            v
        })
        .collect();
    json_response(
        StatusCode::OK,
        &json!({
            "now": fmt_time(st.now()),
            "account_id": st.config.account_id,
            "signature": signature_summary(&st),
            "faults": st.faults.list(),
            "sessions": sessions,
            "transactions": txs,
            "callbacks": callbacks,
            "webhooks": webhooks_json(&st),
        }),
    )
}

fn sessions(st: &AppState) -> Vec<Session> {
    let entries: Vec<_> = st
        .sessions
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .values()
        .cloned()
        .collect();
    let mut list: Vec<Session> = entries.iter().map(|e| lock(&e.data).clone()).collect();
    list.sort_by(|a, b| b.created.cmp(&a.created).then(b.id.cmp(&a.id)));
    list
}

fn transactions(st: &AppState) -> Vec<Transaction> {
    let store = st.txs.read().unwrap_or_else(|e| e.into_inner());
    store
        .order
        .iter()
        .rev()
        .filter_map(|id| store.map.get(id))
        .map(|e| e.snapshot().tx.clone())
        .collect()
}

fn session_status(st: &AppState, s: &Session) -> String {
    if s.cancelled_at.is_some() {
        "CANCELLED".into()
    } else if let Some(t) = s.transaction_id.as_deref().and_then(|t| st.tx(t)) {
        format!("PAID · {}", t.snapshot().tx.status.as_str())
    } else if s.is_expired(st.now()) {
        "EXPIRED".into()
    } else {
        "OPEN".into()
    }
}

/// What can still be captured.
fn capturable(t: &Transaction) -> i64 {
    use crate::model::TxStatus::*;
    match t.status {
        Authorized | PartiallyCaptured | PartiallyCapturedRefunded => {
            (t.amount - t.captured).max(0)
        }
        _ => 0,
    }
}

/// Query parameters whose values are masked wherever a URL is shown.
fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    ["secret", "token", "key", "auth", "password", "pass", "sig"]
        .iter()
        .any(|w| n.contains(w))
}

/// The URL with the values of credential-like query parameters replaced by `***`.
pub(crate) fn mask_url(raw: &str) -> String {
    let Ok(mut u) = url::Url::parse(raw) else {
        return raw.to_string();
    };
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if !pairs.iter().any(|(k, _)| looks_secret(k)) && u.password().is_none() {
        return raw.to_string();
    }
    let _ = u.set_password(None);
    {
        let mut q = u.query_pairs_mut();
        q.clear();
        for (k, v) in &pairs {
            q.append_pair(k, if looks_secret(k) { "***" } else { v });
        }
    }
    u.to_string()
}

/// Masks credential-like query values in every URL found in a JSON text.
fn mask_json_urls(text: &str) -> String {
    fn walk(v: &mut Value) {
        match v {
            Value::String(s) if s.starts_with("http://") || s.starts_with("https://") => {
                *s = mask_url(s);
            }
            Value::Array(a) => a.iter_mut().for_each(walk),
            Value::Object(o) => o.values_mut().for_each(walk),
            _ => {}
        }
    }
    match serde_json::from_str::<Value>(text) {
        Ok(mut v) => {
            walk(&mut v);
            serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.to_string())
        }
        Err(_) => text.to_string(),
    }
}

fn e(s: &str) -> String {
    html_escape(s)
}

fn money(minor: i64, currency: &str) -> String {
    e(&format_money(minor, currency))
}

/// `2026-12-02T10:00:00.123Z` -> `10:00:00` (the date shows on hover).
fn clock(t: &str) -> String {
    let short = t.get(11..19).unwrap_or(t);
    format!(
        "<time datetime=\"{}\" title=\"{}\">{}</time>",
        e(t),
        e(t),
        e(short)
    )
}

/// `0` reads as "<1 ms": the clock has millisecond steps.
fn millis(ms: u64) -> String {
    if ms == 0 {
        "&lt;1 ms".to_string()
    } else {
        format!("{ms} ms")
    }
}

fn badge(text: &str, kind: &str) -> String {
    format!("<span class=\"badge {kind}\">{}</span>", e(text))
}

fn status_kind(status: &str) -> &'static str {
    match status {
        "CAPTURED" | "PAID · CAPTURED" => "ok",
        s if s.contains("FAILED") || s.contains("CANCELLED") => "bad",
        s if s.contains("ON_HOLD") => "warn",
        s if s.contains("AUTHORIZED") || s == "OPEN" => "info",
        s if s.contains("PARTIALLY") => "info",
        _ => "muted",
    }
}

/// The whole page.
pub(crate) fn render_page(st: &AppState) -> String {
    let catalog = crate::catalog::catalog();
    let mut faults = String::new();
    for f in catalog["faults"].as_array().into_iter().flatten() {
        let name = f["name"].as_str().unwrap_or_default();
        let _ = write!(faults, "<option>{}</option>", e(name));
    }
    let mut routes = String::new();
    for r in catalog["fault_routes"].as_array().into_iter().flatten() {
        let name = r.as_str().unwrap_or_default();
        let selected = if name == "capture" { " selected" } else { "" };
        let _ = write!(routes, "<option{selected}>{}</option>", e(name));
    }
    format!(
        r##"<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,">
<title>Dintero emulator · dashboard</title>
<style>{STYLE}</style></head>
<body>
<header class="bar">
  <div class="brand"><span class="logo">D</span><div><h1>Dintero emulator</h1><p class="sub">Local Backoffice · account <b id="account">{aid}</b></p></div></div>
  <div class="liveflag"><span class="dot"></span><span id="updated">live</span></div>
</header>
<nav class="tabs">
  <a href="#sessions">Sessions</a><a href="#transactions">Transactions</a><a href="#callbacks">Callbacks</a><a href="#webhooks">Webhooks</a><a href="#requests">Requests</a><a href="#tools">Tools</a>
</nav>
<div id="toast" class="toast" role="status" hidden></div>
<main>
<div id="live">{live}</div>
<section id="tools" class="panel">
  <h2>Tools</h2>
  <div class="tools">
    <form class="tool" id="clock-form" data-action="advance">
      <h3>Clock</h3>
      <p class="help">Moves the emulator's clock: token and session expiry, webhook retries.</p>
      <div class="inline"><input class="text" id="clock-seconds" name="seconds" type="number" value="3600" step="1" aria-label="Seconds">
      <span class="unit">s</span><button class="btn" type="submit" id="advance-clock">Advance</button></div>
    </form>
    <form class="tool" id="fault-form" data-action="fault">
      <h3>Inject a fault</h3>
      <p class="help">The next <i>N</i> requests on a route get the fault.</p>
      <label>Route <select id="fault-route" name="route">{routes}</select></label>
      <label>Fault <select id="fault-kind" name="fault">{faults}</select></label>
      <div class="inline"><label>Next <input class="text small" id="fault-times" name="times" type="number" min="1" value="1"> requests</label>
      <button class="btn" type="submit" id="arm-fault">Arm</button></div>
      <button class="link" type="button" data-action="clear-faults" id="clear-faults">Clear all faults</button>
    </form>
    <div class="tool">
      <h3>Reset</h3>
      <p class="help">Forgets sessions, transactions, callbacks, webhooks, faults and the clock offset.</p>
      <button class="btn danger" type="button" data-action="reset" id="reset">Reset the emulator</button>
    </div>
  </div>
</section>
</main>
<footer class="foot">Dintero emulator · a local stand-in for Dintero Checkout, for development and tests. Not Dintero.</footer>
<script>{SCRIPT}</script>
</body></html>"##,
        aid = e(&st.config.account_id),
        live = render_live(st),
    )
}

/// Everything that changes: the summary, the signature, armed faults and the lists.
pub(crate) fn render_live(st: &AppState) -> String {
    let sessions = sessions(st);
    let txs = transactions(st);
    let callbacks = crate::Emulator::callbacks_of(st);
    let subs = st.hooks.list();
    let deliveries = st.hooks.deliveries();
    let faults = st.faults.list();
    let sig = signature_summary(st);
    let mut out = String::new();

    // Summary.
    let cb_failed = callbacks
        .iter()
        .filter(|c| c.is_final && !c.delivered)
        .count();
    let wh_failed = deliveries
        .iter()
        .filter(|d| d.is_final && !d.delivered)
        .count();
    let _ = write!(
        out,
        r#"<section class="summary" id="summary">
<div class="stat"><span class="n" id="count-sessions">{}</span><span class="l">sessions</span></div>
<div class="stat"><span class="n" id="count-transactions">{}</span><span class="l">transactions</span></div>
<div class="stat"><span class="n" id="count-callbacks">{}</span><span class="l">callbacks{}</span></div>
<div class="stat"><span class="n" id="count-webhooks">{}</span><span class="l">webhook deliveries{}</span></div>
<div class="stat clock"><span class="n" id="now">{}</span><span class="l">emulator clock (UTC)</span></div>
</section>"#,
        sessions.len(),
        txs.len(),
        callbacks.len(),
        if cb_failed > 0 {
            format!(" · <b class=\"badtext\">{cb_failed} failed</b>")
        } else {
            String::new()
        },
        deliveries.len(),
        if wh_failed > 0 {
            format!(" · <b class=\"badtext\">{wh_failed} failed</b>")
        } else {
            String::new()
        },
        // To the minute, so the live part does not change every second.
        e(&fmt_time(st.now()).replace('T', " ")[..16.min(fmt_time(st.now()).len())]),
    );

    // Account: signature secret and armed faults.
    out.push_str("<section class=\"panel account\" id=\"account-panel\"><div class=\"cols\">");
    let _ = write!(
        out,
        "<div id=\"signature\"><h3>Callback signature secret</h3>{}</div>",
        if sig["present"] == json!(true) {
            format!(
                "<p>{} <span class=\"muted\">created {} · id <code>{}</code></span></p>\
                 <p class=\"help\">The value is never shown here; read it with \
                 <code>GET /v1/admin/signature</code> (<code>client.admin().signature_secret()</code>).</p>\
                 <button class=\"btn\" type=\"button\" data-action=\"rotate\" id=\"rotate-signature\">Rotate secret</button>",
                badge("Set", "ok"),
                clock(sig["created_at"].as_str().unwrap_or_default()),
                e(sig["id"].as_str().unwrap_or_default()),
            )
        } else {
            "<p><span class=\"badge muted\">None</span> Callbacks are sent unsigned.</p>\
             <button class=\"btn\" type=\"button\" data-action=\"rotate\" id=\"rotate-signature\">Create secret</button>"
                .to_string()
        }
    );
    out.push_str("<div id=\"faults\"><h3>Armed faults</h3>");
    if faults.is_empty() {
        out.push_str("<p class=\"muted\">None. Arm one under Tools.</p>");
    } else {
        out.push_str("<ul class=\"plain\">");
        for f in &faults {
            let _ = write!(
                out,
                "<li class=\"fault\">{} on <code>{}</code> · next {} request{}</li>",
                badge(f.fault.as_str(), "warn"),
                e(&f.route),
                f.times,
                if f.times == 1 { "" } else { "s" }
            );
        }
        out.push_str("</ul>");
    }
    out.push_str("</div></div></section>");

    render_sessions(st, &mut out, &sessions);
    render_transactions(&mut out, &txs);
    render_callbacks(&mut out, &callbacks);
    render_webhooks(&mut out, &subs, &deliveries);
    render_requests(st, &mut out);
    out
}

fn empty(out: &mut String, text: &str) {
    let _ = write!(out, "<p class=\"empty\">{}</p>", e(text));
}

/// The pay choices: every test card, then every other method's test inputs.
fn pay_options() -> String {
    let catalog = crate::catalog::catalog();
    let mut out = String::new();
    for m in catalog["payment_methods"].as_array().into_iter().flatten() {
        let ty = m["payment_product_type"].as_str().unwrap_or_default();
        let label = m["label"].as_str().unwrap_or(ty);
        let _ = write!(out, "<optgroup label=\"{}\">", e(label));
        for t in m["test_inputs"].as_array().into_iter().flatten() {
            let value = t["value"].as_str().unwrap_or_default();
            let name = t["name"].as_str().unwrap_or_default();
            let outcome = t["outcome"].as_str().unwrap_or_default();
            let _ = write!(
                out,
                "<option value=\"{}|{}\">{} · {} ({})</option>",
                e(ty),
                e(value),
                e(label),
                e(name),
                e(outcome)
            );
        }
        out.push_str("</optgroup>");
    }
    out
}

fn render_sessions(st: &AppState, out: &mut String, sessions: &[Session]) {
    out.push_str("<section class=\"panel\" id=\"sessions\"><h2>Sessions</h2>");
    if sessions.is_empty() {
        empty(
            out,
            "No sessions yet. Create one with POST /v1/sessions-profile.",
        );
        out.push_str("</section>");
        return;
    }
    let options = pay_options();
    out.push_str(
        "<div class=\"scroll\"><table class=\"grid\"><thead><tr><th>Created</th><th>Session</th>\
         <th>Reference</th><th class=\"num\">Amount</th><th>Status</th><th>Pay</th></tr></thead><tbody>",
    );
    for s in sessions.iter().take(ITEMS_SHOWN) {
        let status = session_status(st, s);
        let pay = if s.not_payable_reason(st.now()).is_none() {
            format!(
                "<div class=\"inline\"><select class=\"pay-method\" id=\"pay-{id}\" aria-label=\"Test card or method\">{options}</select>\
                 <button class=\"btn small\" type=\"button\" data-action=\"pay\" data-session=\"{id}\">Pay</button>\
                 <a class=\"link\" href=\"/v1/view/{id}\" target=\"_blank\" rel=\"noopener\">page</a></div>",
                id = e(&s.id)
            )
        } else if let Some(t) = &s.transaction_id {
            format!("<a class=\"link\" href=\"#tx-{0}\">{0}</a>", e(t))
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<tr class=\"session\" id=\"session-{id}\" data-status=\"{status_attr}\"><td data-label=\"Created\">{}</td>\
             <td data-label=\"Session\"><code>{id}</code></td><td data-label=\"Reference\">{}</td>\
             <td class=\"num\" data-label=\"Amount\">{}</td><td data-label=\"Status\">{}</td><td class=\"wide\">{pay}</td></tr>",
            clock(&fmt_time(s.created)),
            e(&s.merchant_reference()),
            money(s.amount(), &s.currency()),
            badge(&status, status_kind(&status)),
            id = e(&s.id),
            status_attr = e(&status),
        );
    }
    out.push_str("</tbody></table></div></section>");
}

fn render_transactions(out: &mut String, txs: &[Transaction]) {
    out.push_str("<section class=\"panel\" id=\"transactions\"><h2>Transactions</h2>");
    if txs.is_empty() {
        empty(out, "No transactions yet. Pay a session to make one.");
    }
    for t in txs.iter().take(ITEMS_SHOWN) {
        let status = t.status.as_str();
        let cur = &t.currency;
        let exp = currency_exponent(cur);
        let remaining = capturable(t);
        let refundable = t.captured - t.refunded;
        let major = |minor: i64| {
            let div = 10i64.pow(exp);
            if exp == 0 {
                minor.to_string()
            } else {
                format!(
                    "{}.{:0w$}",
                    minor / div,
                    (minor % div).abs(),
                    w = exp as usize
                )
            }
        };
        let default_amount = if remaining > 0 { remaining } else { refundable };
        let _ = write!(
            out,
            "<article class=\"tx\" id=\"tx-{id}\" data-status=\"{status}\">\
             <div class=\"txhead\"><div><code class=\"txid\">{id}</code> {}<div class=\"muted small\">{} · {} · session <code>{}</code> · created {}</div></div></div>\
             <dl class=\"amounts\">\
             <div><dt>Authorized</dt><dd class=\"amount-authorized\">{}</dd></div>\
             <div><dt>Captured</dt><dd class=\"amount-captured\">{}</dd></div>\
             <div><dt>Refunded</dt><dd class=\"amount-refunded\">{}</dd></div>\
             <div><dt>Remaining</dt><dd class=\"amount-remaining\">{}</dd></div></dl>",
            badge(status, status_kind(status)),
            e(&t.merchant_reference),
            e(t.payment_product_type),
            e(&t.session_id),
            clock(&t.created_at),
            money(t.amount, cur),
            money(t.captured, cur),
            money(t.refunded, cur),
            money(remaining, cur),
            id = e(&t.id),
        );
        if remaining > 0 || refundable > 0 {
            let _ = write!(
                out,
                "<div class=\"actions inline\"><label class=\"amt\">Amount <input class=\"text small\" id=\"amount-{id}\" \
                 inputmode=\"decimal\" value=\"{}\" data-exp=\"{exp}\"> {}</label>",
                major(default_amount),
                e(cur),
                id = e(&t.id),
            );
            if remaining > 0 {
                let _ = write!(out, "<button class=\"btn small\" type=\"button\" data-action=\"capture\" data-tx=\"{0}\">Capture</button>\
                    <button class=\"btn small ghost\" type=\"button\" data-action=\"void\" data-tx=\"{0}\">Void</button>", e(&t.id));
            }
            if refundable > 0 {
                let _ = write!(out, "<button class=\"btn small ghost\" type=\"button\" data-action=\"refund\" data-tx=\"{}\">Refund</button>", e(&t.id));
            }
            out.push_str("</div>");
        }
        let _ = write!(
            out,
            "<details id=\"tx-events-{}\"><summary>{} event{}</summary><div class=\"scroll\"><table class=\"grid\"><thead><tr>\
             <th>Time</th><th>Event</th><th class=\"num\">Amount</th><th>Result</th><th>Reference</th></tr></thead><tbody>",
            e(&t.id),
            t.events.len(),
            if t.events.len() == 1 { "" } else { "s" }
        );
        for ev in &t.events {
            let _ = write!(
                out,
                "<tr class=\"event\"><td data-label=\"Time\">{}</td><td data-label=\"Event\">{}</td>\
                 <td class=\"num\" data-label=\"Amount\">{}</td><td data-label=\"Result\">{}</td><td data-label=\"Reference\">{}</td></tr>",
                clock(&ev.created_at),
                e(ev.event),
                ev.amount.map(|a| money(a, cur)).unwrap_or_default(),
                if ev.success {
                    badge("ok", "ok")
                } else {
                    badge("failed", "bad")
                },
                e(ev.event_reference.as_deref().unwrap_or("")),
            );
        }
        out.push_str("</tbody></table></div></details></article>");
    }
    out.push_str("</section>");
}

fn delivery_state(delivered: bool, is_final: bool, attempts: usize) -> String {
    if delivered {
        badge("delivered", "ok")
    } else if is_final {
        badge("failed", "bad")
    } else if attempts == 0 {
        badge("pending", "muted")
    } else {
        badge("retrying", "warn")
    }
}

fn attempt_result(status: Option<u16>, error: Option<&str>) -> String {
    match (status, error) {
        (Some(s), _) if (200..300).contains(&s) => badge(&s.to_string(), "ok"),
        (Some(s), _) => badge(&s.to_string(), "bad"),
        (None, Some(err)) => format!(
            "{} <span class=\"small\">{}</span>",
            badge("no answer", "bad"),
            e(err)
        ),
        (None, None) => String::new(),
    }
}

fn render_callbacks(out: &mut String, list: &[CallbackDelivery]) {
    out.push_str("<section class=\"panel\" id=\"callbacks\"><h2>Callbacks</h2>\
        <p class=\"help\">Session callbacks (<code>url.callback_url</code>), signed with <code>Dintero-Signature</code>. \
        A 2xx or 3xx is delivered, 4xx is final, anything else is retried.</p>");
    if list.is_empty() {
        empty(
            out,
            "No callbacks yet. A paid session with a callback_url sends one.",
        );
    }
    for c in list.iter().rev().take(ITEMS_SHOWN) {
        let id = e(&c.id);
        let _ = write!(
            out,
            "<article class=\"delivery callback\" id=\"cb-{id}\" data-attempts=\"{}\">\
             <div class=\"dhead\"><div>{} <b>{}</b> <span class=\"url\">{}</span>\
             <div class=\"muted small\">created {} · {} attempt{}{} · <code>{id}</code></div></div>\
             <button class=\"btn small ghost\" type=\"button\" data-action=\"redeliver-callback\" data-id=\"{id}\">Redeliver</button></div>",
            c.attempts,
            delivery_state(c.delivered, c.is_final, c.attempts as usize),
            e(&c.method),
            e(&mask_url(&c.url)),
            clock(&c.created_at),
            c.attempts,
            if c.attempts == 1 { "" } else { "s" },
            c.next_retry_at
                .as_deref()
                .map(|t| format!(" · next retry {}", clock(t)))
                .unwrap_or_default(),
        );
        attempts_table(
            out,
            &format!("cb-attempts-{}", c.id),
            c.attempt_log.iter().map(|a| {
                (
                    a.at.as_str(),
                    a.status,
                    a.error.as_deref(),
                    a.duration_ms,
                    a.signature.as_deref(),
                    a.next_retry_at.as_deref(),
                    a.trigger.as_str(),
                )
            }),
            c.body.as_deref(),
        );
        out.push_str("</article>");
    }
    out.push_str("</section>");
}

type AttemptRow<'a> = (
    &'a str,
    Option<u16>,
    Option<&'a str>,
    u64,
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
);

fn attempts_table<'a>(
    out: &mut String,
    details_id: &str,
    rows: impl Iterator<Item = AttemptRow<'a>>,
    body: Option<&str>,
) {
    let _ = write!(
        out,
        "<details id=\"{}\"><summary>Attempts{}</summary><div class=\"scroll\"><table class=\"grid attempts\"><thead><tr>\
         <th>Time</th><th>Result</th><th class=\"num\">Duration</th><th>Signature</th><th>Next retry</th></tr></thead><tbody>",
        e(details_id),
        if body.is_some() { " and body" } else { "" }
    );
    for (at, status, error, ms, sig, next, trigger) in rows {
        let _ = write!(
            out,
            "<tr class=\"attempt\"><td data-label=\"Time\">{}{}</td><td data-label=\"Result\">{}</td>\
             <td class=\"num\" data-label=\"Duration\">{}</td><td data-label=\"Signature\"><code class=\"sig\">{}</code></td>\
             <td data-label=\"Next retry\">{}</td></tr>",
            clock(at),
            if trigger == "redeliver" {
                " <span class=\"badge muted\">redelivered</span>"
            } else {
                ""
            },
            attempt_result(status, error),
            millis(ms),
            e(sig.unwrap_or("unsigned")),
            next.map(clock).unwrap_or_else(|| "—".into()),
        );
    }
    out.push_str("</tbody></table></div>");
    if let Some(b) = body {
        let _ = write!(out, "<pre class=\"body\">{}</pre>", e(&mask_json_urls(b)));
    }
    out.push_str("</details>");
}

fn render_webhooks(out: &mut String, subs: &[Subscription], deliveries: &[HookDelivery]) {
    out.push_str("<section class=\"panel\" id=\"webhooks\"><h2>Webhooks</h2>\
        <p class=\"help\">Subscriptions made with <code>POST /v1/accounts/{aid}/hooks/subscriptions</code>. \
        Each delivery is a POST with <code>event</code>, <code>event-delivery</code> and <code>event-signature</code> \
        (HMAC-SHA1 of the body); only a 2xx counts, five tries at most.</p><h3>Subscriptions</h3>");
    if subs.is_empty() {
        empty(out, "No subscriptions.");
    } else {
        out.push_str("<div class=\"scroll\"><table class=\"grid\"><thead><tr><th>Created</th><th>URL</th><th>Events</th><th>Secret</th><th>Id</th></tr></thead><tbody>");
        for s in subs {
            let _ = write!(
                out,
                "<tr class=\"subscription\" id=\"sub-{id}\"><td data-label=\"Created\">{}</td><td class=\"url\" data-label=\"URL\">{}</td>\
                 <td data-label=\"Events\">{}</td><td data-label=\"Secret\">{}</td><td data-label=\"Id\"><code>{id}</code></td></tr>",
                clock(&s.created_at),
                e(&mask_url(&s.url)),
                e(&s.events.join(", ")),
                if s.secret.is_some() {
                    badge("set", "ok")
                } else {
                    badge("none · unsigned", "muted")
                },
                id = e(&s.id),
            );
        }
        out.push_str("</tbody></table></div>");
    }
    out.push_str("<h3>Deliveries</h3>");
    if deliveries.is_empty() {
        empty(out, "No deliveries yet.");
    }
    for d in deliveries.iter().rev().take(ITEMS_SHOWN) {
        let id = e(&d.id);
        let _ = write!(
            out,
            "<article class=\"delivery webhook\" id=\"wh-{id}\" data-event=\"{}\" data-attempts=\"{}\">\
             <div class=\"dhead\"><div>{} <b>{}</b> <span class=\"url\">{}</span>\
             <div class=\"muted small\">created {} · {} attempt{}{}{} · <code>{id}</code></div></div>\
             <button class=\"btn small ghost\" type=\"button\" data-action=\"redeliver-webhook\" data-id=\"{id}\">Redeliver</button></div>",
            e(&d.event),
            d.attempts.len(),
            delivery_state(d.delivered, d.is_final, d.attempts.len()),
            e(&d.event),
            e(&mask_url(&d.url)),
            clock(&d.created_at),
            d.attempts.len(),
            if d.attempts.len() == 1 { "" } else { "s" },
            d.transaction_id
                .as_deref()
                .map(|t| format!(" · transaction <code>{}</code>", e(t)))
                .unwrap_or_default(),
            d.next_attempt_at
                .as_deref()
                .filter(|_| !d.is_final)
                .map(|t| format!(" · next try {}", clock(t)))
                .unwrap_or_default(),
        );
        attempts_table(
            out,
            &format!("wh-attempts-{}", d.id),
            d.attempts.iter().map(|a| {
                (
                    a.at.as_str(),
                    a.status,
                    a.error.as_deref(),
                    a.duration_ms,
                    a.signature.as_deref(),
                    a.next_retry_at.as_deref(),
                    a.trigger,
                )
            }),
            Some(&d.body),
        );
        out.push_str("</article>");
    }
    out.push_str("</section>");
}

fn render_requests(st: &AppState, out: &mut String) {
    let log = st.requests.to_json();
    let recent = log["recent"].as_array().cloned().unwrap_or_default();
    let _ = write!(
        out,
        "<section class=\"panel\" id=\"requests\"><h2>Request log</h2>\
         <p class=\"help\">API requests, newest first (the last {REQUESTS_SHOWN}; control routes are not logged). \
         Authorization headers and secrets in bodies are redacted.</p>"
    );
    if recent.is_empty() {
        empty(out, "No requests yet.");
        out.push_str("</section>");
        return;
    }
    out.push_str("<div class=\"reqs\">");
    for (i, r) in recent.iter().rev().take(REQUESTS_SHOWN).enumerate() {
        let status = r["status"].as_u64().unwrap_or(0);
        let kind = match status {
            200..=299 => "ok",
            300..=399 => "info",
            0 => "bad",
            400..=499 => "warn",
            _ => "bad",
        };
        let path = match r["query"].as_str() {
            Some(q) => format!("{}?{}", r["path"].as_str().unwrap_or_default(), q),
            None => r["path"].as_str().unwrap_or_default().to_string(),
        };
        let number = recent.len() - i;
        let _ = write!(
            out,
            "<details class=\"req\" id=\"req-{number}\" data-route=\"{}\"><summary><span class=\"t\">{}</span> {} <b class=\"m\">{}</b> <span class=\"p\">{}</span> <span class=\"muted small\">{} · {}</span></summary>",
            e(r["route"].as_str().unwrap_or_default()),
            clock(r["at"].as_str().unwrap_or_default()),
            badge(&if status == 0 { "dropped".to_string() } else { status.to_string() }, kind),
            e(r["method"].as_str().unwrap_or_default()),
            e(mask_url(&format!("http://x{path}")).trim_start_matches("http://x")),
            e(r["route"].as_str().unwrap_or_default()),
            millis(r["duration_ms"].as_u64().unwrap_or(0)),
        );
        out.push_str("<div class=\"reqbody\"><h4>Headers</h4><pre class=\"headers\">");
        if let Some(h) = r["headers"].as_object() {
            for (k, v) in h {
                let _ = writeln!(out, "{}: {}", e(k), e(v.as_str().unwrap_or_default()));
            }
        }
        out.push_str("</pre>");
        if let Some(b) = r["body"].as_str() {
            let _ = write!(
                out,
                "<h4>Body{}</h4><pre class=\"body\">{}</pre>",
                if r["body_truncated"] == json!(true) {
                    " (truncated)"
                } else {
                    ""
                },
                e(&mask_json_urls(b))
            );
        }
        out.push_str("</div></details>");
    }
    out.push_str("</div></section>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_like_query_values_are_masked() {
        assert_eq!(
            mask_url("https://shop.example/cb?token=abc&order=7"),
            "https://shop.example/cb?token=***&order=7"
        );
        assert_eq!(
            mask_url("https://shop.example/cb?order=7"),
            "https://shop.example/cb?order=7"
        );
        let body = mask_json_urls(r#"{"url":{"callback_url":"https://x.example/cb?api_key=k1"}}"#);
        assert!(
            body.contains("api_key=***") && !body.contains("k1"),
            "{body}"
        );
    }
}
