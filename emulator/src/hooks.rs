//! Account webhooks: subscriptions (`/v1/accounts/{aid}/hooks/subscriptions`) and their
//! deliveries. A delivery is a JSON POST with the headers `event`, `event-delivery` and, when
//! the subscription has a secret, `event-signature` (hex HMAC-SHA1 of the raw body). Anything
//! but a 2xx is a failure; a delivery is tried at most [`MAX_ATTEMPTS`] times, the waits
//! between tries measured on the emulator's clock (so advancing the clock brings a retry
//! forward).

use crate::model::Transaction;
use crate::state::{lock, AppState};
use crate::util::{fmt_time, uuid};
use hmac::{Hmac, Mac};
use serde::Serialize;
use serde_json::{json, Map, Value};
use sha1::Sha1;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Tries per delivery, the first included (Dintero: "retried up to 5 times in total").
pub(crate) const MAX_ATTEMPTS: u32 = 5;
/// Deliveries kept for the dashboard and `/_emulator/webhooks`; older ones are dropped.
const KEEP_DELIVERIES: usize = 500;
/// The `User-Agent` of a delivery.
pub(crate) const USER_AGENT: &str = concat!("Dintero-Hook/", env!("CARGO_PKG_VERSION"));

/// A subscription as stored; the secret stays in here and is never rendered.
#[derive(Clone)]
pub(crate) struct Subscription {
    pub id: String,
    pub events: Vec<String>,
    pub url: String,
    pub content_type: String,
    pub secret: Option<String>,
    pub created_at: String,
    /// Anything else the creator sent at the top level (e.g. `fields`), echoed back.
    pub extra: Map<String, Value>,
}

impl Subscription {
    /// The subscription as the API answers it: without the secret.
    pub fn render(&self) -> Value {
        let mut v = Map::new();
        for (k, val) in &self.extra {
            v.insert(k.clone(), val.clone());
        }
        v.insert("id".into(), json!(self.id));
        v.insert("events".into(), json!(self.events));
        v.insert("active".into(), json!(true));
        v.insert("created_at".into(), json!(self.created_at));
        v.insert(
            "config".into(),
            json!({"url": self.url, "content_type": self.content_type}),
        );
        Value::Object(v)
    }

    /// For the dashboard: whether a secret is set, never its value.
    pub fn summary(&self) -> Value {
        let mut v = self.render();
        v["has_secret"] = json!(self.secret.is_some());
        v
    }

    fn wants(&self, event: &str) -> bool {
        event == "ping" || self.events.iter().any(|e| e == event)
    }
}

/// One try of a delivery.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Attempt {
    /// When it was sent (emulator clock).
    pub at: String,
    /// The receiver's status, if it answered.
    pub status: Option<u16>,
    /// Why there was no answer (timeout, connection refused, ...).
    pub error: Option<String>,
    pub duration_ms: u64,
    /// The `event-signature` sent (a signature, not the secret).
    pub signature: Option<String>,
    /// When the next try is due (emulator clock); `None` when this was the last.
    pub next_retry_at: Option<String>,
    /// `redeliver` (a try asked for from the dashboard) or `schedule`.
    pub trigger: &'static str,
}

/// A subscription's secret as a delivery keeps it (to sign a redelivery after the
/// subscription is gone); never serialized, `Debug` prints `***`.
#[derive(Clone)]
pub(crate) struct KeptSecret(Option<String>);

impl std::fmt::Debug for KeptSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() { "***" } else { "None" })
    }
}

/// One event sent (or being sent) to one subscription.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct HookDelivery {
    /// The `event-delivery` header and the body's `event_delivery`.
    pub id: String,
    pub subscription_id: String,
    pub event: String,
    pub url: String,
    /// The exact bytes sent (and signed).
    pub body: String,
    pub transaction_id: Option<String>,
    pub attempts: Vec<Attempt>,
    pub delivered: bool,
    #[serde(rename = "final")]
    pub is_final: bool,
    pub next_attempt_at: Option<String>,
    pub created_at: String,
    #[serde(skip)]
    pub secret: KeptSecret,
}

/// Subscriptions and deliveries.
#[derive(Default)]
pub(crate) struct Hooks {
    subs: Mutex<Vec<Subscription>>,
    deliveries: Mutex<Vec<Arc<Mutex<HookDelivery>>>>,
}

impl Hooks {
    pub fn clear(&self) {
        lock(&self.subs).clear();
        lock(&self.deliveries).clear();
    }

