//! The emulator, in-process: a local Dintero on a free port for a merchant's own tests.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dintero_emulator::{ControlError, Emulator, EmulatorConfig, FaultSpec};
use napi::bindgen_prelude::*;
use napi_derive::napi;
use serde_json::Value;

use crate::convert::{
    check_keys, millis, opt_bool, opt_num, opt_str, opt_uint, parse_object, to_json, type_name,
};
use crate::error::{emulator_error, invalid};

const OPTION_KEYS: &[&str] = &[
    "host",
    "port",
    "accountId",
    "clientId",
    "clientSecret",
    "signatureSecret",
    "tokenTtlSeconds",
    "callbackTimeoutMs",
    "callbackRetryBaseMs",
    "callbackMaxRetries",
    "cardTimeoutMs",
    "acceptedDelayMs",
    "logRequests",
];

fn control(e: ControlError) -> napi::Error {
    match e {
        ControlError::NotFound(m) => emulator_error("not_found", m),
        ControlError::Rejected(m) => emulator_error("rejected", m),
        ControlError::InvalidFault(m) => emulator_error("invalid_fault", m),
    }
}

fn config_from(options: &str) -> Result<EmulatorConfig> {
    let Value::Object(map) = parse_object("options", options)? else {
        return Err(invalid("options: must be an object"));
    };
    check_keys(&map, "options", OPTION_KEYS)?;
    let p = "options.";
    let mut cfg = EmulatorConfig::for_tests();
    let host = opt_str(&map, p, "host")?.unwrap_or_else(|| "127.0.0.1".into());
    let port = opt_uint(&map, p, "port", u16::MAX as u64)?.unwrap_or(0);
    let ip: std::net::IpAddr = host
        .parse()
        .map_err(|_| invalid(format!("options.host: {host:?} is not an IP address")))?;
    cfg.listen = std::net::SocketAddr::new(ip, port as u16);
    if let Some(v) = opt_str(&map, p, "accountId")? {
        cfg.account_id = v;
    }
    if let Some(v) = opt_str(&map, p, "clientId")? {
        cfg.client_id = v;
    }
    if let Some(v) = opt_str(&map, p, "clientSecret")? {
        cfg.client_secret = v;
    }
    match map.get("signatureSecret") {
        None => {}
        Some(Value::Null) => cfg.signature_secret = None,
        Some(Value::String(s)) => cfg.signature_secret = Some(s.clone()),
        Some(other) => {
            return Err(invalid(format!(
                "options.signatureSecret: must be a string or null (got {})",
                type_name(other)
            )))
        }
    }
    if let Some(v) = opt_uint(&map, p, "tokenTtlSeconds", u32::MAX as u64)? {
        cfg.token_ttl = Duration::from_secs(v);
    }
    if let Some(ms) = opt_num(&map, p, "callbackTimeoutMs")? {
        cfg.callback_timeout = millis("options.callbackTimeoutMs", ms)?;
    }
    if let Some(ms) = opt_num(&map, p, "callbackRetryBaseMs")? {
        cfg.callback_retry_base = millis("options.callbackRetryBaseMs", ms)?;
    }
    if let Some(n) = opt_uint(&map, p, "callbackMaxRetries", 1000)? {
        cfg.callback_max_retries = n as u32;
    }
    if let Some(ms) = opt_num(&map, p, "cardTimeoutMs")? {
        cfg.card_timeout = millis("options.cardTimeoutMs", ms)?;
    }
    if let Some(ms) = opt_num(&map, p, "acceptedDelayMs")? {
        cfg.accepted_delay = millis("options.acceptedDelayMs", ms)?;
    }
    if let Some(b) = opt_bool(&map, p, "logRequests")? {
        cfg.log_requests = b;
    }
    Ok(cfg)
}

