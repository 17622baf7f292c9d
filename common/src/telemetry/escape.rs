//! Escaping of logged text: control characters (newlines, ESC, ...) and the invisible ones that
//! reorder text (bidirectional overrides, line separators) are written as `\n`, `\x1b`,
//! `\u{202e}`, so a value typed by a client (a login, a header) can neither forge a log line or
//! column nor send escape sequences to the terminal that shows the log.

use std::borrow::Cow;
use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::FormatFields;
use tracing_subscriber::fmt::format::Writer;

/// True for the characters [`escape_control`] rewrites.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200e}' | '\u{200f}' | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

fn push_escaped(out: &mut String, c: char) {
    let _ = match c {
        '\n' => out.write_str("\\n"),
        '\r' => out.write_str("\\r"),
        '\t' => out.write_str("\\t"),
        c if c.is_ascii() => write!(out, "\\x{:02x}", c as u32),
        c => write!(out, "\\u{{{:x}}}", c as u32),
    };
}

/// `text` with its control characters escaped (borrowed when there are none).
pub fn escape_control(text: &str) -> Cow<'_, str> {
    escape_where(text, is_unsafe)
}

/// [`escape_control`], spaces too (`\x20`): for a column of a space-separated line.
pub fn escape_column(text: &str) -> Cow<'_, str> {
    escape_where(text, |c| c == ' ' || is_unsafe(c))
}

fn escape_where(text: &str, unsafe_char: impl Fn(char) -> bool) -> Cow<'_, str> {
    if !text.chars().any(&unsafe_char) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            push_escaped(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// The fields of events and spans as `tracing_subscriber`'s text layers write them (the message,
/// then `name=value`), every value escaped: `%`-formatted fields are written as they are by the
/// default formatter.
#[derive(Clone, Copy, Debug, Default)]
pub struct EscapedFields;

impl<'w> FormatFields<'w> for EscapedFields {
    fn format_fields<R: RecordFields>(&self, mut writer: Writer<'w>, fields: R) -> fmt::Result {
        let mut collected = Collected::default();
        fields.record(&mut collected);
        let mut first = true;
        if let Some(message) = &collected.message {
            writer.write_str(&escape_control(message))?;
            first = false;
        }
        for (name, value) in &collected.others {
            if !first {
                writer.write_char(' ')?;
            }
            first = false;
            write!(writer, "{name}={}", escape_control(value))?;
        }
        Ok(())
    }
}

#[derive(Default)]
struct Collected {
    message: Option<String>,
    others: Vec<(&'static str, String)>,
}

impl Visit for Collected {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = Some(value.to_owned());
        } else {
            // quoted, as the default formatter writes strings
            self.record_debug(field, &value);
        }
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let name = field.name();
        if name.starts_with("log.") {
            return;
        }
        let text = format!("{value:?}");
        if name == "message" {
            self.message = Some(text);
        } else {
            self.others
                .push((name.strip_prefix("r#").unwrap_or(name), text));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(escape_control("gerant1 ok"), Cow::Borrowed(_)));
        assert_eq!(
            escape_control("a\u{1b}[31m\r\nb\tc\u{7f}\u{85}\u{202e}d"),
            "a\\x1b[31m\\r\\nb\\tc\\x7f\\u{85}\\u{202e}d"
        );
        assert_eq!(escape_column("a b\nc"), "a\\x20b\\nc");
        assert_eq!(escape_control("é ü ✓"), "é ü ✓");
    }

    #[test]
    fn text_layers_escape_every_field_and_the_message() {
        use std::sync::{Arc, Mutex};
        use tracing_subscriber::prelude::*;

        #[derive(Clone, Default)]
        struct Sink(Arc<Mutex<Vec<u8>>>);
        impl std::io::Write for Sink {
            fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
                self.0.lock().unwrap().extend_from_slice(buf);
                Ok(buf.len())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let sink = Sink::default();
        let writer = sink.clone();
        let subscriber = tracing_subscriber::registry().with(
            tracing_subscriber::fmt::layer()
                .fmt_fields(EscapedFields)
                .with_ansi(false)
                .with_writer(move || writer.clone()),
        );
        let login = "x\u{1b}[2J\nFORGED level=ERROR";
        tracing::subscriber::with_default(subscriber, || {
            let span = tracing::info_span!("request", request_id = %login);
            let _entered = span.enter();
            tracing::warn!(login = %login, quoted = login, n = 3, "refused {login}");
        });
        let out = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(!out.contains('\u{1b}'), "{out}");
        let line = out.trim_end();
        assert!(
            line.contains("request{request_id=x\\x1b[2J\\nFORGED level=ERROR}"),
            "{line}"
        );
        assert!(
            line.ends_with(
                "refused x\\x1b[2J\\nFORGED level=ERROR login=x\\x1b[2J\\nFORGED level=ERROR \
                 quoted=\"x\\u{1b}[2J\\nFORGED level=ERROR\" n=3"
            ),
            "{line}"
        );
    }
}
