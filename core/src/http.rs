//! Transport: one `reqwest` client, default headers, per-attempt timeouts, retries with
//! jittered exponential backoff, `Retry-After`, and the 401 → refresh-once rule.

use std::time::Duration;

use http::{HeaderMap, HeaderValue, Method};
use serde::de::DeserializeOwned;

use crate::auth::TokenCache;
use crate::config::Config;
use crate::error::{from_json_slice, Error, ErrorKind, Result};
use crate::observe::log_event;
use crate::secret::Secret;

/// How an operation may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Safe to repeat (GET, PUT, token): retry every transient failure.
    Idempotent,
    /// One attempt (plus the 401 refresh). The caller decides what happens next.
    Once,
    /// Retry only failures where the request cannot have taken effect (connect errors, 429).
    NotApplied,
}

/// Which credentials a request carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Auth {
    /// `Authorization: Bearer <cached token>`.
    Bearer,
    /// `Authorization: Basic client_id:client_secret` (the token call).
    Basic,
}

/// A request, ready to be sent any number of times.
pub(crate) struct Request {
    pub method: Method,
    pub url: String,
    /// Path for messages (never contains a secret).
    pub what: String,
    pub body: Option<Vec<u8>>,
    pub auth: Auth,
    pub headers: Vec<(&'static str, String)>,
}

impl Request {
    pub fn new(method: Method, url: String, what: impl Into<String>) -> Self {
        Request {
            method,
            url,
            what: what.into(),
            body: None,
            auth: Auth::Bearer,
            headers: Vec::new(),
        }
    }

    pub fn json_body<T: serde::Serialize>(mut self, body: &T) -> Result<Self> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::invalid_input(format!("could not encode the request body: {e}")))?;
        self.body = Some(bytes);
        Ok(self)
    }
}

/// A response with a 2xx status.
pub(crate) struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: bytes::Bytes,
}

impl Response {
    pub fn request_id(&self) -> Option<String> {
        request_id(&self.headers)
    }

    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    }

    /// Decodes the body; every model in it carries this answer's request id.
    pub fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T> {
        crate::models::decoding_answer(self.request_id(), || from_json_slice(&self.body, what))
            .map_err(|e| {
                // serde quotes offending values, which come from the server: keep them short.
                Error::new(e.kind(), clip(e.message(), MAX_SERVER_TEXT))
                    .with_status(self.status)
                    .with_request_id(self.request_id())
            })
    }
}

/// The most server-supplied text (an error message, a quoted value) copied into one error.
pub(crate) const MAX_SERVER_TEXT: usize = 1024;

/// The most of an error (non-2xx) body that is read. Dintero's error bodies are a few hundred
/// bytes; a longer one is not Dintero's, and only its status is used.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// `text`, cut to at most `max` bytes (on a character boundary) with a marker saying so.
pub(crate) fn clip(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… [truncated, {} bytes in all]", &text[..end], text.len())
}

/// `/a/b/c` from path segments, each percent-encoded (everything but RFC 3986's unreserved
/// characters), so no value can add a segment, a query or a fragment. Callers still refuse
/// dot-only ids (`check_id`): URL parsers treat `%2E%2E` like `..`.
pub(crate) fn url_path(segments: &[&str]) -> String {
    let mut path = String::new();
    for segment in segments {
        path.push('/');
        for b in segment.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                path.push(char::from(b));
            } else {
                path.push_str(&format!("%{b:02X}"));
            }
        }
    }
    path
}

/// How much of a body was read.
enum Body {
    Whole(bytes::Bytes),
    /// Longer than the limit: reading stopped there (or never started, from Content-Length).
    TooLong,
}

