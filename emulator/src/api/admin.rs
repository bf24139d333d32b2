//! `GET` / `POST /v1/admin/signature`: the callback signature secret.

use super::Ctx;
use crate::error::{json_response, ApiError};
use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub(crate) async fn get_signature(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let ctx = Ctx::new(req);
    if let Err(e) = st.authenticate(&ctx.headers) {
        return e.into_response();
    }
    match st.signature() {
        Some(sig) => json_response(StatusCode::OK, &sig),
        None => ApiError::not_found("no signature secret has been created for this account")
            .into_response(),
    }
}

pub(crate) async fn rotate_signature(State(st): State<Arc<AppState>>, req: Request) -> Response {
    let mut ctx = Ctx::new(req);
    if let Err(e) = st.authenticate(&ctx.headers) {
        return e.into_response();
    }
    // The endpoint takes no body; read (size-limited) and ignore whatever is sent.
    if let Err(e) = ctx.bytes().await {
        return e.into_response();
    }
    json_response(StatusCode::OK, &st.rotate_signature())
}