    pub fn add(&self, sub: Subscription) {
        lock(&self.subs).push(sub);
    }

    pub fn list(&self) -> Vec<Subscription> {
        lock(&self.subs).clone()
    }

    /// Removes a subscription; false when there was none with that id.
    pub fn remove(&self, id: &str) -> bool {
        let mut subs = lock(&self.subs);
        let before = subs.len();
        subs.retain(|s| s.id != id);
        subs.len() != before
    }

    pub fn deliveries(&self) -> Vec<HookDelivery> {
        lock(&self.deliveries)
            .iter()
            .map(|d| lock(d).clone())
            .collect()
    }

    fn delivery(&self, id: &str) -> Option<Arc<Mutex<HookDelivery>>> {
        lock(&self.deliveries)
            .iter()
            .find(|d| lock(d).id == id)
            .cloned()
    }

    fn push(&self, d: Arc<Mutex<HookDelivery>>) {
        let mut list = lock(&self.deliveries);
        if list.len() >= KEEP_DELIVERIES {
            list.remove(0);
        }
        list.push(d);
    }
}

/// Hex HMAC-SHA1 of `body` with `secret`: the `event-signature` header.
pub fn webhook_signature(secret: &str, body: &[u8]) -> String {
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(secret.as_bytes()) else {
        return String::new();
    };
    mac.update(body);
    hex::encode(mac.finalize().into_bytes())
}

/// The transaction summary in `checkout_transaction` and `checkout_authorization` bodies.
fn tx_summary(tx: &Transaction) -> Value {
    json!({
        "id": tx.id,
        "session_id": tx.session_id,
        "merchant_reference": tx.merchant_reference,
        "merchant_reference_2": tx.merchant_reference_2.clone().unwrap_or_default(),
        "created_at": tx.created_at,
        "updated_at": tx.updated_at,
        "status": tx.status,
    })
}

/// `checkout_transaction`: a transaction was created or changed (capture, refund, void,
/// a decided ON_HOLD).
pub(crate) fn transaction_event(st: &Arc<AppState>, tx: &Transaction) {
    emit(
        st,
        "checkout_transaction",
        Map::from_iter([("transaction".to_string(), tx_summary(tx))]),
        Some(tx.id.clone()),
        None,
    );
}

/// `checkout_authorization`: what the session callback reports with `report_error=true`:
/// a payment authorized, put on hold, failed or cancelled (no transaction when cancelled
/// before one existed).
pub(crate) fn authorization_event(
    st: &Arc<AppState>,
    session_id: &str,
    merchant_reference: &str,
    tx: Option<&Transaction>,
    error: Option<&str>,
) {
    let mut fields = Map::new();
    fields.insert("session_id".into(), json!(session_id));
    fields.insert("merchant_reference".into(), json!(merchant_reference));
    if let Some(tx) = tx {
        fields.insert("transaction_id".into(), json!(tx.id));
        fields.insert("transaction".into(), tx_summary(tx));
    }
    if let Some(e) = error {
        fields.insert("error".into(), json!(e));
    }
    emit(
        st,
        "checkout_authorization",
        fields,
        tx.map(|t| t.id.clone()),
        None,
    );
}

/// The `ping` sent to a subscription when it is created.
pub(crate) fn ping(st: &Arc<AppState>, sub: &Subscription) {
    let fields = Map::from_iter([("hook_id".to_string(), json!(sub.id))]);
    emit(st, "ping", fields, None, Some(sub.id.as_str()));
}

/// Queues `event` for every subscription that wants it (or only `only`).
fn emit(
    st: &Arc<AppState>,
    event: &str,
    fields: Map<String, Value>,
    transaction_id: Option<String>,
    only: Option<&str>,
) {
    let subs: Vec<Subscription> = st
        .hooks
        .list()
        .into_iter()
        .filter(|s| only.map_or(s.wants(event), |id| s.id == id))
        .collect();
    for sub in subs {
        let id = uuid();
        let mut body = Map::new();
        body.insert("account_id".into(), json!(st.config.account_id));
        body.insert("event".into(), json!(event));
        body.insert("event_delivery".into(), json!(id));
        for (k, v) in &fields {
            body.insert(k.clone(), v.clone());
        }
        let delivery = HookDelivery {
            id,
            subscription_id: sub.id.clone(),
            event: event.to_string(),
            url: sub.url.clone(),
            body: Value::Object(body).to_string(),
            transaction_id: transaction_id.clone(),
            attempts: Vec::new(),
            delivered: false,
            is_final: false,
            next_attempt_at: Some(fmt_time(st.now())),
            created_at: fmt_time(st.now()),
            secret: KeptSecret(sub.secret.clone()),
        };
        let record = Arc::new(Mutex::new(delivery));
        st.hooks.push(record.clone());
        tokio::spawn(deliver(st.clone(), record, sub.secret.clone()));
    }
}

