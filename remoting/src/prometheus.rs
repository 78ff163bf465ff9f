//! The Prometheus endpoint of the server binaries: installs the process-wide
//! `metrics` recorder and answers `GET /metrics` over plain HTTP/1.x.
//!
//! The recorder is global, so the first installation wins and later calls
//! (several brokers in one test process) get the first endpoint's address.
//! The endpoint runs on plain threads rather than tokio: it must outlive
//! whichever runtime installed it, and scrapes are rare.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use parking_lot::Mutex;

/// Latency histogram buckets in milliseconds (RocketMQ's rpc latency buckets
/// plus a 3 s tail). Applied to every metric whose name ends in `latency`.
const LATENCY_BUCKETS_MS: [f64; 8] = [1.0, 3.0, 5.0, 7.0, 10.0, 100.0, 1000.0, 3000.0];
/// How often histogram samples are folded into their buckets.
const UPKEEP_PERIOD: Duration = Duration::from_secs(5);
/// A scraper that stalls longer than this is dropped.
const SCRAPE_IO_TIMEOUT: Duration = Duration::from_secs(5);
/// Bound on the request head read from a scraper.
const MAX_HEAD_LINES: usize = 100;

/// The bound address of the installed endpoint, if any.
static INSTALLED: Mutex<Option<SocketAddr>> = Mutex::new(None);
/// Set once a recorder is installed: recording sites on hot paths (every
/// request, every put) skip building their labels while metrics are off,
/// which is the default.
static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether this process records metrics (an endpoint is installed).
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    #[error("cannot listen for metrics scrapes on {addr}: {source}")]
    Bind {
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error("another metrics recorder is already installed in this process")]
    RecorderTaken,
}

/// Installs the Prometheus recorder and serves `GET /metrics` on `listen`
/// (`host:port`; port 0 picks a free port). Returns the bound address; when
/// an endpoint is already installed in this process, returns its address
/// and ignores `listen`.
pub fn install_prometheus_exporter(listen: &str) -> Result<SocketAddr, MetricsError> {
    let mut installed = INSTALLED.lock();
    if let Some(addr) = *installed {
        return Ok(addr);
    }
    let bind_error = |source| MetricsError::Bind { addr: listen.to_owned(), source };
    let listener = TcpListener::bind(listen).map_err(bind_error)?;
    let addr = listener.local_addr().map_err(bind_error)?;
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("latency".to_owned()), &LATENCY_BUCKETS_MS)
        .expect("the bucket list is not empty")
        .build_recorder();
    let handle = recorder.handle();
    metrics::set_global_recorder(recorder).map_err(|_| MetricsError::RecorderTaken)?;
    spawn_named("metrics-upkeep", {
        let handle = handle.clone();
        move || {
            loop {
                std::thread::sleep(UPKEEP_PERIOD);
                handle.run_upkeep();
            }
        }
    });
    spawn_named("metrics-http", move || serve(listener, handle));
    tracing::info!(%addr, "Prometheus metrics endpoint listening");
    *installed = Some(addr);
    ENABLED.store(true, Ordering::Relaxed);
    Ok(addr)
}

/// `GET /metrics` from the endpoint at `addr`: the exposition text (the
/// body of a 200 answer). For tests and tools; bounded by a 10 s timeout.
pub fn scrape(addr: SocketAddr) -> std::io::Result<String> {
    let timeout = Duration::from_secs(10);
    let mut stream = TcpStream::connect_timeout(&addr, timeout)?;
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: booster\r\nConnection: close\r\n\r\n")?;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut stream, &mut text)?;
    match text.split_once("\r\n\r\n") {
        Some((head, body)) if head.starts_with("HTTP/1.1 200") => Ok(body.to_owned()),
        _ => Err(std::io::Error::other(format!("unexpected metrics answer: {text:.200}"))),
    }
}

fn spawn_named(name: &str, body: impl FnOnce() + Send + 'static) {
    if let Err(e) = std::thread::Builder::new().name(name.to_owned()).spawn(body) {
        tracing::warn!(error = %e, thread = name, "cannot start a metrics thread");
    }
}

fn serve(listener: TcpListener, handle: PrometheusHandle) {
    for stream in listener.incoming() {
        match stream {
            Ok(stream) => {
                let handle = handle.clone();
                spawn_named("metrics-scrape", move || {
                    if let Err(e) = answer(stream, &handle) {
                        tracing::debug!(error = %e, "metrics scrape failed");
                    }
                });
            }
            Err(e) => {
                tracing::warn!(error = %e, "metrics accept failed");
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    }
}

fn answer(stream: TcpStream, handle: &PrometheusHandle) -> std::io::Result<()> {
    stream.set_read_timeout(Some(SCRAPE_IO_TIMEOUT))?;
    stream.set_write_timeout(Some(SCRAPE_IO_TIMEOUT))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers so the client sees a clean close.
    for _ in 0..MAX_HEAD_LINES {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line.trim().is_empty() {
            break;
        }
    }
    let response = match Route::of(&request_line) {
        Route::Metrics => http_response("200 OK", &handle.render()),
        Route::NotFound => http_response("404 Not Found", "try GET /metrics\n"),
        Route::BadMethod => http_response("405 Method Not Allowed", "only GET\n"),
    };
    let mut stream = stream;
    stream.write_all(response.as_bytes())?;
    stream.flush()
}

/// What a request line asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    Metrics,
    NotFound,
    BadMethod,
}

impl Route {
    fn of(request_line: &str) -> Route {
        let mut parts = request_line.split_whitespace();
        let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if method != "GET" {
            return Route::BadMethod;
        }
        let path = target.split('?').next().unwrap_or("");
        if path == "/metrics" || path == "/" { Route::Metrics } else { Route::NotFound }
    }
}

fn http_response(status: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn routes_of_request_lines() {
        assert_eq!(Route::of("GET /metrics HTTP/1.1\r\n"), Route::Metrics);
        assert_eq!(Route::of("GET /metrics?x=1 HTTP/1.0\r\n"), Route::Metrics);
        assert_eq!(Route::of("GET / HTTP/1.1\r\n"), Route::Metrics);
        assert_eq!(Route::of("GET /other HTTP/1.1\r\n"), Route::NotFound);
        assert_eq!(Route::of("POST /metrics HTTP/1.1\r\n"), Route::BadMethod);
        assert_eq!(Route::of(""), Route::BadMethod);
    }

    #[test]
    fn responses_carry_their_length() {
        let r = http_response("200 OK", "a 1\n");
        assert!(r.starts_with("HTTP/1.1 200 OK\r\n"));
        assert!(r.contains("Content-Length: 4\r\n"));
        assert!(r.ends_with("\r\n\r\na 1\n"));
    }

    fn get(addr: SocketAddr, path: &str) -> String {
        let mut stream = TcpStream::connect(addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(stream, "GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn first_install_wins_and_serves_scrapes() {
        let addr = install_prometheus_exporter("127.0.0.1:0").unwrap();
        assert_ne!(addr.port(), 0);
        assert_eq!(install_prometheus_exporter("127.0.0.1:1").unwrap(), addr, "the first endpoint wins");
        metrics::counter!("booster_test_scrapes_total", "kind" => "unit").increment(3);
        metrics::histogram!("booster_test_latency").record(4.0);
        let page = scrape(addr).unwrap();
        assert!(page.contains("booster_test_scrapes_total{kind=\"unit\"} 3"), "{page}");
        assert!(page.contains("booster_test_latency_bucket{le=\"5\"} 1"), "{page}");
        assert!(get(addr, "/nope").starts_with("HTTP/1.1 404"));
    }
}
