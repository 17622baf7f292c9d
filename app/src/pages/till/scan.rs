//! Scans queued in the browser. A barcode scanner types a code and Enter faster than the
//! server answers: once the page is hydrated, Enter puts the code in a queue and clears the
//! field at once, and one request at a time ([`till_scan`]) adds the next scan to the latest
//! cart, the answer of the one before. No scan is lost, merged with the next one or reordered,
//! whatever the server's latency, and lines keep the order of their first scan. Without
//! JavaScript the same form posts to `till_add` and follows its redirect.
//!
//! [`till_scan`]: super::actions::till_scan

use std::collections::VecDeque;

use leptos::prelude::*;
use leptos_router::NavigateOptions;

use super::codes;
use crate::flash::Flash;

/// What was scanned: a typed code, or a product picked in the search results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scan {
    Code(String),
    Product(i64),
}

/// The scan queue of the till page. It outlives each rendering of the sale screen (the page
/// re-renders as the cart changes), so it is created by the page and handed down.
#[derive(Clone, Copy)]
pub struct Scans {
    queue: StoredValue<VecDeque<Scan>>,
    /// Scans queued or being applied: the payment waits for them.
    pending: RwSignal<usize>,
    /// The latest cart: the page's, or while scans are applied the last answer's.
    cart: StoredValue<String>,
}

impl Scans {
    pub fn new() -> Self {
        Scans {
            queue: StoredValue::new(VecDeque::new()),
            pending: RwSignal::new(0),
            cart: StoredValue::new(String::new()),
        }
    }

    /// The cart the page shows now; ignored while scans are being applied (the page shows an
    /// older cart than theirs until it catches up).
    pub fn show(self, cart: &str) {
        if self.pending.get_untracked() == 0 {
            self.cart.set_value(cart.to_owned());
        }
    }

    /// True while scans wait or are applied.
    pub fn busy(self) -> bool {
        self.pending.try_get().is_some_and(|n| n > 0)
    }

    /// Queues a scan; the first one starts the worker, which runs until the queue is empty.
    /// `navigate` shows each answer's till address.
    pub fn push(
        self,
        register_id: i64,
        scan: Scan,
        navigate: impl Fn(&str, NavigateOptions) + 'static,
    ) {
        self.queue.update_value(|q| q.push_back(scan));
        let idle = self.pending.get_untracked() == 0;
        self.pending.update(|n| *n += 1);
        if idle {
            leptos::task::spawn_local(self.run(register_id, navigate));
        }
    }

    async fn run(self, register_id: i64, navigate: impl Fn(&str, NavigateOptions)) {
        while let Some(scan) = self.queue.try_update_value(VecDeque::pop_front).flatten() {
            let (code, product_id) = match &scan {
                Scan::Code(code) => (code.clone(), String::new()),
                Scan::Product(id) => (String::new(), id.to_string()),
            };
            let cart = self.cart.get_value();
            let answer =
                super::actions::till_scan(register_id, cart.clone(), code.clone(), product_id)
                    .await;
            let last = self.queue.with_value(VecDeque::is_empty);
            match answer {
                Ok(answer) => {
                    self.cart.set_value(answer.cart);
                    // the cart is shown once the queue is empty (or the scan was refused, to
                    // say why); the scans in between apply to the answer, not to the page
                    if last || answer.refused {
                        navigate(&answer.url, NavigateOptions::default());
                    }
                }
                Err(_) => {
                    let failed = Flash::error(codes::SCAN_FAILED)
                        .with(codes::CODE, if code.is_empty() { "?" } else { &code });
                    let till = crate::links::with_query(
                        &format!("/caisses/{register_id}"),
                        &[("panier", &cart)],
                    );
                    navigate(&failed.link(&till), NavigateOptions::default());
                }
            }
            self.pending.update(|n| *n = n.saturating_sub(1));
        }
    }
}

impl Default for Scans {
    fn default() -> Self {
        Self::new()
    }
}
