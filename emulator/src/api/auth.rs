//! `POST /v1/accounts/{aid}/auth/token`: client credentials to a bearer token.

use super::Ctx;
use crate::error::{json_response, ApiError, ApiResult};
use crate::state::AppState;
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use serde_json::{json, Map, Value};
use std::sync::Arc;

pub(crate) async fn token(
    State(st): State<Arc<AppState>>,
    Path(aid): Path<String>,
    req: Request,
) -> Response {
    token_inner(st, aid, Ctx::new(req))
        .await
        .unwrap_or_else(IntoResponse::into_response)
}

fn check_basic(st: &AppState, ctx: &Ctx) -> Result<(), ApiError> {
    let value = ctx
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            ApiError::unauthorized("missing Authorization header (Basic client_id:client_secret)")
        })?;
    let encoded = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
        .ok_or_else(|| ApiError::unauthorized("Authorization header must use the Basic scheme"))?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| ApiError::unauthorized("Basic credentials are not valid base64"))?;
    let (id, secret) = decoded.split_once(':').ok_or_else(|| {
        ApiError::unauthorized("Basic credentials must be client_id:client_secret")
    })?;
    let id_ok = subtle_eq(id.as_bytes(), st.config.client_id.as_bytes());
    let secret_ok = subtle_eq(secret.as_bytes(), st.config.client_secret.as_bytes());
    if !(id_ok & secret_ok) {
        return Err(ApiError::unauthorized("invalid client credentials"));
    }
    Ok(())
}

/// Constant-time-ish comparison (length leaks, content does not).
fn subtle_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn token_inner(st: Arc<AppState>, aid: String, mut ctx: Ctx) -> ApiResult {
    check_basic(&st, &ctx)?;
    if aid != st.config.account_id {
        return Err(ApiError::unauthorized(format!(
            "the client has no access to account {aid:?}"
        )));
    }
    let content_type = ctx
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let body: Map<String, Value> = if content_type.starts_with("application/x-www-form-urlencoded")
    {
        let bytes = ctx.bytes().await?;
        form_urlencoded::parse(&bytes)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect()
    } else {
        ctx.json_object().await?
    };
    let mut problems = crate::validate::Problems::default();
    match body.get("grant_type") {
        None => problems.add("grant_type", "is required"),
        Some(Value::String(g)) if g == "client_credentials" => {}
        Some(Value::String(g)) => problems.add(
            "grant_type",
            format!("unsupported grant type {g:?}; only \"client_credentials\" is supported"),
        ),
        Some(_) => problems.add("grant_type", "must be a string"),
    }
    match body.get("audience") {
        None => problems.add("audience", "is required"),
        Some(Value::String(a)) => {
            if !audience_ok(a, &aid) {
                problems.add(
                    "audience",
                    format!("must be <base URL>/v1/accounts/{aid}, got {a:?}"),
                );
            }
        }
        Some(_) => problems.add("audience", "must be a string"),
    }
    problems.into_result()?;
    let (token, ttl) = st.issue_token();
    Ok(json_response(
        StatusCode::OK,
        &json!({"access_token": token, "token_type": "Bearer", "expires_in": ttl}),
    ))
}

/// `https://api.dintero.com/v1/accounts/T12345678` (any scheme and host; trailing `/` ok).
fn audience_ok(audience: &str, aid: &str) -> bool {
    let Ok(u) = url::Url::parse(audience) else {
        return false;
    };
    if !(u.scheme() == "http" || u.scheme() == "https") || !u.has_host() {
        return false;
    }
    let path = u.path().trim_end_matches('/');
    path.strip_suffix(aid)
        .map(|rest| rest.ends_with("/v1/accounts/"))
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    #[test]
    fn audience() {
        assert!(super::audience_ok(
            "https://api.dintero.com/v1/accounts/T12345678",
            "T12345678"
        ));
        assert!(super::audience_ok(
            "http://127.0.0.1:9/v1/accounts/T12345678/",
            "T12345678"
        ));
        assert!(!super::audience_ok(
            "https://api.dintero.com/v1/accounts/T87654321",
            "T12345678"
        ));
        assert!(!super::audience_ok("T12345678", "T12345678"));
    }
}
