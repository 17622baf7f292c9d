//! The drawer's cash during a shift, on the closing page: paid-outs and float top-ups recorded
//! while the session is open, and the closing count by denomination (notes and coins), its
//! total computed as it is typed once hydrated, by the server without JavaScript (« Calculer
//! le total » comes back with the count in the address), and the closing itself (`close_till`).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use rust_decimal::Decimal;

use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::flash::Flash;
use crate::format::money;

/// The notes and coins of a count, largest first: `(key, field, label)`. The keys are the
/// domain's (`domain::stores::DENOMINATIONS`); the field names the closing form's input and
/// the closing page's address parameter.
pub const DENOMINATIONS: [(&str, &str, &str); 10] = [
    ("100", "n100", "Billets de 100 $"),
    ("50", "n50", "Billets de 50 $"),
    ("20", "n20", "Billets de 20 $"),
    ("10", "n10", "Billets de 10 $"),
    ("5", "n5", "Billets de 5 $"),
    ("2", "n2", "Pièces de 2 $"),
    ("1", "n1", "Pièces de 1 $"),
    ("0.25", "n025", "Pièces de 25 ¢"),
    ("0.10", "n010", "Pièces de 10 ¢"),
    ("0.05", "n005", "Pièces de 5 ¢"),
];

/// The pieces typed in the closing form, one field per denomination (in [`DENOMINATIONS`]'
/// order), as posted without JavaScript.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Typed {
    #[serde(default)]
    pub n100: String,
    #[serde(default)]
    pub n50: String,
    #[serde(default)]
    pub n20: String,
    #[serde(default)]
    pub n10: String,
    #[serde(default)]
    pub n5: String,
    #[serde(default)]
    pub n2: String,
    #[serde(default)]
    pub n1: String,
    #[serde(default)]
    pub n025: String,
    #[serde(default)]
    pub n010: String,
    #[serde(default)]
    pub n005: String,
}

impl Typed {
    /// `(domain key, field, what was typed)`, largest first.
    pub fn fields(&self) -> [(&'static str, &'static str, &str); 10] {
        let typed = [
            &self.n100, &self.n50, &self.n20, &self.n10, &self.n5, &self.n2, &self.n1, &self.n025,
            &self.n010, &self.n005,
        ];
        std::array::from_fn(|i| (DENOMINATIONS[i].0, DENOMINATIONS[i].1, typed[i].as_str()))
    }
}

/// Flash codes of the drawer's forms.
pub mod codes {
    /// A count by denomination that is not whole numbers from 0 to 99 999.
    pub const PIECES: &str = "coupures";
    /// A paid-out or top-up refused: `champ=montant|raison`.
    pub const MOVE: &str = "mouvement";
    pub const FIELD: &str = "champ";
    /// Recorded: `genre=sortie|apport`.
    pub const MOVED: &str = "mouvement";
    pub const KIND: &str = "genre";
}

/// Pieces typed for a denomination: empty is 0, anything but a whole number from 0 to 99 999
/// is `None`.
pub fn pieces(text: &str) -> Option<i64> {
    let text = text.trim();
    if text.is_empty() {
        return Some(0);
    }
    text.parse::<i64>()
        .ok()
        .filter(|n| (0..=99_999).contains(n))
}

/// What the typed pieces are worth; `None` when one of them is not a count.
pub fn count_total<'a>(typed: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Decimal> {
    let mut total = Decimal::ZERO;
    for (denomination, text) in typed {
        let value: Decimal = denomination.parse().ok()?;
        total += value * Decimal::from(pieces(text)?);
    }
    Some(total)
}