/// Sends a delivery once more, now, whatever its state (the dashboard's "Redeliver"); it
/// does not start a new retry schedule. `None` when there is no such delivery.
pub(crate) async fn redeliver(st: &Arc<AppState>, delivery_id: &str) -> Option<HookDelivery> {
    let record = st.hooks.delivery(delivery_id)?;
    // Signed as the first try was, even if the subscription has been deleted since.
    let secret = lock(&record).secret.0.clone();
    let ok = attempt(st, &record, secret.as_deref(), "redeliver").await;
    let mut r = lock(&record);
    if ok {
        r.delivered = true;
    }
    Some(r.clone())
}

/// Wait after failed try number `n` (1-based): the callback retry base times 2^n, so 2 s,
/// 4 s, 8 s, 16 s with the default 1 s base.
fn wait_after(st: &AppState, n: u32) -> Duration {
    st.config
        .callback_retry_base
        .saturating_mul(1u32 << n.min(10))
}

/// Sends one try and records it; true on a 2xx.
async fn attempt(
    st: &Arc<AppState>,
    record: &Arc<Mutex<HookDelivery>>,
    secret: Option<&str>,
    trigger: &'static str,
) -> bool {
    let (id, event, url, body) = {
        let r = lock(record);
        (r.id.clone(), r.event.clone(), r.url.clone(), r.body.clone())
    };
    let signature = secret.map(|s| webhook_signature(s, body.as_bytes()));
    let at = fmt_time(st.now());
    let started = Instant::now();
    let result = match &st.http {
        Ok(client) => {
            let mut req = client
                .post(&url)
                .header("content-type", "application/json")
                .header("user-agent", USER_AGENT)
                .header("event", &event)
                .header("event-delivery", &id)
                .body(body);
            if let Some(sig) = &signature {
                req = req.header("event-signature", sig);
            }
            req.send()
                .await
                .map(|r| r.status().as_u16())
                .map_err(|e| crate::util::transport_error(&e, st.config.callback_timeout))
        }
        Err(e) => Err(e.clone()),
    };
    let ok = matches!(result, Ok(200..=299));
    let mut r = lock(record);
    r.attempts.push(Attempt {
        at,
        status: result.as_ref().ok().copied(),
        error: result.err(),
        duration_ms: started.elapsed().as_millis() as u64,
        signature,
        next_retry_at: None,
        trigger,
    });
    ok
}

async fn deliver(st: Arc<AppState>, record: Arc<Mutex<HookDelivery>>, secret: Option<String>) {
    let generation = st.generation.load(Ordering::SeqCst);
    for n in 1..=MAX_ATTEMPTS {
        if st.generation.load(Ordering::SeqCst) != generation {
            return;
        }
        let ok = attempt(&st, &record, secret.as_deref(), "schedule").await;
        let due = if ok || n == MAX_ATTEMPTS {
            None
        } else {
            let wait = time::Duration::try_from(wait_after(&st, n)).unwrap_or_default();
            Some(st.now() + wait)
        };
        {
            let mut r = lock(&record);
            if ok {
                r.delivered = true;
            }
            r.next_attempt_at = due.map(fmt_time);
            r.is_final = due.is_none();
            if let Some(last) = r.attempts.last_mut() {
                last.next_retry_at = due.map(fmt_time);
            }
        }
        let Some(due) = due else { return };
        // Wait on the emulator's clock: polled, so an advance is noticed within 50 ms.
        loop {
            if st.generation.load(Ordering::SeqCst) != generation {
                return;
            }
            let left = due - st.now();
            if left <= time::Duration::ZERO {
                break;
            }
            let left = Duration::try_from(left).unwrap_or_default();
            tokio::time::sleep(left.min(Duration::from_millis(50))).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_is_hmac_sha1_hex() {
        // RFC 2202 test case 2.
        assert_eq!(
            webhook_signature("Jefe", b"what do ya want for nothing?"),
            "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"
        );
    }
}
