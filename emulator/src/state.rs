//! Shared emulator state: clock, tokens, sessions, transactions, signature, logs.

use crate::callbacks::CallbackDelivery;
use crate::error::ApiError;
use crate::faults::Faults;
use crate::model::{Session, Transaction};
use crate::requests::RequestLog;
use crate::util::{fmt_time, uuid};
use crate::EmulatorConfig;
use axum::http::HeaderMap;
use bytes::Bytes;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::Duration;
use time::OffsetDateTime;

/// Locks a std mutex, recovering from poisoning (a panic elsewhere must not wedge the emulator).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A session and the lock that serializes operations on it.
pub(crate) struct SessionEntry {
    /// Held for the whole of a state-changing operation (pay, cancel, update).
    pub op: tokio::sync::Mutex<()>,
    /// Held only briefly, to read or write the record.
    pub data: Mutex<Session>,
}

/// A transaction snapshot with its JSON already serialized (reads never re-serialize).
pub(crate) struct TxSnapshot {
    pub tx: Transaction,
    pub json: Bytes,
}

impl TxSnapshot {
    pub fn new(tx: Transaction) -> Self {
        let json = Bytes::from(serde_json::to_vec(&tx).unwrap_or_else(|_| b"{}".to_vec()));
        TxSnapshot { tx, json }
    }
}

/// A transaction and the lock that serializes operations on it.
pub(crate) struct TxEntry {
    /// Held for the whole of an operation (capture, refund, void, ...), so concurrent
    /// operations on one transaction run one after another.
    pub op: tokio::sync::Mutex<()>,
    /// The current snapshot; readers clone the `Arc` and never wait for an operation.
    pub data: RwLock<Arc<TxSnapshot>>,
}

impl TxEntry {
    pub fn snapshot(&self) -> Arc<TxSnapshot> {
        self.data.read().unwrap_or_else(|e| e.into_inner()).clone()
    }
    pub fn store(&self, tx: Transaction) -> Arc<TxSnapshot> {
        let snap = Arc::new(TxSnapshot::new(tx));
        *self.data.write().unwrap_or_else(|e| e.into_inner()) = snap.clone();
        snap
    }
}

#[derive(Default)]
pub(crate) struct TxStore {
    pub map: HashMap<String, Arc<TxEntry>>,
    /// Ids in creation order.
    pub order: Vec<String>,
}

pub(crate) struct AppState {
    pub config: EmulatorConfig,
    pub base_url: String,
    clock_offset: AtomicI64,
    tokens: RwLock<HashMap<String, i64>>,
    pub sessions: RwLock<HashMap<String, Arc<SessionEntry>>>,
    pub txs: RwLock<TxStore>,
    signature: Mutex<Option<Value>>,
    pub callbacks: Mutex<Vec<Arc<Mutex<CallbackDelivery>>>>,
    pub faults: Faults,
    pub requests: RequestLog,
    pub hooks: crate::hooks::Hooks,
    /// Bumped by reset; background work from an older generation stops.
    pub generation: AtomicU64,
    pub http: Result<reqwest::Client, String>,
}

impl AppState {
    pub fn new(config: EmulatorConfig, base_url: String) -> Self {
        let http = reqwest::Client::builder()
            .timeout(config.callback_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Dintero-Emulator-Callback/0.1")
            .build()
            .map_err(|e| format!("cannot build the callback HTTP client: {e}"));
        let st = AppState {
            base_url,
            clock_offset: AtomicI64::new(0),
            tokens: RwLock::new(HashMap::new()),
            sessions: RwLock::new(HashMap::new()),
            txs: RwLock::new(TxStore::default()),
            signature: Mutex::new(None),
            callbacks: Mutex::new(Vec::new()),
            faults: Faults::default(),
            requests: RequestLog::default(),
            hooks: Default::default(),
            generation: AtomicU64::new(0),
            http,
            config,
        };
        st.init_signature();
        st
    }

    fn init_signature(&self) {
        let sig = self.config.signature_secret.as_ref().map(|secret| {
            json!({
                "id": uuid(),
                "created_at": fmt_time(self.now()),
                "created_by": self.config.client_id,
                "signature": {"type": "v0-hmac-sha256", "secret": secret},
            })
        });
        *lock(&self.signature) = sig;
    }

    /// Clears everything but the configuration.
    pub fn reset(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.clock_offset.store(0, Ordering::SeqCst);
        self.tokens
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        self.sessions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
        *self.txs.write().unwrap_or_else(|e| e.into_inner()) = TxStore::default();
        lock(&self.callbacks).clear();
        self.faults.clear();
        self.requests.clear();
        self.hooks.clear();
        self.init_signature();
    }

    /// The emulator clock: wall clock plus whatever `advance_clock` added.
    pub fn now(&self) -> OffsetDateTime {
        let off = self.clock_offset.load(Ordering::Relaxed);
        let now = OffsetDateTime::now_utc();
        now.checked_add(time::Duration::seconds(off)).unwrap_or(now)
    }

    /// Moves the clock; the total offset is kept within about ±95 years.
    pub fn advance_clock(&self, seconds: i64) {
        const LIMIT: i64 = 3_000_000_000;
        let _ = self
            .clock_offset
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |old| {
                Some(old.saturating_add(seconds).clamp(-LIMIT, LIMIT))
            });
    }