/// Reads a body a chunk at a time, stopping as soon as it passes `limit` bytes, so an endless
/// or enormous answer costs at most `limit` bytes of memory.
async fn read_body(
    response: &mut reqwest::Response,
    limit: usize,
) -> std::result::Result<Body, reqwest::Error> {
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit as u64) {
        return Ok(Body::TooLong);
    }
    // Most answers arrive in one chunk: keep it as it is, copy only when a second one comes.
    let mut first: Option<bytes::Bytes> = None;
    let mut buf: Vec<u8> = Vec::new();
    while let Some(chunk) = response.chunk().await? {
        let held = first.as_ref().map_or(buf.len(), bytes::Bytes::len);
        if held + chunk.len() > limit {
            return Ok(Body::TooLong);
        }
        match first.take() {
            None if buf.is_empty() => first = Some(chunk),
            Some(head) => {
                buf.reserve(announced.map_or(head.len() + chunk.len(), |n| n as usize));
                buf.extend_from_slice(&head);
                buf.extend_from_slice(&chunk);
            }
            None => buf.extend_from_slice(&chunk),
        }
    }
    Ok(Body::Whole(first.unwrap_or_else(|| buf.into())))
}

/// A byte count for messages: `16 MiB`, `64 KiB` or `1000 bytes`.
pub(crate) fn show_size(bytes: usize) -> String {
    const KIB: usize = 1024;
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= KIB && bytes.is_multiple_of(KIB) {
        format!("{} KiB", bytes / KIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// A failed attempt, with what the retry logic needs to know about it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    /// The request may have reached Dintero and taken effect.
    pub maybe_applied: bool,
    /// Nobody answered for Dintero: the request may have been sent and no final answer came
    /// back (a timeout, a cut connection), or a 502/503/504 came without Dintero's JSON error
    /// body (a gateway or load balancer answered, and Dintero may still be at work).
    pub no_answer: bool,
    /// Trying again may help.
    pub retryable: bool,
    pub retry_after: Option<Duration>,
}

impl Failure {
    /// A 2xx whose body could not be read: the request took effect, and Dintero answered.
    pub(crate) fn unreadable_success(error: Error) -> Self {
        Failure {
            error,
            maybe_applied: true,
            no_answer: false,
            retryable: true,
            retry_after: None,
        }
    }

    fn final_error(error: Error) -> Self {
        Failure {
            error,
            maybe_applied: false,
            no_answer: false,
            retryable: false,
            retry_after: None,
        }
    }
}

fn request_id(headers: &HeaderMap) -> Option<String> {
    ["request-id", "x-request-id", "dintero-request-id"]
        .iter()
        .find_map(|name| headers.get(*name))
        .and_then(|v| v.to_str().ok())
        .map(|v| clip(v, 200))
}

fn describe(err: &reqwest::Error) -> String {
    // The chain of causes, without the URL (no secrets there, but it is noise).
    let mut text = err.without_url_ref();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        let piece = s.to_string();
        if !text.contains(&piece) {
            text.push_str(": ");
            text.push_str(&piece);
        }
        source = s.source();
    }
    text
}

trait WithoutUrlRef {
    fn without_url_ref(&self) -> String;
}

impl WithoutUrlRef for reqwest::Error {
    fn without_url_ref(&self) -> String {
        let full = self.to_string();
        match self.url() {
            Some(url) => full
                .replace(&format!(" ({url})"), "")
                .replace(url.as_str(), "<url>"),
            None => full,
        }
    }
}

/// The shared HTTP machinery of a client.
pub(crate) struct Transport {
    pub http: reqwest::Client,
    pub config: Config,
    pub auth: TokenCache,
}

impl Transport {
    pub fn new(config: Config) -> Result<Self> {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::ACCEPT,
            HeaderValue::from_static("application/json"),
        );
        let mut put = |name: &'static str, value: &str| -> Result<()> {
            let v = HeaderValue::from_str(value)
                .map_err(|_| Error::invalid_input(format!("{name} is not a valid header value")))?;
            headers.insert(name, v);
            Ok(())
        };
        put("dintero-system-plugin-name", &config.plugin_name)?;
        put("dintero-system-plugin-version", &config.plugin_version)?;
        if let Some(v) = &config.system_name {
            put("dintero-system-name", v)?;
        }
        if let Some(v) = &config.system_version {
            put("dintero-system-version", v)?;
        }
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(format!("{}/{}", config.plugin_name, config.plugin_version))
            .timeout(config.timeout)
            .connect_timeout(config.connect_timeout)
            .pool_idle_timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none());
        match &config.proxy {
            Some(proxy) => {
                crate::config::check_proxy(proxy)?;
                let proxy = reqwest::Proxy::all(proxy.expose())
                    .map_err(|_| Error::invalid_input("proxy is not a valid proxy URL"))?;
                builder = builder.proxy(proxy);
            }
            None => builder = builder.no_proxy(),
        }
        let http = builder.build().map_err(|e| {
            Error::new(
                ErrorKind::Network,
                format!("could not build the HTTP client: {}", describe(&e)),
            )
        })?;
        Ok(Transport {
            http,
            config,
            auth: TokenCache::new(),
        })
    }

    pub fn checkout_url(&self, path: &str) -> String {
        format!("{}{}", self.config.checkout_base, path)
    }

    pub fn api_url(&self, path: &str) -> String {
        format!("{}{}", self.config.api_base, path)
    }

    /// One attempt, with the given bearer token (for `Auth::Bearer`).
    async fn attempt(
        &self,
        req: &Request,
        token: Option<&Secret>,
    ) -> std::result::Result<Response, Failure> {
        let mut builder = self.http.request(req.method.clone(), &req.url);
        builder = match req.auth {
            Auth::Basic => builder.basic_auth(
                &self.config.client_id,
                Some(self.config.client_secret.expose()),
            ),
            Auth::Bearer => match token {
                Some(t) => builder.bearer_auth(t.expose()),
                None => builder,
            },
        };
        for (name, value) in &req.headers {
            builder = builder.header(*name, value);
        }
        match &req.body {
            Some(body) => {
                builder = builder
                    .header(http::header::CONTENT_TYPE, "application/json")
                    .body(body.clone());
            }
            // hyper sends no length for an empty body; some gateways refuse a POST without one.
            None if matches!(req.method, Method::POST | Method::PUT | Method::PATCH) => {
                builder = builder.header(http::header::CONTENT_LENGTH, "0");
            }
            None => {}
        }
        let mut response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return Err(transport_failure(&e, &req.what, e.is_connect())),
        };
        let status = response.status().as_u16();
        let headers = std::mem::take(response.headers_mut());
        let success = (200..300).contains(&status);
        let limit = if success {
            self.config.max_response_bytes
        } else {
            self.config.max_response_bytes.min(MAX_ERROR_BODY)
        };
        let body = match read_body(&mut response, limit).await {
            Ok(b) => b,
            Err(e) => {
                let mut failure = transport_failure(&e, &req.what, false);
                // A status came: whoever answered was done, unless it is a gateway status
                // whose body we could not read to tell. A 4xx refusal applied nothing.
                failure.no_answer = matches!(status, 502..=504);
                failure.maybe_applied = !(400..500).contains(&status);
                failure.error = failure.error.with_status(status);
                return Err(failure);
            }
        };
        match (success, body) {
            (true, Body::Whole(body)) => Ok(Response {
                status,
                headers,
                body,
            }),
            (true, Body::TooLong) => Err(Failure {
                error: Error::decode(format!(
                    "{}: the answer is longer than {} (the client's max_response_bytes) and was not read",
                    req.what,
                    show_size(limit)
                ))
                .with_status(status)
                .with_request_id(request_id(&headers)),
                // A 2xx: the request took effect; writes re-read to learn the result.
                maybe_applied: true,
                no_answer: false,
                retryable: false,
                retry_after: None,
            }),
            (false, Body::Whole(body)) => Err(status_failure(status, &headers, &body, &req.what)),
            (false, Body::TooLong) => {
                let mut failure = status_failure(status, &headers, b"", &req.what);
                failure.error = Error::new(
                    failure.error.kind(),
                    format!(
                        "{} (error body longer than {}, not read)",
                        failure.error.message(),
                        show_size(limit)
                    ),
                )
                .with_status(status)
                .with_request_id(request_id(&headers));
                Err(failure)
            }
        }
    }

    /// Sends `req`, retrying as `mode` allows, refreshing the token once on a 401.
    pub async fn execute(
        &self,
        req: &Request,
        mode: Mode,
    ) -> std::result::Result<Response, Failure> {
        let policy = &self.config.retry;
        let mut attempt: u32 = 0;
        let mut refreshed = false;
        loop {
            attempt += 1;
            let token = match req.auth {
                Auth::Bearer => Some(self.auth.token(self).await.map_err(Failure::final_error)?),
                Auth::Basic => None,
            };
            let started = std::time::Instant::now();
            let logger = self.config.logger.as_ref();
            if let Some(observer) = &self.config.observer {
                crate::observe::notify(observer, &start_event(req, attempt), logger);
            }
            let outcome = self.attempt(req, token.as_ref()).await;
            let took = started.elapsed();
            log_attempt(logger, req, attempt, took, &outcome);
            if let Some(observer) = &self.config.observer {
                crate::observe::notify(observer, &end_event(req, attempt, took, &outcome), logger);
            }
            let failure = match outcome {
                Ok(response) => return Ok(response),
                Err(f) => f,
            };
            if failure.error.status() == Some(401) && req.auth == Auth::Bearer && !refreshed {
                // The token was refused (expired early, revoked): fetch a new one, try once more.
                log_event!(
                    self.config.logger.as_ref(),
                    INFO,
                    "the access token was refused (401): fetching a new one and trying once more",
                    operation = &req.what,
                );
                refreshed = true;
                if let Some(t) = &token {
                    self.auth.invalidate(t);
                }
                attempt -= 1;
                continue;
            }
            let allowed = match mode {
                Mode::Idempotent => failure.retryable,
                Mode::Once => false,
                Mode::NotApplied => failure.retryable && !failure.maybe_applied,
            };
            if !allowed || attempt >= policy.max_attempts {
                return Err(failure);
            }
            let Some(wait) = self.wait_before_retry(&failure, attempt) else {
                return Err(failure);
            };
            log_event!(
                self.config.logger.as_ref(),
                INFO,
                "retrying",
                operation = &req.what,
                method = req.method.as_str(),
                path = path_only(&req.url),
                attempt = attempt,
                wait_ms = wait.as_millis() as u64,
                kind = failure.error.kind().as_str(),
                status = failure.error.status(),
                request_id = failure.error.request_id(),
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// How long to wait before retry number `attempt`, or `None` when Dintero asked for a
    /// longer pause than the policy allows.
    pub fn wait_before_retry(&self, failure: &Failure, attempt: u32) -> Option<Duration> {
        let policy = &self.config.retry;
        match failure.retry_after {
            Some(after) if after > policy.max_retry_after => None,
            Some(after) => Some(after),
            None => Some(policy.backoff(attempt)),
        }
    }

    /// Fetches a new access token: `POST /v1/accounts/{aid}/auth/token`.
    pub async fn fetch_token(&self) -> Result<(Secret, Duration)> {
        #[derive(serde::Serialize)]
        struct Body<'a> {
            grant_type: &'a str,
            audience: String,
        }
        let aid = &self.config.account_id;
        let req = Request {
            auth: Auth::Basic,
            ..Request::new(
                Method::POST,
                self.api_url(&format!("/v1/accounts/{aid}/auth/token")),
                "token",
            )
        }
        .json_body(&Body {
            grant_type: "client_credentials",
            audience: format!("{}/v1/accounts/{aid}", self.config.api_base),
        })?;
        let response = Box::pin(self.execute(&req, Mode::Idempotent))
            .await
            .map_err(|f| f.error)?;
        let token: crate::models::AccessTokenResponse = response.json("the token response")?;
        if token.access_token.is_empty() {
            return Err(Error::decode(
                "the token response has an empty access_token",
            ));
        }
        // Dintero says 14400 s; anything beyond a year is nonsense, and would overflow clocks.
        let ttl = Duration::from_secs(token.expires_in.unwrap_or(3600).min(365 * 86_400));
        Ok((Secret::new(token.access_token), ttl))
    }
}

/// The path of a URL, without scheme, host, query or fragment.
fn path_only(url: &str) -> &str {
    let path = url
        .split_once("://")
        .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]))
        .unwrap_or("/");
    path.split(['?', '#']).next().unwrap_or(path)
}

