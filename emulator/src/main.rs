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
    --callback-timeout-ms MS   how long a callback delivery waits for the receiver (default 10000)
    --callback-max-retries N   callback retries after the first delivery (default 20)
    --accepted-delay-ms MS     how long a 202-accepted write stays pending (default 200)
    --test-timings             test-speed timings (callback timeout 2 s, retries after 10 ms,
                               timeout cards 200 ms, 202 writes 50 ms): what the SDKs' testing
                               helpers start it with; later options override them
    --strict-urls              refuse callback and return URLs that are not https://
    --quiet                    do not log requests
    --exit-on-stdin-eof        stop when standard input closes (for a parent process that
                               starts the emulator and may die without stopping it)
    --catalog                  print the catalog (test cards, faults, fault routes, payment
                               methods) as JSON and exit
    -h, --help                 print this help

On start it prints base_url=, account_id=, client_id=, client_secret=, signature_secret= and
dashboard= lines (open the dashboard URL in a browser), then one line per request (method,
path, status, milliseconds).";

/// What the command line asks for.
#[allow(clippy::large_enum_variant)] // built once, at start
enum Command {
    Run {
        cfg: EmulatorConfig,
        exit_on_stdin_eof: bool,
    },
    Help,
    Catalog,
}

fn parse_args(args: &[String]) -> Result<Command, String> {
    let mut cfg = EmulatorConfig {
        log_requests: true,
        ..Default::default()
    };
    cfg.listen = DEFAULT_LISTEN
        .parse()
        .map_err(|e| format!("bad default listen address: {e}"))?;
    let mut exit_on_stdin_eof = false;
    let mut i = 0;
    while i < args.len() {
        let flag = args[i].as_str();
        if flag == "-h" || flag == "--help" {
            return Ok(Command::Help);
        }
        if flag == "--catalog" {
            return Ok(Command::Catalog);
        }
        if flag == "--exit-on-stdin-eof" {
            exit_on_stdin_eof = true;
            i += 1;
            continue;
        }
        if flag == "--strict-urls" {
            cfg.strict_urls = true;
            i += 1;
            continue;
        }
        if flag == "--test-timings" {
            let fast = EmulatorConfig::for_tests();
            cfg.callback_timeout = fast.callback_timeout;
            cfg.callback_retry_base = fast.callback_retry_base;
            cfg.card_timeout = fast.card_timeout;
            cfg.accepted_delay = fast.accepted_delay;
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
            "--callback-timeout-ms" => cfg.callback_timeout = Duration::from_millis(num(&value)?),
            "--callback-max-retries" => {
                cfg.callback_max_retries = u32::try_from(num(&value)?).map_err(|_| {
                    format!("{name}: {value} is more retries than the emulator can count")
                })?
            }
            "--accepted-delay-ms" => cfg.accepted_delay = Duration::from_millis(num(&value)?),
            other => return Err(format!("unknown option {other} (see --help)")),
        }
    }
    Ok(Command::Run {
        cfg,
        exit_on_stdin_eof,
    })
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (cfg, exit_on_stdin_eof) = match parse_args(&args) {
        Ok(Command::Run {
            cfg,
            exit_on_stdin_eof,
        }) => (cfg, exit_on_stdin_eof),
        Ok(Command::Help) => {
            println!("{HELP}");
            return;
        }
        Ok(Command::Catalog) => {
            // `let _`: a closed pipe (`--catalog | head`) is not an error worth a panic.
            let _ = writeln!(std::io::stdout(), "{}", dintero_emulator::catalog());
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
        if exit_on_stdin_eof {
            tokio::select! {
                _ = wait_for_signal() => {}
                _ = stdin_closed() => {}
            }
        } else {
            wait_for_signal().await;
        }
        emu.shutdown().await;
        0
    });
    std::process::exit(code);
}

/// Returns when standard input reaches its end (or fails): the parent has gone.
async fn stdin_closed() {
    use tokio::io::AsyncReadExt;
    let mut stdin = tokio::io::stdin();
    let mut buf = [0u8; 256];
    while let Ok(n) = stdin.read(&mut buf).await {
        if n == 0 {
            return;
        }
    }
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
            "--exit-on-stdin-eof",
            "--test-timings",
            "--card-timeout-ms",
            "300",
            "--callback-max-retries",
            "3",
        ]))
        .unwrap();
        let Command::Run {
            cfg: c,
            exit_on_stdin_eof,
        } = c
        else {
            panic!("expected a run command");
        };
        assert!(exit_on_stdin_eof);
        // --test-timings sets the test-speed values, and a later option overrides one of them.
        let fast = EmulatorConfig::for_tests();
        assert_eq!(c.callback_retry_base, fast.callback_retry_base);
        assert_eq!(c.accepted_delay, fast.accepted_delay);
        assert_eq!(c.card_timeout, Duration::from_millis(300));
        assert_eq!(c.callback_max_retries, 3);
        assert!(c.strict_urls);
        assert_eq!(c.listen.port(), 0);
        assert_eq!(c.account_id, "P00000001");
        assert_eq!(c.token_ttl, Duration::from_secs(60));
        assert!(c.signature_secret.is_none());
        assert!(matches!(parse_args(&args(&["--help"])), Ok(Command::Help)));
        assert!(matches!(
            parse_args(&args(&["--catalog"])),
            Ok(Command::Catalog)
        ));
        assert!(parse_args(&args(&["--bogus", "1"])).is_err());
        assert!(parse_args(&args(&["--account", "X1"])).is_err());
        assert!(parse_args(&args(&["--listen"])).is_err());
    }
}
