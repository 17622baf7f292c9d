//! The line a form's outcome leaves at the top of a page: a success is announced politely
//! (`role="status"`), a refusal at once (`role="alert"`).

use leptos::prelude::*;

/// The outcome of the last form, as a page tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Notice {
    Success(String),
    Error(String),
}

impl Notice {
    pub fn success(text: impl Into<String>) -> Self {
        Notice::Success(text.into())
    }

    pub fn error(text: impl Into<String>) -> Self {
        Notice::Error(text.into())
    }

    pub fn is_error(&self) -> bool {
        matches!(self, Notice::Error(_))
    }

    /// `<p class="notice" role="status">` or `<p class="error" role="alert">`.
    pub fn view(self) -> AnyView {
        match self {
            Notice::Success(text) => {
                view! { <p class="notice" role="status">{text}</p> }.into_any()
            }
            Notice::Error(text) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
        }
    }
}