fn start_event(req: &Request, attempt: u32) -> crate::observe::RequestEvent {
    crate::observe::RequestEvent {
        phase: crate::observe::RequestPhase::Start,
        operation: req.what.clone(),
        method: req.method.to_string(),
        path: path_only(&req.url).to_string(),
        attempt,
        status: None,
        duration_ms: None,
        request_id: None,
        error_kind: None,
    }
}

fn end_event(
    req: &Request,
    attempt: u32,
    took: Duration,
    outcome: &std::result::Result<Response, Failure>,
) -> crate::observe::RequestEvent {
    let (status, request_id, error_kind) = match outcome {
        Ok(r) => (Some(r.status), request_id(&r.headers), None),
        Err(f) => (
            f.error.status(),
            f.error.request_id().map(str::to_string),
            Some(f.error.kind()),
        ),
    };
    crate::observe::RequestEvent {
        phase: crate::observe::RequestPhase::End,
        duration_ms: Some(took.as_millis() as u64),
        status,
        request_id,
        error_kind,
        ..start_event(req, attempt)
    }
}

/// One debug line per attempt: method, path, status, attempt, duration, request id. Never a
/// header, a body, a query or a token: the path is the URL's path alone.
fn log_attempt(
    logger: Option<&crate::observe::Logger>,
    req: &Request,
    attempt: u32,
    took: Duration,
    outcome: &std::result::Result<Response, Failure>,
) {
    let path = path_only(&req.url);
    let ms = took.as_millis() as u64;
    match outcome {
        Ok(r) => log_event!(
            logger,
            DEBUG,
            "request",
            operation = &req.what,
            method = req.method.as_str(),
            path = path,
            status = r.status,
            attempt = attempt,
            duration_ms = ms,
            request_id = request_id(&r.headers),
        ),
        Err(f) => log_event!(
            logger,
            DEBUG,
            "request failed",
            operation = &req.what,
            method = req.method.as_str(),
            path = path,
            status = f.error.status(),
            attempt = attempt,
            duration_ms = ms,
            request_id = f.error.request_id(),
            kind = f.error.kind().as_str(),
        ),
    }
}

