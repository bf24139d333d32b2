//! `dintero-emulator`: run the local Dintero from the command line.

use dintero_emulator::{Emulator, EmulatorConfig};
use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

const DEFAULT_LISTEN: &str = "127.0.0.1:8400";

const HELP: &str = "dintero-emulator: a local Dintero Checkout

USAGE:
    dintero-emulator [OPTIONS]

OPTIONS:
    --listen ADDR              address to listen on (default 127.0.0.1:8400; port 0 picks a free one)
    --account AID              account id (default T12345678)
    --client-id ID             client id for the token endpoint (default emulator-client-id)
    --client-secret S          client secret (default emulator-client-secret)
    --signature-secret S       callback signature secret (default emulator-signature-secret;
                               pass an empty string for none)
    --token-ttl SECS           access token lifetime (default 14400)
    --callback-retry-ms MS     first callback retry delay, doubling (default 1000); webhook
                               retries wait twice that, doubling, on the emulator clock
    --card-timeout-ms MS       how long timeout test cards wait (default 30000)
    --strict-urls              refuse callback and return URLs that are not https://
    --quiet                    do not log requests
    -h, --help                 print this help

On start it prints base_url=, account_id=, client_id=, client_secret=, signature_secret= and
dashboard= lines (open the dashboard URL in a browser), then one line per request (method,
path, status, milliseconds).";

fn parse_args(args: &[String]) -> Result<Option<EmulatorConfig>, String> {
    let mut cfg = EmulatorConfig {
        log_requests: true,
        ..Default::default()
    };
    cfg.listen = DEFAULT_LISTEN
        .parse()
        .map_err(|e| format!("bad default listen address: {e}"))?;
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        if flag == "--strict-urls" {
            cfg.strict_urls = true;
            i += 1;
            continue;
        }
        if flag == "--quiet" {
            cfg.log_requests = false;
            i += 1;
            continue;
        }
        let (name, value) = match flag.split_once('=') {
            Some((n, v)) => (n, v.to_string()),
            None => {
                let v = args
                    .get(i + 1)
                    .ok_or_else(|| format!("{flag} needs a value"))?
                    .clone();
                i += 1;
                (flag, v)
            }
        };
        i += 1;
        let num = |v: &str| -> Result<u64, String> {
            v.parse::<u64>()
                .map_err(|_| format!("{name}: expected a non-negative integer, got {v:?}"))
        };
        match name {
            "--listen" => {
                cfg.listen = value
                    .parse::<SocketAddr>()
                    .map_err(|e| format!("--listen: {e} ({value:?})"))?
            }
            "--account" => {
                let ok = value.len() == 9
                    && (value.starts_with('T') || value.starts_with('P'))
                    && value[1..].bytes().all(|b| b.is_ascii_digit());
                if !ok {
                    return Err(format!(
                        "--account: expected T or P followed by 8 digits, got {value:?}"
                    ));
                }
                cfg.account_id = value
            }
            "--client-id" => cfg.client_id = value,
            "--client-secret" => cfg.client_secret = value,
            "--signature-secret" => {
                cfg.signature_secret = if value.is_empty() { None } else { Some(value) }
            }
            "--token-ttl" => cfg.token_ttl = Duration::from_secs(num(&value)?),
            "--callback-retry-ms" => cfg.callback_retry_base = Duration::from_millis(num(&value)?),
            "--card-timeout-ms" => cfg.card_timeout = Duration::from_millis(num(&value)?),
            other => return Err(format!("unknown option {other} (see --help)")),
        }
    }
    Ok(Some(cfg))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let cfg = match parse_args(&args) {
        Ok(Some(cfg)) => cfg,
        Ok(None) => {
            println!("{HELP}");
            return;
        }
        Err(e) => {
            eprintln!("dintero-emulator: {e}");
            std::process::exit(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("dintero-emulator: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    let code = rt.block_on(async move {
        let emu = match Emulator::start(cfg).await {
            Ok(e) => e,
            Err(e) => {
                eprintln!("dintero-emulator: cannot listen: {e}");
                return 1;
            }
        };
        {
            let c = emu.config();
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "base_url={}", emu.base_url());
            let _ = writeln!(out, "account_id={}", c.account_id);
            let _ = writeln!(out, "client_id={}", c.client_id);
            let _ = writeln!(out, "client_secret={}", c.client_secret);
            // A test secret, printed so callback receivers under test can be configured.
            if let Some(s) = &c.signature_secret {
                let _ = writeln!(out, "signature_secret={s}");
            }
            let _ = writeln!(out, "dashboard={}/_emulator/ui", emu.base_url());
            let _ = out.flush();
        }
        wait_for_signal().await;
        emu.shutdown().await;
        0
    });
    std::process::exit(code);
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses() {
        let c = parse_args(&args(&[
            "--listen",
            "127.0.0.1:0",
            "--account=P00000001",
            "--token-ttl",
            "60",
            "--signature-secret",
            "",
            "--strict-urls",
        ]))
        .unwrap()
        .unwrap();
        assert!(c.strict_urls);
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.account_id, "P00000001");
        assert_eq!(c.token_ttl, Duration::from_secs(60));
        assert!(c.signature_secret.is_none());
        assert!(parse_args(&args(&["--help"])).unwrap().is_none());
        assert!(parse_args(&args(&["--bogus", "1"])).is_err());
        assert!(parse_args(&args(&["--account", "X1"])).is_err());
        assert!(parse_args(&args(&["--listen"])).is_err());
    }
}