/// Starts an emulator on the addon's runtime (options as JSON; defaults: a free loopback port,
/// the test credentials, test-speed timings).
#[napi]
pub async fn start_emulator(options: String) -> Result<NativeEmulator> {
    let config = config_from(&options)?;
    let emu = Emulator::start(config)
        .await
        .map_err(|e| emulator_error("io", format!("cannot start the emulator: {e}")))?;
    let cfg = emu.config().clone();
    Ok(NativeEmulator {
        base_url: emu.base_url(),
        account_id: cfg.account_id,
        client_id: cfg.client_id,
        client_secret: cfg.client_secret,
        signature_secret: cfg.signature_secret,
        emu: Mutex::new(Some(Arc::new(emu))),
    })
}

/// A running in-process emulator.
#[napi]
pub struct NativeEmulator {
    base_url: String,
    account_id: String,
    client_id: String,
    client_secret: String,
    signature_secret: Option<String>,
    emu: Mutex<Option<Arc<Emulator>>>,
}

impl NativeEmulator {
    fn running(&self) -> Result<Arc<Emulator>> {
        self.emu
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| emulator_error("shut_down", "the emulator was shut down"))
    }
}

#[napi]
impl NativeEmulator {
    /// `http://127.0.0.1:PORT`.
    #[napi(getter, catch_unwind)]
    pub fn base_url(&self) -> String {
        self.base_url.clone()
    }

    /// The account id it accepts.
    #[napi(getter, catch_unwind)]
    pub fn account_id(&self) -> String {
        self.account_id.clone()
    }

    /// The client id it accepts.
    #[napi(getter, catch_unwind)]
    pub fn client_id(&self) -> String {
        self.client_id.clone()
    }

    /// The client secret it accepts (a test credential).
    #[napi(getter, catch_unwind)]
    pub fn client_secret(&self) -> String {
        self.client_secret.clone()
    }

    /// The secret callbacks are signed with, if any.
    #[napi(getter, catch_unwind)]
    pub fn signature_secret(&self) -> Option<String> {
        self.signature_secret.clone()
    }

    /// Pays a session with a test card; resolves to `{"transaction_id"?, "redirect_url"}`.
    #[napi]
    pub async fn pay(&self, session_id: String, card_number: String) -> Result<String> {
        let emu = self.running()?;
        to_json(&emu.pay(&session_id, &card_number).await.map_err(control)?)
    }

    /// Presses Cancel on the session's checkout page.
    #[napi]
    pub async fn cancel_payment(&self, session_id: String) -> Result<String> {
        let emu = self.running()?;
        to_json(&emu.cancel_payment(&session_id).await.map_err(control)?)
    }

    /// Every callback delivery so far, as a JSON array.
    #[napi(catch_unwind)]
    pub fn callbacks(&self) -> Result<String> {
        to_json(&self.running()?.callbacks())
    }

    /// Arms a fault (`{"route", "fault", "times"?, "retry_after"?, "ms"?}` as JSON).
    #[napi(catch_unwind)]
    pub fn inject_fault(&self, spec: String) -> Result<()> {
        let spec: FaultSpec = serde_json::from_str(&spec)
            .map_err(|e| emulator_error("invalid_fault", format!("fault: {e}")))?;
        self.running()?.inject_fault(spec).map_err(control)
    }

    /// Requests seen on a route (`token`, `capture`, `get_transaction`, ...).
    #[napi(catch_unwind)]
    pub fn request_count(&self, route: String) -> Result<i64> {
        Ok(self.running()?.request_count(&route) as i64)
    }

    /// Moves the emulator's clock forward.
    #[napi(catch_unwind)]
    pub fn advance_clock(&self, seconds: i64) -> Result<()> {
        self.running()?.advance_clock(seconds);
        Ok(())
    }

    /// Forgets every session, transaction, token, callback, fault and counter.
    #[napi(catch_unwind)]
    pub fn reset(&self) -> Result<()> {
        self.running()?.reset();
        Ok(())
    }

    /// Stops the server (idempotent).
    #[napi]
    pub async fn shutdown(&self) -> Result<()> {
        let taken = self
            .emu
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(emu) = taken {
            // Calls still running hold a clone; the last one to finish stops the server.
            if let Ok(emu) = Arc::try_unwrap(emu) {
                emu.shutdown().await;
            }
        }
        Ok(())
    }
}
