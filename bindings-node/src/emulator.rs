//! The emulator, in-process: a local Dintero on a free port for a merchant's own tests.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use dintero_checkout::Error as CoreError;
use dintero_emulator::{CallbackDelivery, Emulator, EmulatorConfig, FaultSpec, PayOutcome};
use napi_derive::napi;
use serde::{Deserialize, Deserializer};

use crate::convert::{millis, optional, Js, Model};
use crate::error::{Failure, Out};

/// How to start an emulator. What is left out takes the emulator's test settings: a free port
/// on 127.0.0.1, the test credentials, test-speed timings.
#[napi(object)]
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EmulatorOptions {
    /// IP address to listen on.
    pub host: Option<String>,
    /// Port; 0 picks a free one.
    pub port: Option<u16>,
    /// The account id it accepts.
    pub account_id: Option<String>,
    /// The client id it accepts.
    pub client_id: Option<String>,
    /// The client secret it accepts.
    pub client_secret: Option<String>,
    /// Callback signature secret; `null` for unsigned callbacks.
    #[serde(default, deserialize_with = "present")]
    pub signature_secret: Option<Option<String>>,
    /// Access token lifetime.
    pub token_ttl_seconds: Option<u32>,
    /// Per-attempt timeout of callback deliveries.
    pub callback_timeout_ms: Option<f64>,
    /// Wait before the first callback retry; doubles per retry.
    pub callback_retry_base_ms: Option<f64>,
    /// Retries after a failed callback attempt.
    pub callback_max_retries: Option<u32>,
    /// How long the timeout test cards make their operation wait.
    pub card_timeout_ms: Option<f64>,
    /// Delay before an `accepted_202` operation completes.
    pub accepted_delay_ms: Option<f64>,
    /// Print one line per request.
    pub log_requests: Option<bool>,
}

/// A field given as `null` is `Some(None)`, not left out.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

fn config(o: EmulatorOptions) -> Result<EmulatorConfig, CoreError> {
    let mut cfg = EmulatorConfig::for_tests();
    let host = o.host.unwrap_or_else(|| "127.0.0.1".into());
    let ip: IpAddr = host.parse().map_err(|_| {
        CoreError::invalid_input(format!("options.host: {host:?} is not an IP address"))
    })?;
    cfg.listen = SocketAddr::new(ip, o.port.unwrap_or(0));
    cfg.account_id = o.account_id.unwrap_or(cfg.account_id);
    cfg.client_id = o.client_id.unwrap_or(cfg.client_id);
    cfg.client_secret = o.client_secret.unwrap_or(cfg.client_secret);
    cfg.signature_secret = o.signature_secret.unwrap_or(cfg.signature_secret);
    if let Some(s) = o.token_ttl_seconds {
        cfg.token_ttl = Duration::from_secs(s.into());
    }
    for (name, ms, field) in [
        (
            "callbackTimeoutMs",
            o.callback_timeout_ms,
            &mut cfg.callback_timeout,
        ),
        (
            "callbackRetryBaseMs",
            o.callback_retry_base_ms,
            &mut cfg.callback_retry_base,
        ),
        ("cardTimeoutMs", o.card_timeout_ms, &mut cfg.card_timeout),
        (
            "acceptedDelayMs",
            o.accepted_delay_ms,
            &mut cfg.accepted_delay,
        ),
    ] {
        if let Some(d) = millis(&format!("options.{name}"), ms)? {
            *field = d;
        }
    }
    cfg.callback_max_retries = o.callback_max_retries.unwrap_or(cfg.callback_max_retries);
    cfg.log_requests = o.log_requests.unwrap_or(cfg.log_requests);
    Ok(cfg)
}

/// What the emulator offers a test: its test cards, fault kinds and fault routes (the
/// emulator's own catalog, the one copy every language reads).
#[napi(catch_unwind, ts_return_type = "unknown")]
pub fn emulator_catalog() -> Model<serde_json::Value> {
    Model(dintero_emulator::catalog())
}

/// Starts an emulator on the addon's runtime.
#[napi(
    ts_args_type = "options?: EmulatorOptions",
    ts_return_type = "Promise<NativeEmulator>"
)]
pub async fn start_emulator(options: Option<Js>) -> Out<NativeEmulator> {
    let cfg = match optional::<EmulatorOptions>(options, "options").and_then(config) {
        Ok(cfg) => cfg,
        Err(e) => return Out::from(Err::<NativeEmulator, _>(e)),
    };
    let started = Emulator::start(cfg).await.map(|emu| NativeEmulator {
        base_url: emu.base_url(),
        config: emu.config().clone(),
        emu: Mutex::new(Some(Arc::new(emu))),
    });
    Out::from(
        started.map_err(|e| Failure::Emulator("io", format!("cannot start the emulator: {e}"))),
    )
}

