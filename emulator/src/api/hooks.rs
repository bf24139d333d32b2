//! `POST` / `GET /v1/accounts/{aid}/hooks/subscriptions` and
//! `DELETE /v1/accounts/{aid}/hooks/subscriptions/{id}`: webhook subscriptions (Bearer auth).
//! Answers never carry the subscription's secret.

use super::Ctx;
use crate::error::{json_response, ApiError, ApiResult};
use crate::hooks::{self, Subscription};
use crate::state::AppState;
use crate::util::{fmt_time, uuid};
use axum::extract::{Path, Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};
use std::sync::Arc;

fn respond(r: ApiResult) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

fn check_account(st: &AppState, aid: &str) -> Result<(), ApiError> {
    if aid == st.config.account_id {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "FORBIDDEN",
            format!("the client has no access to account {aid:?}"),
        ))
    }
}

pub(crate) async fn create(
    State(st): State<Arc<AppState>>,
    Path(aid): Path<String>,
    req: Request,
) -> Response {
    respond(create_inner(st, aid, Ctx::new(req)).await)
}

async fn create_inner(st: Arc<AppState>, aid: String, mut ctx: Ctx) -> ApiResult {
    st.authenticate(&ctx.headers)?;
    check_account(&st, &aid)?;
    let mut body = ctx.json_object().await?;
    let mut problems: Vec<(String, String)> = Vec::new();
    let config = match body.remove("config") {
        Some(Value::Object(c)) => c,
        Some(_) => {
            problems.push(("config".into(), "must be an object".into()));
            Map::new()
        }
        None => {
            problems.push(("config".into(), "is required".into()));
            Map::new()
        }
    };
    let url = match config.get("url") {
        Some(Value::String(u)) => match url::Url::parse(u) {
            Ok(p) if p.scheme() == "https" || p.scheme() == "http" => {
                if st.config.strict_urls && p.scheme() != "https" {
                    problems.push(("config.url".into(), "must be an https:// URL".into()));
                }
                u.clone()
            }
            _ => {
                problems.push(("config.url".into(), "must be an http(s) URL".into()));
                String::new()
            }
        },
        _ => {
            problems.push(("config.url".into(), "is required (a string)".into()));
            String::new()
        }
    };
    let content_type = match config.get("content_type") {
        None | Some(Value::Null) => "application/json".to_string(),
        Some(Value::String(c)) if c == "application/json" => c.clone(),
        Some(_) => {
            problems.push((
                "config.content_type".into(),
                "must be \"application/json\"".into(),
            ));
            String::new()
        }
    };
    let secret = match config.get("secret") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        Some(_) => {
            problems.push(("config.secret".into(), "must be a non-empty string".into()));
            None
        }
    };
    let events: Vec<String> = match body.remove("events") {
        Some(Value::Array(list)) if !list.is_empty() => {
            let names: Vec<String> = list
                .iter()
                .filter_map(|e| e.as_str().filter(|s| !s.is_empty()).map(str::to_string))
                .collect();
            if names.len() != list.len() {
                problems.push(("events".into(), "must be non-empty strings".into()));
            }
            names
        }
        _ => {
            problems.push((
                "events".into(),
                "is required: a non-empty array of event names, e.g. [\"checkout_transaction\"]"
                    .into(),
            ));
            Vec::new()
        }
    };
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let sub = Subscription {
        id: uuid(),
        events,
        url,
        content_type,
        secret,
        created_at: fmt_time(st.now()),
        extra: body,
    };
    st.hooks.add(sub.clone());
    hooks::ping(&st, &sub);
    Ok(json_response(StatusCode::OK, &sub.render()))
}

pub(crate) async fn list(
    State(st): State<Arc<AppState>>,
    Path(aid): Path<String>,
    req: Request,
) -> Response {
    let ctx = Ctx::new(req);
    respond((|| {
        st.authenticate(&ctx.headers)?;
        check_account(&st, &aid)?;
        let list: Vec<Value> = st.hooks.list().iter().map(Subscription::render).collect();
        Ok(json_response(StatusCode::OK, &Value::Array(list)))
    })())
}

pub(crate) async fn delete(
    State(st): State<Arc<AppState>>,
    Path((aid, id)): Path<(String, String)>,
    req: Request,
) -> Response {
    let ctx = Ctx::new(req);
    respond((|| {
        st.authenticate(&ctx.headers)?;
        check_account(&st, &aid)?;
        if st.hooks.remove(&id) {
            Ok(StatusCode::NO_CONTENT.into_response())
        } else {
            Err(ApiError::not_found(format!(
                "hook subscription {id:?} not found"
            )))
        }
    })())
}
