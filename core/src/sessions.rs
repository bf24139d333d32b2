//! Checkout sessions: create, get, update, cancel.

use http::Method;
use serde_json::Value;

use crate::error::{input_from_value, Error, Result};
use crate::http::{Mode, Request};
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

pub(crate) fn check_id(what: &str, id: &str) -> Result<()> {
    let ok = !id.is_empty()
        && id.len() <= 200
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid_input(format!(
            "{what}: {id:?} is not a valid id (expected letters, digits, '.', '-' or '_', e.g. T12345678.55Q4CC1WuVJdgCssZfrf5a)"
        )))
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
        let t = &self.client.inner;
        let req = Request::new(
            Method::GET,
            t.checkout_url(&format!("/v1/sessions/{session_id}")),
            "get session",
        );
        t.execute(&req, Mode::Idempotent)
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
        let mut url = t.checkout_url(&format!("/v1/sessions/{session_id}"));
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
    /// After an ambiguous failure the session is re-read: if it is cancelled, that is the answer.
    pub async fn cancel(&self, session_id: &str) -> Result<Session> {
        check_id("session_id", session_id)?;
        let t = &self.client.inner;
        let req = Request::new(
            Method::POST,
            t.checkout_url(&format!("/v1/sessions/{session_id}/cancel")),
            "cancel session",
        );
        let mut attempt = 0;
        loop {
            attempt += 1;
            match t.execute(&req, Mode::NotApplied).await {
                Ok(response) => return response.json("the session"),
                Err(failure) => {
                    if failure.maybe_applied {
                        let wait = t.config.retry.backoff(attempt);
                        tokio::time::sleep(wait).await;
                        let session = self
                            .get(session_id)
                            .await
                            .map_err(|e| outcome_unknown("cancel", &failure.error, &e))?;
                        if session.cancelled_at.is_some() {
                            return Ok(session);
                        }
                    }
                    if !failure.retryable || attempt >= t.config.retry.max_attempts {
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
