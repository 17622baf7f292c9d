//! How both binaries log an error: its message followed by each of its causes, so a log line
//! says "database unavailable: pool timed out: connection refused" and not only the first part.

use std::error::Error;

/// `err` and its sources, outermost first, joined by `": "`.
pub fn cause_chain(err: &(dyn Error + 'static)) -> String {
    let mut chain = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

#[cfg(test)]
mod tests {
    use super::cause_chain;

    #[derive(Debug)]
    struct Layer(&'static str, Option<Box<Layer>>);

    impl std::fmt::Display for Layer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str(self.0)
        }
    }

    impl std::error::Error for Layer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            self.1.as_deref().map(|e| e as _)
        }
    }

    #[test]
    fn every_cause_follows_the_message_in_order() {
        let err = Layer(
            "database unavailable",
            Some(Box::new(Layer(
                "pool timed out",
                Some(Box::new(Layer("connection refused", None))),
            ))),
        );
        assert_eq!(
            cause_chain(&err),
            "database unavailable: pool timed out: connection refused"
        );
        assert_eq!(cause_chain(&Layer("alone", None)), "alone");
    }
}
