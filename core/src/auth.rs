//! Access-token cache: fetched on first use, shared by every call, refreshed before it
//! expires. One token fetch runs at a time, and every call that waits for it gets that
//! fetch's result, its error included: a token outage costs one fetch (with its retries),
//! however many calls are waiting, and they all fail together.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::OnceCell;

use crate::error::Result;
use crate::http::Transport;
use crate::observe::log_event;
use crate::secret::Secret;

struct Cached {
    token: Secret,
    refresh_at: Instant,
}

/// One token fetch and its outcome, shared by every call that waited for it.
type Flight = OnceCell<Result<Secret>>;

#[derive(Default)]
struct State {
    current: Option<Cached>,
    /// The fetch under way, if any. Cleared when it ends, so the call after a failed fetch
    /// starts a new one.
    flight: Option<Arc<Flight>>,
}

pub(crate) struct TokenCache {
    state: Mutex<State>,
    fetches: AtomicU64,
}

impl TokenCache {
    pub fn new() -> Self {
        TokenCache {
            state: Mutex::new(State::default()),
            fetches: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A valid token, fetching one if none is cached or the cached one is due for refresh.
    pub async fn token(&self, transport: &Transport) -> Result<Secret> {
        let flight = {
            let mut state = self.lock();
            if let Some(c) = state
                .current
                .as_ref()
                .filter(|c| Instant::now() < c.refresh_at)
            {
                return Ok(c.token.clone());
            }
            state
                .flight
                .get_or_insert_with(|| Arc::new(OnceCell::new()))
                .clone()
        };
        // The first caller runs the fetch; the others wait for its result. Should that caller
        // be cancelled mid-fetch, one of the waiters runs it instead.
        flight
            .get_or_init(|| self.fetch(transport, &flight))
            .await
            .clone()
    }

    async fn fetch(&self, transport: &Transport, flight: &Arc<Flight>) -> Result<Secret> {
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let logger = transport.config.logger.as_ref();
        log_event!(logger, INFO, "fetching an access token");
        let fetched = transport.fetch_token().await;
        match &fetched {
            Ok((_, ttl)) => log_event!(
                logger,
                INFO,
                "access token fetched",
                expires_in_s = ttl.as_secs(),
            ),
            Err(e) => log_event!(
                logger,
                INFO,
                "access token fetch failed",
                kind = e.kind().as_str(),
                status = e.status(),
            ),
        }
        let mut state = self.lock();
        if state
            .flight
            .as_ref()
            .is_some_and(|f| Arc::ptr_eq(f, flight))
        {
            state.flight = None;
        }
        let (token, ttl) = fetched?;
        // Refresh early: five minutes before expiry, or at half-life for short tokens.
        let margin = transport.config.token_refresh_margin.min(ttl / 2);
        let wait = ttl.saturating_sub(margin).max(Duration::from_millis(1));
        let now = Instant::now();
        let refresh_at = now
            .checked_add(wait)
            .unwrap_or_else(|| now + Duration::from_secs(86_400));
        state.current = Some(Cached {
            token: token.clone(),
            refresh_at,
        });
        Ok(token)
    }

    /// Drops `used` if it is still the cached token (a 401 said it is no good).
    pub fn invalidate(&self, used: &Secret) {
        let mut state = self.lock();
        if state.current.as_ref().is_some_and(|c| &c.token == used) {
            state.current = None;
        }
    }

    /// How many token fetches this cache has started (each may retry as the policy allows).
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}
