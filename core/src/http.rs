//! Transport: one `reqwest` client, default headers, per-attempt timeouts, retries with
//! jittered exponential backoff, `Retry-After`, and the 401 → refresh-once rule.

use std::time::Duration;

use http::{HeaderMap, HeaderValue, Method};
use serde::de::DeserializeOwned;

use crate::auth::TokenCache;
use crate::config::Config;
use crate::error::{from_json_slice, Error, ErrorKind, Result};
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

    pub fn json<T: DeserializeOwned>(&self, what: &str) -> Result<T> {
        from_json_slice(&self.body, what).map_err(|e| {
            e.with_status(self.status)
                .with_request_id(self.request_id())
        })
    }
}

/// A failed attempt, with what the retry logic needs to know about it.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: Error,
    /// The request may have reached Dintero and taken effect.
    pub maybe_applied: bool,
    /// Trying again may help.
    pub retryable: bool,
    pub retry_after: Option<Duration>,
}

impl Failure {
    fn final_error(error: Error) -> Self {
        Failure {
            error,
            maybe_applied: false,
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
        .map(str::to_string)
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
        if let Some(body) = &req.body {
            builder = builder
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(body.clone());
        }
        let response = match builder.send().await {
            Ok(r) => r,
            Err(e) => return Err(transport_failure(&e, &req.what, e.is_connect())),
        };
        let status = response.status().as_u16();
        let mut response = response;
        let headers = std::mem::take(response.headers_mut());
        let body = match response.bytes().await {
            Ok(b) => b,
            Err(e) => return Err(transport_failure(&e, &req.what, false)),
        };
        if (200..300).contains(&status) {
            return Ok(Response {
                status,
                headers,
                body,
            });
        }
        Err(status_failure(status, &headers, &body, &req.what))
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
                Auth::Bearer => Some(self.auth.token(self).await.map_err(|error| Failure {
                    retryable: false,
                    maybe_applied: false,
                    retry_after: None,
                    error,
                })?),
                Auth::Basic => None,
            };
            let failure = match self.attempt(req, token.as_ref()).await {
                Ok(response) => return Ok(response),
                Err(f) => f,
            };
            if failure.error.status() == Some(401) && req.auth == Auth::Bearer && !refreshed {
                // The token was refused (expired early, revoked): fetch a new one, try once more.
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
            tracing::debug!(what = %req.what, attempt, ?wait, error = %failure.error, "retrying");
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
        .and_then(|d| d.message.clone())
        .filter(|m| !m.is_empty())
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
            .map(|e| e.to_string())
            .collect();
        message.push_str(&format!(" [{}]", extra.join("; ")));
    }
    let error = Error::new(ErrorKind::from_status(status), format!("{what}: {message}"))
        .with_status(status)
        .with_code(code)
        .with_request_id(request_id(headers));
    let retry_after = headers
        .get(http::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(parse_retry_after);
    match status {
        429 => Failure {
            error,
            maybe_applied: false,
            retryable: true,
            retry_after,
        },
        // 5xx: Dintero may have done the work before failing. Never assume it did not.
        500..=599 => Failure {
            error,
            maybe_applied: true,
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
}