/// A running in-process emulator.
#[napi]
pub struct NativeEmulator {
    base_url: String,
    config: EmulatorConfig,
    emu: Mutex<Option<Arc<Emulator>>>,
}

impl NativeEmulator {
    fn running(&self) -> Result<Arc<Emulator>, Failure> {
        let emu = self
            .emu
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        emu.ok_or_else(|| Failure::Emulator("shut_down", "the emulator was shut down".into()))
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
        self.config.account_id.clone()
    }

    /// The client id it accepts.
    #[napi(getter, catch_unwind)]
    pub fn client_id(&self) -> String {
        self.config.client_id.clone()
    }

    /// The client secret it accepts (a test credential).
    #[napi(getter, catch_unwind)]
    pub fn client_secret(&self) -> String {
        self.config.client_secret.clone()
    }

    /// The secret callbacks are signed with, if any.
    #[napi(getter, catch_unwind)]
    pub fn signature_secret(&self) -> Option<String> {
        self.config.signature_secret.clone()
    }

    /// Pays a session with a test card (its number).
    #[napi(
        ts_args_type = "sessionId: string, cardNumber: string",
        ts_return_type = "Promise<{ transaction_id?: string; redirect_url: string }>"
    )]
    pub async fn pay(&self, session_id: Js, card_number: Js) -> Out<Model<PayOutcome>> {
        let run = async {
            let emu = self.running()?;
            let (id, card) = (
                session_id.string("session_id")?,
                card_number.string("card_number")?,
            );
            Ok::<_, Failure>(emu.pay(&id, &card).await?)
        };
        Out::from(run.await.map(Model))
    }

    /// Presses Cancel on the session's checkout page.
    #[napi(
        ts_args_type = "sessionId: string",
        ts_return_type = "Promise<{ transaction_id?: string; redirect_url: string }>"
    )]
    pub async fn cancel_payment(&self, session_id: Js) -> Out<Model<PayOutcome>> {
        let run = async {
            let emu = self.running()?;
            Ok::<_, Failure>(
                emu.cancel_payment(&session_id.string("session_id")?)
                    .await?,
            )
        };
        Out::from(run.await.map(Model))
    }

    /// Every callback delivery so far.
    #[napi(catch_unwind, ts_return_type = "unknown[]")]
    pub fn callbacks(&self) -> Out<Model<Vec<CallbackDelivery>>> {
        Out::from(self.running().map(|emu| Model(emu.callbacks())))
    }

    /// Arms a fault (the emulator's `FaultSpec`, with its field names).
    #[napi(catch_unwind, ts_args_type = "spec: object", ts_return_type = "void")]
    pub fn inject_fault(&self, spec: Js) -> Out<()> {
        let run = || -> Result<(), Failure> {
            let spec: FaultSpec = spec.decode("fault")?;
            Ok(self.running()?.inject_fault(spec)?)
        };
        Out::from(run())
    }

    /// Requests seen on a route (`token`, `capture`, `get_transaction`, ...).
    #[napi(
        catch_unwind,
        ts_args_type = "route: string",
        ts_return_type = "number"
    )]
    pub fn request_count(&self, route: Js) -> Out<f64> {
        let run = || -> Result<f64, Failure> {
            Ok(self.running()?.request_count(&route.string("route")?) as f64)
        };
        Out::from(run())
    }

    /// Moves the emulator's clock forward.
    #[napi(
        catch_unwind,
        ts_args_type = "seconds: number",
        ts_return_type = "void"
    )]
    pub fn advance_clock(&self, seconds: Js) -> Out<()> {
        let run = || -> Result<(), Failure> {
            let seconds: i64 = seconds.decode("seconds")?;
            self.running()?.advance_clock(seconds);
            Ok(())
        };
        Out::from(run())
    }

    /// Forgets every session, transaction, token, callback, fault and counter.
    #[napi(catch_unwind, ts_return_type = "void")]
    pub fn reset(&self) -> Out<()> {
        Out::from(self.running().map(|emu| emu.reset()))
    }

    /// Stops the server (idempotent).
    #[napi]
    pub async fn shutdown(&self) {
        let taken = self
            .emu
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        // Calls still running hold a clone; the last one to finish stops the server.
        if let Some(Ok(emu)) = taken.map(Arc::try_unwrap) {
            emu.shutdown().await;
        }
    }
}
