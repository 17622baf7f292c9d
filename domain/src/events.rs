//! Business events: one structured `tracing` event (target `business`) per create, update,
//! delete, sale, refused sale, return, stock movement, replenishment step and register session.
//! The binaries route them to `business_YYYY-MM-DD.log` as JSON lines. Emitted by the public
//! operations after their transaction committed, so the log never shows what was rolled back.

use serde_json::Value;

use crate::Actor;

/// Records one business event.
pub fn emit(operation: &str, entity_type: &str, entity_id: i64, actor: &Actor, details: Value) {
    tracing::info!(
        target: "business",
        operation,
        entity_type,
        entity_id,
        actor = %actor.label(),
        details = %details,
        "{operation} {entity_type} {entity_id}"
    );
}

/// A stock movement event.
pub fn movement(
    actor: &Actor,
    location: crate::inventory::Location,
    product_id: i64,
    delta: i32,
    reason: &str,
) {
    let (location, store_id) = match location {
        crate::inventory::Location::Store(id) => ("store", Some(id)),
        crate::inventory::Location::Warehouse => ("warehouse", None),
    };
    emit(
        "stock_movement",
        "product",
        product_id,
        actor,
        serde_json::json!({"location": location, "store_id": store_id, "delta": delta, "reason": reason}),
    );
}
