//! Access-token cache: fetched on first use, shared by every call, refreshed before it
//! expires, one refresh at a time however many calls wait for it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::error::Result;
use crate::http::Transport;
use crate::secret::Secret;

struct Cached {
    token: Secret,
    refresh_at: Instant,
}

pub(crate) struct TokenCache {
    current: RwLock<Option<Arc<Cached>>>,
    refresh: tokio::sync::Mutex<()>,
    fetches: AtomicU64,
}

impl TokenCache {
    pub fn new() -> Self {
        TokenCache {
            current: RwLock::new(None),
            refresh: tokio::sync::Mutex::new(()),
            fetches: AtomicU64::new(0),
        }
    }

    fn fresh(&self) -> Option<Secret> {
        let guard = self.current.read().unwrap_or_else(|p| p.into_inner());
        guard
            .as_ref()
            .filter(|c| Instant::now() < c.refresh_at)
            .map(|c| c.token.clone())
    }

    /// A valid token, fetching one if none is cached or the cached one is due for refresh.
    pub async fn token(&self, transport: &Transport) -> Result<Secret> {
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        let _one_at_a_time = self.refresh.lock().await;
        if let Some(t) = self.fresh() {
            return Ok(t);
        }
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let (token, ttl) = transport.fetch_token().await?;
        // Refresh early: five minutes before expiry, or at half-life for short tokens.
        let margin = transport.config.token_refresh_margin.min(ttl / 2);
        let wait = ttl.saturating_sub(margin).max(Duration::from_millis(1));
        let now = Instant::now();
        let refresh_at = now
            .checked_add(wait)
            .unwrap_or_else(|| now + Duration::from_secs(86_400));
        let cached = Arc::new(Cached {
            token: token.clone(),
            refresh_at,
        });
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = Some(cached);
        Ok(token)
    }

    /// Drops `used` if it is still the cached token (a 401 said it is no good).
    pub fn invalidate(&self, used: &Secret) {
        let mut guard = self.current.write().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_some_and(|c| &c.token == used) {
            *guard = None;
        }
    }

    /// How many token requests this cache has made.
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }
}