    // ---- tokens ----

    /// Every access token issued and not cleared by a reset.
    pub fn issued_tokens(&self) -> Vec<String> {
        self.tokens
            .read()
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    }

    pub fn issue_token(&self) -> (String, u64) {
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let ttl = self.config.token_ttl.as_secs();
        let now = self.now().unix_timestamp();
        let exp = now.saturating_add(ttl as i64);
        let header = b64.encode(br#"{"alg":"HS256","typ":"JWT","kid":"emulator"}"#);
        let claims = json!({
            "iss": format!("{}/v1/accounts/{}", self.base_url, self.config.account_id),
            "sub": self.config.client_id,
            "aud": format!("{}/v1/accounts/{}", self.base_url, self.config.account_id),
            "iat": now,
            "exp": exp,
            "jti": uuid(),
            "scopes": "admin:checkout write:checkout read:checkout",
        });
        let payload = b64.encode(claims.to_string());
        let mut sig = [0u8; 32];
        rand::RngCore::fill_bytes(&mut rand::rng(), &mut sig);
        let token = format!("{header}.{payload}.{}", b64.encode(sig));
        let mut tokens = self.tokens.write().unwrap_or_else(|e| e.into_inner());
        if tokens.len() >= 10_000 {
            tokens.retain(|_, e| *e > now);
        }
        tokens.insert(token.clone(), exp);
        (token, ttl)
    }

    /// Checks `Authorization: Bearer <token>` against issued, unexpired tokens.
    pub fn authenticate(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let value = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| ApiError::unauthorized("missing Authorization header (Bearer token)"))?;
        let token = value
            .strip_prefix("Bearer ")
            .or_else(|| value.strip_prefix("bearer "))
            .map(str::trim)
            .ok_or_else(|| {
                ApiError::unauthorized("Authorization header must use the Bearer scheme")
            })?;
        let exp = self
            .tokens
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(token)
            .copied();
        match exp {
            None => Err(ApiError::unauthorized(
                "Access forbidden, invalid JWT token was used",
            )),
            Some(exp) if self.now().unix_timestamp() >= exp => Err(ApiError::unauthorized(
                "Access forbidden, the JWT token has expired",
            )),
            Some(_) => Ok(()),
        }
    }

    // ---- signature ----

    pub fn signature(&self) -> Option<Value> {
        lock(&self.signature).clone()
    }

    pub fn signature_secret(&self) -> Option<String> {
        lock(&self.signature)
            .as_ref()
            .and_then(|s| s.get("signature"))
            .and_then(|s| s.get("secret"))
            .and_then(Value::as_str)
            .map(str::to_string)
    }

    pub fn rotate_signature(&self) -> Value {
        let sig = json!({
            "id": uuid(),
            "created_at": fmt_time(self.now()),
            "created_by": self.config.client_id,
            "signature": {"type": "v0-hmac-sha256", "secret": crate::util::random_hex(32)},
        });
        *lock(&self.signature) = Some(sig.clone());
        sig
    }

    // ---- lookups ----

    pub fn session(&self, id: &str) -> Option<Arc<SessionEntry>> {
        self.sessions
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    pub fn insert_session(&self, s: Session) -> Arc<SessionEntry> {
        let entry = Arc::new(SessionEntry {
            op: tokio::sync::Mutex::new(()),
            data: Mutex::new(s.clone()),
        });
        self.sessions
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(s.id, entry.clone());
        entry
    }

    pub fn tx(&self, id: &str) -> Option<Arc<TxEntry>> {
        self.txs
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .map
            .get(id)
            .cloned()
    }

    pub fn insert_tx(&self, tx: Transaction) -> Arc<TxEntry> {
        let id = tx.id.clone();
        let entry = Arc::new(TxEntry {
            op: tokio::sync::Mutex::new(()),
            data: RwLock::new(Arc::new(TxSnapshot::new(tx))),
        });
        let mut store = self.txs.write().unwrap_or_else(|e| e.into_inner());
        store.map.insert(id.clone(), entry.clone());
        store.order.push(id);
        entry
    }

    pub fn card_timeout(&self) -> Duration {
        self.config.card_timeout
    }
}