fn transport_failure(err: &reqwest::Error, what: &str, not_sent: bool) -> Failure {
    let (kind, verb) = if err.is_timeout() {
        (ErrorKind::Timeout, "timed out")
    } else {
        (ErrorKind::Network, "failed")
    };
    Failure {
        error: Error::new(kind, format!("{what}: request {verb}: {}", describe(err))),
        // A connect error means nothing reached Dintero. Anything later is ambiguous.
        maybe_applied: !not_sent,
        no_answer: !not_sent,
        retryable: true,
        retry_after: None,
    }
}

fn status_failure(status: u16, headers: &HeaderMap, body: &[u8], what: &str) -> Failure {
    #[derive(serde::Deserialize)]
    struct Envelope {
        error: Option<Detail>,
    }
    #[derive(serde::Deserialize)]
    struct Detail {
        code: Option<serde_json::Value>,
        message: Option<String>,
        #[serde(default)]
        errors: Vec<serde_json::Value>,
    }
    let parsed: Option<Detail> = serde_json::from_slice::<Envelope>(body)
        .ok()
        .and_then(|e| e.error);
    let code = parsed
        .as_ref()
        .and_then(|d| d.code.as_ref())
        .map(|c| match c {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        });
    let mut message = parsed
        .as_ref()
        .and_then(|d| d.message.as_deref())
        .filter(|m| !m.is_empty())
        .map(|m| clip(m, MAX_SERVER_TEXT))
        .unwrap_or_else(|| {
            let reason = http::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("error");
            format!("HTTP {status} {reason}")
        });
    if let Some(details) = parsed.as_ref().filter(|d| !d.errors.is_empty()) {
        let extra: Vec<String> = details
            .errors
            .iter()
            .take(5)
            .map(|e| clip(&e.to_string(), MAX_SERVER_TEXT / 4))
            .collect();
        message.push_str(&format!(" [{}]", extra.join("; ")));
    }
    let from_dintero = parsed.is_some();
    let error = Error::new(ErrorKind::from_status(status), format!("{what}: {message}"))
        .with_status(status)
        .with_code(code.map(|c| clip(&c, 100)))
        .with_request_id(request_id(headers));
    let retry_after = headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    match status {
        429 => Failure {
            error,
            maybe_applied: false,
            no_answer: false,
            retryable: true,
            retry_after,
        },
        // 5xx: Dintero may have done the work before failing. Never assume it did not.
        500..=599 => Failure {
            error,
            maybe_applied: true,
            // A gateway's 502/503/504 (not Dintero's error body) says nothing about Dintero.
            no_answer: matches!(status, 502..=504) && !from_dintero,
            retryable: true,
            retry_after,
        },
        _ => Failure::final_error(error),
    }
}

