//! Logging of both binaries (SPEC section 5): everything at `LOG_LEVEL` on stdout, and under
//! `LOG_DIR` three daily files, 10 of each kept:
//! - `api_YYYY-MM-DD.log`: one text line per request (time, instance, method, route, status,
//!   duration, client), from events of target `api_request`;
//! - `business_YYYY-MM-DD.log`: one JSON object per business event (target `business`);
//! - `errors_YYYY-MM-DD.log`: warnings and errors with their cause chain and the request span
//!   (method, route, request id) they happened in.
//!
//! Every writer escapes control characters in the values it writes (see [`escape`]): what a
//! client typed cannot forge a line or a column, nor reach a terminal as an escape sequence.

mod escape;

pub use escape::{EscapedFields, escape_column, escape_control};

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, SecondsFormat, Utc};
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Subscriber};
use tracing_appender::non_blocking::{NonBlocking, WorkerGuard};
use tracing_subscriber::filter::filter_fn;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

/// Files kept per log kind.
pub const KEPT_FILES: usize = 10;
/// Target of the per-request events.
pub const REQUEST_TARGET: &str = "api_request";
/// Target of business events (`domain::events`).
pub const BUSINESS_TARGET: &str = "business";

/// A file per day named `<prefix>_YYYY-MM-DD.log` (UTC dates), opened in append mode; older
/// files beyond [`KEPT_FILES`] are deleted when the day changes.
pub struct DailyFile {
    dir: PathBuf,
    prefix: &'static str,
    keep: usize,
    current: Option<(NaiveDate, File)>,
}

impl DailyFile {
    pub fn new(dir: &Path, prefix: &'static str, keep: usize) -> io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let mut file = DailyFile {
            dir: dir.to_owned(),
            prefix,
            keep,
            current: None,
        };
        file.rotate(Utc::now().date_naive())?;
        Ok(file)
    }

    pub fn path_for(dir: &Path, prefix: &str, date: NaiveDate) -> PathBuf {
        dir.join(format!("{prefix}_{}.log", date.format("%Y-%m-%d")))
    }

    fn rotate(&mut self, date: NaiveDate) -> io::Result<()> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(Self::path_for(&self.dir, self.prefix, date))?;
        self.current = Some((date, file));
        self.prune();
        Ok(())
    }

    /// Deletes this kind's oldest files beyond the number kept.
    fn prune(&self) {
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return;
        };
        let head = format!("{}_", self.prefix);
        let mut dated: Vec<(NaiveDate, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                let date = name.strip_prefix(&head)?.strip_suffix(".log")?;
                Some((NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?, e.path()))
            })
            .collect();
        dated.sort();
        let excess = dated.len().saturating_sub(self.keep);
        for (_, path) in dated.into_iter().take(excess) {
            let _ = std::fs::remove_file(path);
        }
    }
}

impl Write for DailyFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let today = Utc::now().date_naive();
        if self.current.as_ref().is_none_or(|(date, _)| *date != today) {
            self.rotate(today)?;
        }
        match &mut self.current {
            Some((_, file)) => file.write(buf),
            None => Err(io::Error::other("log file not open")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.current {
            Some((_, file)) => file.flush(),
            None => Ok(()),
        }
    }
}

/// The fields of an event as JSON values.
#[derive(Default)]
struct Fields(Map<String, Value>);

impl Visit for Fields {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0
            .insert(field.name().into(), Value::String(value.into()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().into(), value.into());
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .insert(field.name().into(), Value::String(format!("{value:?}")));
    }
}

/// A column of the request log, escaped.
fn text(fields: &Map<String, Value>, name: &str) -> String {
    match fields.get(name) {
        Some(Value::String(s)) if !s.is_empty() => escape_column(s).into_owned(),
        Some(Value::String(_) | Value::Null) | None => "-".into(),
        Some(other) => escape_column(&other.to_string()).into_owned(),
    }
}

/// A JSON value with the control characters of its strings escaped (JSON would only encode
/// them, and a reader printing the decoded value would write them out).
fn escape_json(value: Value) -> Value {
    match value {
        Value::String(s) => match escape_control(&s) {
            std::borrow::Cow::Borrowed(_) => Value::String(s),
            std::borrow::Cow::Owned(escaped) => Value::String(escaped),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(escape_json).collect()),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (escape_control(&k).into_owned(), escape_json(v)))
                .collect(),
        ),
        other => other,
    }
}

/// Writes one text line per request event.
struct RequestLog {
    writer: NonBlocking,
    instance: String,
}

impl<S: Subscriber> Layer<S> for RequestLog {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let f = &fields.0;
        let duration = f.get("duration_ms").and_then(Value::as_f64).unwrap_or(0.0);
        let line = format!(
            "{} {} {} {} {} {:.2}ms {} {}\n",
            Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
            escape_column(&self.instance),
            text(f, "method"),
            text(f, "route"),
            text(f, "status"),
            duration,
            text(f, "client"),
            text(f, "request_id"),
        );
        let _ = self.writer.make_writer().write_all(line.as_bytes());
    }
}

/// Writes one JSON object per business event.
struct BusinessLog {
    writer: NonBlocking,
    instance: String,
}

