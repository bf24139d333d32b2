//! Checkout sessions: create, get, update, cancel.

use http::Method;
use serde_json::Value;

use crate::error::{input_from_value, Error, Result};
use crate::http::{clip, url_path, Failure, Mode, Request};
use crate::models::{Session, SessionCreated, SessionRequest, SessionUpdate};
use crate::order::validate_order;
use crate::Client;

/// Options of [`Sessions::create`].
#[derive(Debug, Clone, Default)]
pub struct CreateSessionOptions {
    /// Ask Dintero to return the whole session in `SessionCreated::session`.
    pub include_session: bool,
}

/// Session operations; get one from [`Client::sessions`].
#[derive(Debug, Clone, Copy)]
pub struct Sessions<'a> {
    pub(crate) client: &'a Client,
}

/// Checks a session or transaction id before it goes into a path. Dintero's ids are the
/// account id, a dot and base62 (`T12345678.55Q4CC1WuVJdgCssZfrf5a`); we accept letters,
/// digits, `-`, `_` and dots inside, up to 200 characters, and refuse anything that could
/// change the path: `/`, `\`, `?`, `#`, `%`, spaces and control characters, and ids made of
/// dots only (`.`, `..`), which URL parsers remove from the path even when percent-encoded.
/// `what` names the parameter in the error.
pub(crate) fn check_id(what: &str, id: &str) -> Result<()> {
    let problem = if id.is_empty() {
        Some("must not be empty")
    } else if id.len() > 200 {
        Some("is longer than 200 characters")
    } else if id.bytes().all(|b| b == b'.') {
        Some("must not be only dots")
    } else if !id
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        Some("may only hold letters, digits, '.', '-' and '_'")
    } else {
        None
    };
    match problem {
        None => Ok(()),
        Some(problem) => Err(Error::invalid_input(format!(
            "{what}: {:?} is not a valid id: it {problem} (e.g. T12345678.55Q4CC1WuVJdgCssZfrf5a)",
            clip(id, 64)
        ))),
    }
}

/// Checks a session request before it is sent: URLs, the order's sums and lines.
pub fn validate_session_request(request: &SessionRequest) -> Result<()> {
    for (path, value) in [
        ("url.return_url", Some(&request.url.return_url)),
        ("url.callback_url", request.url.callback_url.as_ref()),
    ] {
        if let Some(v) = value {
            let parsed = url::Url::parse(v).map_err(|e| {
                Error::invalid_input(format!("{path}: {v:?} is not an absolute URL ({e})"))
            })?;
            if !matches!(parsed.scheme(), "http" | "https") {
                return Err(Error::invalid_input(format!(
                    "{path}: {v:?} must be an http(s) URL"
                )));
            }
        }
    }
    if let Some(profile) = &request.profile_id {
        if profile.trim().is_empty() {
            return Err(Error::invalid_input(
                "profile_id: must not be empty when given",
            ));
        }
    } else if request.configuration.is_none() {
        return Err(Error::invalid_input(
            "configuration: is required when there is no profile_id (set profile_id, e.g. \"default\", or give a configuration)",
        ));
    }
    validate_order(&request.order)
}