/// Records a paid-out (`genre=sortie`) or a top-up (`genre=apport`) on the open session, then
/// comes back to the closing page saying so (or why not).
#[server(endpoint = "till_cash_move")]
pub async fn till_cash_move(
    csrf: String,
    register_id: i64,
    session_id: i64,
    genre: String,
    #[server(default)] montant: String,
    #[server(default)] raison: String,
) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    use domain::stores::CashMovementKind;
    let session = require_csrf(&csrf).await?;
    let back = format!("/caisses/{register_id}/fermeture");
    let kind = match genre.as_str() {
        "apport" => CashMovementKind::TopUp,
        _ => CashMovementKind::PaidOut,
    };
    let refused = |field: &str| {
        Flash::error(codes::MOVE)
            .with(codes::FIELD, field)
            .with(codes::KIND, &genre)
            .typed("montant", montant.trim())
            .typed("raison", raison.trim())
            .redirect(&back)
    };
    let Some(amount) = crate::format::parse_money(&montant) else {
        refused("montant");
        return Ok(());
    };
    let actor = session.employee.actor();
    match domain::stores::record_cash_movement(&pool()?, &actor, session_id, kind, amount, &raison)
        .await
    {
        Ok(_) => Flash::done(codes::MOVED)
            .with(codes::KIND, &genre)
            .redirect(&back),
        Err(domain::Error::Validation(fields)) => {
            refused(if fields.iter().any(|f| f.field == "amount") {
                "montant"
            } else {
                "raison"
            })
        }
        Err(domain::Error::Conflict(_)) => Flash::error(super::codes::CLOSED).redirect(&back),
        Err(e) if e.is_client_error() => Flash::error(super::codes::REFUSED).redirect(&back),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

/// The count typed in the closing form; `None` when a field is not a count.
#[cfg(feature = "ssr")]
pub fn typed_count(typed: &Typed) -> Option<domain::stores::CashCount> {
    let mut counted = Vec::new();
    for (denomination, _, text) in typed.fields() {
        counted.push((denomination, pieces(text)?));
    }
    domain::stores::CashCount::new(counted).ok()
}

/// The paid-out and top-up form of an open session.
#[component]
pub fn CashMoveForm(csrf: String, register_id: i64, session_id: i64) -> impl IntoView {
    let query = use_query_map();
    let flash = crate::flash::Flash::read(&query.read_untracked());
    let typed = |field: &str| flash.typed_of(field).unwrap_or_default().to_owned();
    let (amount, reason) = (typed("montant"), typed("raison"));
    let top_up = flash.fact(codes::KIND) == Some("apport");
    let action = ServerAction::<TillCashMove>::new();
    view! {
        <section class="cash-moves" aria-labelledby="cash-moves-title">
            <h2 id="cash-moves-title">"Sortie ou apport d'espèces"</h2>
            <ActionForm action=action>
                <input type="hidden" name="csrf" value=csrf />
                <input type="hidden" name="register_id" value=register_id />
                <input type="hidden" name="session_id" value=session_id />
                <fieldset class="mode">
                    <legend>"Mouvement"</legend>
                    <label><input type="radio" name="genre" value="sortie" checked=!top_up />
                        " Sortie (payer une livraison…)"</label>
                    <label><input type="radio" name="genre" value="apport" checked=top_up />
                        " Apport au fonds de caisse"</label>
                </fieldset>
                <label for="montant">"Montant ($)"</label>
                <input id="montant" name="montant" inputmode="decimal" autocomplete="off" required value=amount />
                <label for="raison">"Raison"</label>
                <input id="raison" name="raison" maxlength="200" required value=reason />
                <button type="submit">"Enregistrer le mouvement"</button>
            </ActionForm>
        </section>
    }
}

/// The closing form: the drawer counted by denomination (or its total typed at once), then
/// « Fermer la caisse ». The count comes back from « Calculer le total » in the address.
#[component]
pub fn CountForm(csrf: String, register_id: i64, session_id: i64) -> impl IntoView {
    let query = use_query_map();
    let close = ServerAction::<CloseTill>::new();
    let given = query.read_untracked();
    let fields: Vec<(&'static str, &'static str, &'static str, RwSignal<String>)> = DENOMINATIONS
        .iter()
        .map(|&(key, field, label)| {
            let typed = given.get(field).unwrap_or_default();
            (key, field, label, RwSignal::new(typed))
        })
        .collect();
    let typed_total = given.get("compte").unwrap_or_default();
    let signals: Vec<(&'static str, RwSignal<String>)> =
        fields.iter().map(|(k, _, _, s)| (*k, *s)).collect();
    let total = move || {
        let typed: Vec<(&str, String)> = signals.iter().map(|(k, s)| (*k, s.get())).collect();
        match count_total(typed.iter().map(|(k, t)| (*k, t.as_str()))) {
            Some(t) => money(t),
            None => "—".to_owned(),
        }
    };
    view! {
        <ActionForm action=close attr:class="form narrow close-form">
            <input type="hidden" name="csrf" value=csrf />
            <input type="hidden" name="register_id" value=register_id />
            <input type="hidden" name="session_id" value=session_id />
            <fieldset class="cash-count">
                <legend>"Espèces comptées par coupure (nombre de billets ou de pièces)"</legend>
                {fields.into_iter().map(|(_, field, label, typed)| {
                    view! {
                        <label>{label}
                            <input id=field name=field type="number" min="0" max="99999"
                                inputmode="numeric" value=typed.get_untracked()
                                on:input=move |ev| typed.set(event_target_value(&ev)) />
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <p class="count-total" aria-live="polite">"Total compté : "<strong data-count-total="">{total}</strong></p>
            <button type="submit" name="etape" value="calcul">"Calculer le total"</button>
            <label for="compte">"Ou le total compté ($), sans le détail"</label>
            <input id="compte" name="compte" inputmode="decimal" autocomplete="off" value=typed_total />
            <button type="submit" name="etape" value="fermer">"Fermer la caisse et imprimer le rapport Z"</button>
        </ActionForm>
    }
}

/// The address of the closing page showing this count (« Calculer le total » without
/// JavaScript).
#[cfg(feature = "ssr")]
pub fn count_link(register_id: i64, typed: &Typed, compte: &str) -> String {
    let mut pairs: Vec<(&str, &str)> = typed
        .fields()
        .into_iter()
        .map(|(_, field, text)| (field, text.trim()))
        .collect();
    pairs.push(("compte", compte.trim()));
    crate::links::with_query(&format!("/caisses/{register_id}/fermeture"), &pairs)
}

/// Closes the session with the counted cash, then shows its Z report. The cash is counted by
/// denomination (`n100`…`n005`, the total computed here) or typed at once (`compte`);
/// `etape=calcul` only comes back with the count and its total, closing nothing.
#[server(endpoint = "till_close")]
pub async fn close_till(
    csrf: String,
    register_id: i64,
    session_id: i64,
    #[server(default)] compte: String,
    #[server(flatten)]
    #[server(default)]
    coupures: Typed,
    #[server(default)] etape: String,
) -> Result<(), AppError> {
    use super::actions::typed_amount;
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let back = count_link(register_id, &coupures, &compte);
    let Some(count) = typed_count(&coupures) else {
        Flash::error(codes::PIECES).redirect(&back);
        return Ok(());
    };
    if etape == "calcul" {
        leptos_axum::redirect(&back);
        return Ok(());
    }
    let (pool, actor) = (pool()?, session.employee.actor());
    let closed = if count.total() > rust_decimal::Decimal::ZERO {
        domain::stores::close_session_counted(&pool, &actor, session_id, &count).await
    } else {
        let Some(counted) = typed_amount(&compte) else {
            Flash::error(super::codes::AMOUNT).redirect(&back);
            return Ok(());
        };
        domain::stores::close_session(&pool, &actor, session_id, counted).await
    };
    match closed {
        Ok(_) => leptos_axum::redirect(&format!("/sessions/{session_id}")),
        Err(domain::Error::Conflict(_)) => {
            leptos_axum::redirect(&format!("/sessions/{session_id}"))
        }
        Err(domain::Error::Validation(_)) => Flash::error(super::codes::AMOUNT).redirect(&back),
        Err(e) if e.is_client_error() => Flash::error(super::codes::REFUSED).redirect(&back),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}