/// `Retry-After` as seconds or as an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when =
        time::OffsetDateTime::parse(value, &time::format_description::well_known::Rfc2822).ok()?;
    let wait = when - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_as_seconds_or_date() {
        assert_eq!(parse_retry_after("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO),
            "a past date means now"
        );
        let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(30);
        let text = soon
            .format(&time::format_description::well_known::Rfc2822)
            .unwrap();
        let got = parse_retry_after(&text).unwrap();
        assert!(
            got > Duration::from_secs(25) && got <= Duration::from_secs(30),
            "{text} -> {got:?}"
        );
        assert_eq!(parse_retry_after("soon"), None);
    }

    fn gateway_or_dintero(status: u16, body: &str) -> Failure {
        status_failure(status, &HeaderMap::new(), body.as_bytes(), "capture")
    }

    const DINTERO_503: &str =
        r#"{"error": {"code": "SERVICE_UNAVAILABLE", "message": "try again later"}}"#;

    #[test]
    fn a_gateway_error_without_dinteros_body_is_no_answer() {
        for status in [502, 503, 504] {
            for body in [
                "",
                "<html>Bad Gateway</html>",
                "{}",
                r#"{"message": "upstream timed out"}"#,
            ] {
                let f = gateway_or_dintero(status, body);
                assert!(f.no_answer, "{status} {body:?}");
                assert!(f.maybe_applied && f.retryable, "{status} {body:?}");
            }
        }
    }

    #[test]
    fn dinteros_own_error_body_is_an_answer() {
        for status in [502, 503, 504] {
            let f = gateway_or_dintero(status, DINTERO_503);
            assert!(!f.no_answer, "{status}");
            assert_eq!(f.error.code(), Some("SERVICE_UNAVAILABLE"));
        }
        for (status, body) in [
            (500, ""),
            (500, "<html>"),
            (429, ""),
            (400, ""),
            (404, DINTERO_503),
        ] {
            assert!(
                !gateway_or_dintero(status, body).no_answer,
                "{status} {body:?}"
            );
        }
    }

    #[test]
    fn server_text_in_errors_is_clipped() {
        let long = "x".repeat(50_000);
        let body = serde_json::json!({"error": {"message": long, "code": long,
            "errors": [{"path": "a", "message": long}]}})
        .to_string();
        let f = gateway_or_dintero(400, &body);
        let msg = f.error.message();
        assert!(msg.len() < 2 * MAX_SERVER_TEXT, "{} bytes", msg.len());
        assert!(msg.contains("[truncated, 50000 bytes in all]"), "{msg}");
        assert!(f.error.code().unwrap().len() < 200);
    }

    #[test]
    fn clip_keeps_short_text_and_cuts_on_a_character_boundary() {
        assert_eq!(clip("short", 10), "short");
        let cut = clip("ééééé", 3);
        assert!(cut.starts_with('é') && !cut.starts_with("éé"), "{cut}");
        assert!(cut.ends_with("[truncated, 10 bytes in all]"), "{cut}");
    }

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(
            url_path(&["v1", "transactions", "T12345678.abc-_~", "capture"]),
            "/v1/transactions/T12345678.abc-_~/capture"
        );
        assert_eq!(
            url_path(&["v1", "sessions", "a/b?c#d%e f\\é"]),
            "/v1/sessions/a%2Fb%3Fc%23d%25e%20f%5C%C3%A9"
        );
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(show_size(16 * 1024 * 1024), "16 MiB");
        assert_eq!(show_size(64 * 1024), "64 KiB");
        assert_eq!(show_size(1000), "1000 bytes");
    }

    fn transport_for(base: &str) -> Transport {
        let config = crate::Client::builder()
            .account_id("T12345678")
            .client_id("id")
            .client_secret("secret")
            .base_url(base)
            .timeout(Duration::from_millis(300))
            .into_config()
            .unwrap();
        Transport::new(config).unwrap()
    }

    /// A raw server that reads each request's head, writes `answer` (maybe nothing, maybe a
    /// status line and part of a body), then closes the connection or keeps it open.
    async fn raw_server(answer: &'static [u8], keep_open: bool) -> String {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move {
            let mut kept = Vec::new();
            while let Ok((mut socket, _)) = listener.accept().await {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                let _ = socket.write_all(answer).await;
                if keep_open {
                    kept.push(socket);
                }
            }
        });
        base
    }

    /// One attempt of a POST to `base`, which must fail.
    async fn failure_from(base: &str) -> Failure {
        let req = Request {
            auth: Auth::Basic,
            ..Request::new(Method::POST, format!("{base}/x"), "capture")
        };
        transport_for(base).attempt(&req, None).await.err().unwrap()
    }

    #[tokio::test]
    async fn a_cut_connection_or_a_timeout_is_no_answer_a_refused_connect_is_not() {
        // Cut: the server reads the request and closes without a word.
        let f = failure_from(&raw_server(b"", false).await).await;
        assert!(f.no_answer && f.maybe_applied, "{:?}", f.error);

        // Timeout: the server keeps the connection open and never answers.
        let f = failure_from(&raw_server(b"", true).await).await;
        assert_eq!(f.error.kind(), ErrorKind::Timeout, "{:?}", f.error);
        assert!(f.no_answer && f.maybe_applied);

        // Refused: nothing listens there, so nothing was sent.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let f = failure_from(&base).await;
        assert!(!f.no_answer && !f.maybe_applied, "{:?}", f.error);
    }

    #[tokio::test]
    async fn a_body_cut_after_the_status_is_an_answer_unless_from_a_gateway() {
        let f = failure_from(
            &raw_server(
                b"HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{\"id\"",
                false,
            )
            .await,
        )
        .await;
        assert_eq!(f.error.status(), Some(200), "{:?}", f.error);
        assert!(!f.no_answer && f.maybe_applied, "{:?}", f.error);

        let f = failure_from(
            &raw_server(
                b"HTTP/1.1 504 Gateway Timeout\r\ncontent-length: 100\r\n\r\n<h",
                false,
            )
            .await,
        )
        .await;
        assert!(f.no_answer && f.maybe_applied, "{:?}", f.error);

        let f = failure_from(
            &raw_server(
                b"HTTP/1.1 400 Bad Request\r\ncontent-length: 100\r\n\r\n{",
                false,
            )
            .await,
        )
        .await;
        assert!(!f.no_answer && !f.maybe_applied, "{:?}", f.error);
    }
}