impl Sessions<'_> {
    /// Creates a session: `POST /v1/sessions-profile` when `profile_id` is set, else
    /// `POST /v1/sessions`. The order is checked first (sums, line ids, VAT), and Dintero is
    /// asked to enforce the sums too (`Dintero-Feature-Toggles: strict-session-amounts`).
    ///
    /// Retried on transient failures: a duplicate session is harmless (it holds no money and
    /// nobody is sent to it).
    pub async fn create(
        &self,
        request: &SessionRequest,
        options: &CreateSessionOptions,
    ) -> Result<SessionCreated> {
        validate_session_request(request)?;
        let t = &self.client.inner;
        if talks_to_dintero(&t.config.checkout_base) {
            // Dintero refuses plain-http return and callback URLs; say so before sending.
            require_https("url.return_url", &request.url.return_url)?;
            if let Some(callback) = &request.url.callback_url {
                require_https("url.callback_url", callback)?;
            }
        }
        let path = if request.profile_id.is_some() {
            "/v1/sessions-profile"
        } else {
            "/v1/sessions"
        };
        let mut url = t.checkout_url(path);
        if options.include_session {
            url.push_str("?include_session=true");
        }
        let mut req = Request::new(Method::POST, url, "create session").json_body(request)?;
        req.headers.push((
            "dintero-feature-toggles",
            "strict-session-amounts".to_string(),
        ));
        let response = t
            .execute(&req, Mode::Idempotent)
            .await
            .map_err(|f| f.error)?;
        response.json("the created session")
    }

    /// Creates a session from a JSON payload (what the language bindings pass).
    pub async fn create_json(
        &self,
        request: Value,
        options: &CreateSessionOptions,
    ) -> Result<SessionCreated> {
        let request: SessionRequest = input_from_value(request, "session")?;
        self.create(&request, options).await
    }

    /// Reads a session: `GET /v1/sessions/{id}`.
    pub async fn get(&self, session_id: &str) -> Result<Session> {
        check_id("session_id", session_id)?;
        self.read(session_id, Mode::Idempotent).await
    }

    async fn read(&self, session_id: &str, mode: Mode) -> Result<Session> {
        let t = &self.client.inner;
        let req = Request::new(
            Method::GET,
            t.checkout_url(&url_path(&["v1", "sessions", session_id])),
            "get session",
        );
        t.execute(&req, mode)
            .await
            .map_err(|f| f.error)?
            .json("the session")
    }

    /// Replaces the order of a session: `PUT /v1/sessions/{id}`. The order must add up.
    /// `update_without_lock` updates a session that the checkout has not locked (server to
    /// server, before the customer has seen it).
    pub async fn update(
        &self,
        session_id: &str,
        update: &SessionUpdate,
        update_without_lock: bool,
    ) -> Result<Session> {
        check_id("session_id", session_id)?;
        validate_order(&update.order)?;
        let t = &self.client.inner;
        let mut url = t.checkout_url(&url_path(&["v1", "sessions", session_id]));
        if update_without_lock {
            url.push_str("?update_without_lock=true");
        }
        let req = Request::new(Method::PUT, url, "update session").json_body(update)?;
        t.execute(&req, Mode::Idempotent)
            .await
            .map_err(|f| f.error)?
            .json("the session")
    }

    /// [`Sessions::update`] from a JSON payload.
    pub async fn update_json(
        &self,
        session_id: &str,
        update: Value,
        update_without_lock: bool,
    ) -> Result<Session> {
        let update: SessionUpdate = input_from_value(update, "update")?;
        self.update(session_id, &update, update_without_lock).await
    }

    /// Cancels a session: `POST /v1/sessions/{id}/cancel` (voids an authorized payment).
    ///
    /// One retry budget: the cancel is sent at most `max_attempts` times in all. After an
    /// attempt that may have taken effect (no answer, 5xx, an unreadable 200), the session is
    /// read once: if it is cancelled, that is the answer. A refusal after such an attempt is
    /// checked the same way (our earlier attempt may have cancelled it).
    pub async fn cancel(&self, session_id: &str) -> Result<Session> {
        check_id("session_id", session_id)?;
        let t = &self.client.inner;
        let req = Request::new(
            Method::POST,
            t.checkout_url(&url_path(&["v1", "sessions", session_id, "cancel"])),
            "cancel session",
        );
        let max = t.config.retry.max_attempts;
        let mut earlier_maybe_applied = false;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure = match t.execute(&req, Mode::Once).await {
                Ok(response) => match response.json::<Session>("the session") {
                    Ok(session) => return Ok(session),
                    // A 2xx we cannot read: the cancel happened; the session tells the rest.
                    Err(error) => Failure::unreadable_success(error),
                },
                Err(failure) => failure,
            };
            // A refusal after an attempt that may have worked: that attempt may be why.
            let check = failure.maybe_applied
                || (earlier_maybe_applied
                    && !failure.retryable
                    && failure.error.status().is_some());
            earlier_maybe_applied |= failure.maybe_applied;
            if check {
                tokio::time::sleep(t.config.retry.backoff(attempt)).await;
                // One read, without retries of its own: this call owns the budget.
                match self.read(session_id, Mode::Once).await {
                    Ok(session) if session.cancelled_at.is_some() => return Ok(session),
                    Ok(_) => {}
                    Err(reread) => {
                        if !failure.retryable || attempt >= max {
                            return Err(outcome_unknown("cancel", &failure.error, &reread));
                        }
                        continue;
                    }
                }
            }
            if !failure.retryable || attempt >= max {
                return Err(failure.error);
            }
            if !failure.maybe_applied {
                match t.wait_before_retry(&failure, attempt) {
                    Some(wait) => tokio::time::sleep(wait).await,
                    None => return Err(failure.error),
                }
            }
        }
    }
}

pub(crate) fn outcome_unknown(op: &str, first: &Error, reread: &Error) -> Error {
    Error::new(
        first.kind(),
        format!(
            "{op}: the outcome is unknown: the request failed ({}) and re-reading to check failed too ({}); it is safe to call {op} again with the same reference",
            first.message(),
            reread.message()
        ),
    )
    .with_request_id(first.request_id().map(str::to_string))
    .with_outcome_unknown()
}

/// True when `base` is one of Dintero's own hosts (not an emulator or a proxy of the merchant's).
fn talks_to_dintero(base: &str) -> bool {
    reqwest::Url::parse(base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .is_some_and(|host| host == "dintero.com" || host.ends_with(".dintero.com"))
}

fn require_https(field: &str, url: &str) -> Result<()> {
    match reqwest::Url::parse(url) {
        Ok(u) if u.scheme() == "https" => Ok(()),
        Ok(u) => Err(Error::invalid_input(format!(
            "{field}: Dintero accepts only https:// URLs (got a {}:// URL)",
            clip(u.scheme(), 16)
        ))),
        Err(e) => Err(Error::invalid_input(format!(
            "{field}: not a valid URL ({e})"
        ))),
    }
}