impl<S: Subscriber> Layer<S> for BusinessLog {
    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = Fields::default();
        event.record(&mut fields);
        let mut object = Map::new();
        object.insert(
            "time".into(),
            Utc::now()
                .to_rfc3339_opts(SecondsFormat::Millis, true)
                .into(),
        );
        object.insert("instance".into(), self.instance.clone().into());
        for (name, value) in fields.0 {
            // `details` arrives as JSON text: keep it structured
            let value = match (name.as_str(), value) {
                ("details", Value::String(s)) => {
                    serde_json::from_str(&s).unwrap_or(Value::String(s))
                }
                (_, v) => v,
            };
            object.insert(name, escape_json(value));
        }
        if let Ok(mut line) = serde_json::to_vec(&Value::Object(object)) {
            line.push(b'\n');
            let _ = self.writer.make_writer().write_all(&line);
        }
    }
}

/// Lines waiting for each log file's writer thread, at most.
const LOG_QUEUE_LINES: usize = 8_192;

/// Keeps the log writers alive; drop it last so buffered lines reach the files.
pub struct Telemetry {
    _guards: Vec<WorkerGuard>,
}

/// Installs the global subscriber. `level` is an `EnvFilter` directive (`info`, `debug`, ...).
pub fn init(level: &str, log_dir: &Path, instance: &str) -> Result<Telemetry, String> {
    // A bounded queue in front of each file: the default (128,000 lines) let a busy instance
    // hold ~40 MB of request lines. Request lines may be dropped when the disk cannot keep up
    // (counted by the appender); business events and errors never are, their writers wait.
    let open = |prefix: &'static str, lossy: bool| {
        DailyFile::new(log_dir, prefix, KEPT_FILES)
            .map(|file| {
                tracing_appender::non_blocking::NonBlockingBuilder::default()
                    .buffered_lines_limit(LOG_QUEUE_LINES)
                    .lossy(lossy)
                    .finish(file)
            })
            .map_err(|e| format!("cannot write logs in {}: {e}", log_dir.display()))
    };
    let (requests, g1) = open("api", true)?;
    let (business, g2) = open("business", false)?;
    let (errors, g3) = open("errors", false)?;
    let stdout_filter =
        EnvFilter::try_new(level).map_err(|e| format!("LOG_LEVEL {level:?}: {e}"))?;
    tracing_subscriber::registry()
        .with(
            fmt::layer()
                .fmt_fields(EscapedFields)
                .with_filter(stdout_filter),
        )
        .with(
            RequestLog {
                writer: requests,
                instance: instance.into(),
            }
            .with_filter(filter_fn(|m| m.target() == REQUEST_TARGET)),
        )
        .with(
            BusinessLog {
                writer: business,
                instance: instance.into(),
            }
            .with_filter(filter_fn(|m| m.target() == BUSINESS_TARGET)),
        )
        // spans of every level pass, so an error shows the request it happened in
        .with(
            fmt::layer()
                .fmt_fields(EscapedFields)
                .with_ansi(false)
                .with_writer(errors)
                .with_filter(filter_fn(|m| {
                    m.is_span() || *m.level() <= tracing::Level::WARN
                })),
        )
        .try_init()
        .map_err(|e| format!("tracing already initialised: {e}"))?;
    Ok(Telemetry {
        _guards: vec![g1, g2, g3],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_named_by_day_and_only_ten_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=12 {
            let date = NaiveDate::from_ymd_opt(2026, 10, day).unwrap();
            std::fs::write(DailyFile::path_for(dir.path(), "api", date), "x").unwrap();
        }
        std::fs::write(dir.path().join("business_2026-10-01.log"), "x").unwrap();
        let mut file = DailyFile::new(dir.path(), "api", KEPT_FILES).unwrap();
        file.write_all(b"line\n").unwrap();
        let today = DailyFile::path_for(dir.path(), "api", Utc::now().date_naive());
        assert_eq!(std::fs::read_to_string(&today).unwrap(), "line\n");
        let mut names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(
            names.iter().filter(|n| n.starts_with("api_")).count(),
            KEPT_FILES
        );
        assert!(
            !names.contains(&"api_2026-10-01.log".to_owned()),
            "the oldest went first"
        );
        assert!(
            names.contains(&"business_2026-10-01.log".to_owned()),
            "other kinds untouched"
        );
    }

    #[test]
    fn request_and_business_lines_escape_what_clients_typed() {
        let dir = tempfile::tempdir().unwrap();
        let telemetry = init("off", dir.path(), "web-1").unwrap();
        let typed = "x\u{1b}[2J\n2026-01-01T00:00:00.000Z web-1 GET / 200";
        tracing::info!(
            target: REQUEST_TARGET,
            method = "GET",
            route = "/",
            status = 200u16,
            duration_ms = 1.0,
            client = %typed,
            request_id = "r1",
            "request"
        );
        tracing::info!(target: BUSINESS_TARGET, operation = "sign_in_refused", actor = %typed, details = %serde_json::json!({"login": typed}), "sign-in refused");
        drop(telemetry);
        let read = |prefix| {
            std::fs::read_to_string(DailyFile::path_for(
                dir.path(),
                prefix,
                Utc::now().date_naive(),
            ))
            .unwrap()
        };
        let requests = read("api");
        assert_eq!(requests.lines().count(), 1, "{requests}");
        assert_eq!(requests.split(' ').count(), 8, "{requests}");
        assert!(
            requests.contains(" x\\x1b[2J\\n2026-01-01T00:00:00.000Z\\x20web-1"),
            "{requests}"
        );
        let business = read("business");
        assert_eq!(business.lines().count(), 1, "{business}");
        let event: Value = serde_json::from_str(&business).unwrap();
        let escaped = "x\\x1b[2J\\n2026-01-01T00:00:00.000Z web-1 GET / 200";
        assert_eq!(event["actor"], escaped);
        assert_eq!(event["details"]["login"], escaped, "nested strings too");
    }
}
