//! The sale screen: scan or search (with a quantity, `3*CODE`), one-tap buttons for the store's
//! best sellers, the cart with its quantities, live totals and payment. Once hydrated, F2 goes
//! to the scan field, F8 pays by card and F9 in cash (the `<kbd>` hints say so).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use leptos::server_fn::ServerFn;
use leptos_router::hooks::use_navigate;

use super::actions::{TillAdd, TillCheckout};
use super::lines::CartLine;
use super::scan::{Scan, Scans};
use super::{OpenSession, TillItem, TillView, codes};
use crate::components::Notice;
use crate::error::AppError;
use crate::flash::Flash;
use crate::format::{count, money, parse_money};

type Found = Resource<Result<Vec<TillItem>, AppError>>;

/// Why the last scan was refused, shown under the scan field (the code typed comes back in it).
fn scan_problem(flash: &Flash) -> Option<String> {
    (flash.error_code()? == codes::MULTIPLIER).then(|| {
        format!(
            "Quantité invalide dans « {} » : tapez un nombre entier de 1 à {} avant * ou x (ex. 3*ALI001). Rien n'a été ajouté.",
            flash.fact(codes::CODE).unwrap_or_default(),
            count(super::cart::MAX_QUANTITY)
        )
    })
}

/// What went wrong with the last submission, from the address.
fn problem(view: &TillView, flash: &Flash) -> Option<Notice> {
    let text = match flash.error_code()? {
        // said under the scan field
        codes::MULTIPLIER => return None,
        codes::SHORT => {
            let id = flash
                .fact(codes::PRODUCT)
                .and_then(|p| p.parse::<i64>().ok());
            let name = view
                .lines
                .iter()
                .find(|l| Some(l.product_id) == id)
                .map_or_else(|| "un produit".to_owned(), |l| format!("« {} »", l.name));
            let left = flash
                .fact(codes::LEFT)
                .and_then(|n| n.parse::<i64>().ok())
                .unwrap_or(0);
            format!(
                "Vente refusée : stock insuffisant pour {name}, il en reste {}. Le panier est conservé.",
                count(left)
            )
        }
        codes::NOT_FOUND => format!(
            "Aucun produit ne correspond à « {} ».",
            flash.fact(codes::CODE).unwrap_or_default()
        ),
        codes::SCAN_FAILED => format!(
            "Le code « {} » n'a pas pu être ajouté (serveur injoignable) : scannez-le de nouveau.",
            flash.fact(codes::CODE).unwrap_or_default()
        ),
        codes::QUANTITY => "La quantité doit être un entier positif.".into(),
        codes::AMOUNT => {
            "Montant reçu invalide ou insuffisant : il doit couvrir le total, au cent près, sans dépasser 9 999 999 999,99 $.".into()
        }
        codes::SALE_ID => {
            "Identifiant de vente invalide : rien n'a été enregistré. Le panier est conservé, encaissez de nouveau.".into()
        }
        codes::SALE_ID_TAKEN => {
            "Cet identifiant de vente a déjà servi pour une autre vente : rien n'a été enregistré. Le panier est conservé, encaissez de nouveau.".into()
        }
        codes::CLOSED => "La caisse n'est pas ouverte : ouvrez une session pour vendre.".into(),
        codes::EMPTY => "Le panier est vide.".into(),
        codes::APPROVAL => format!(
            "{} Un gérant du magasin saisit son identifiant et son mot de passe ci-dessous, puis encaissez.",
            flash.fact(codes::REASON).unwrap_or("Cette remise demande l'accord d'un gérant.")
        ),
        codes::APPROVAL_REFUSED
        | codes::DISCOUNT
        | codes::GIFT_CARD
        | codes::TENDER
        | codes::CUSTOMER
        | codes::PARK => flash
            .fact(codes::REASON)
            .unwrap_or("Opération refusée.")
            .to_owned(),
        codes::REFUSED if flash.fact(codes::REASON).is_some() => format!(
            "Vente refusée : {}",
            flash.fact(codes::REASON).unwrap_or_default()
        ),
        _ => "Vente refusée : vérifiez vos droits sur ce magasin.".into(),
    };
    Some(Notice::error(text))
}

#[component]
pub fn SaleScreen(
    view: TillView,
    session: OpenSession,
    csrf: String,
    typed: RwSignal<String>,
    found: Found,
    sale_id: String,
    scans: Scans,
    /// The page is loading a newer cart than the one shown (the page's signal: this screen's
    /// own reactive values are disposed as soon as the next one renders).
    reloading: RwSignal<bool>,
) -> impl IntoView {
    let query = use_query_map();
    scans.show(&view.cart);
    let flash = Flash::read(&query.read_untracked());
    let message = problem(&view, &flash);
    let scan_error = scan_problem(&flash);
    // what was typed with a bad multiplier comes back in the field, to be fixed
    let kept = scan_error
        .as_ref()
        .and_then(|_| flash.fact(codes::CODE))
        .unwrap_or_default()
        .to_owned();
    if !kept.is_empty() && typed.get_untracked().is_empty() {
        typed.set(kept.clone());
    }
    shortcuts();
    let total = view.total_amount;
    let tendered = RwSignal::new(flash.fact(codes::TENDERED).unwrap_or_default().to_owned());
    let cash = RwSignal::new(true);
    let change = move || {
        let given = parse_money(&tendered.get())?;
        (cash.get() && given >= total).then(|| money(given - total))
    };
    let rid = view.register_id;
    let cart = view.cart.clone();
    let (cart_client, cart_gift, cart_disc, cart_tenders, cart_park) = (
        cart.clone(),
        cart.clone(),
        cart.clone(),
        cart.clone(),
        cart.clone(),
    );
    let more = view.more.clone();
    let needs_approval = more.needs_approval;
    let (session_id, parked) = (session.id, more.parked.clone());
    let (csrf_tenders, csrf_park, sale_tenders, sale_client) =
        (csrf.clone(), csrf.clone(), sale_id.clone(), sale_id.clone());
    let (cart_scan, cart_live, cart_hits, cart_lines, cart_quick, cart_pay) = (
        cart.clone(),
        cart.clone(),
        cart.clone(),
        cart.clone(),
        cart.clone(),
        cart,
    );
    let empty = view.lines.is_empty() && more.gift_cards.is_empty();
    // Enter (a scanner's last key): the code is queued and the field cleared at once; without
    // JavaScript the form posts to `till_add`
    let navigate = use_navigate();
    let on_scan = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let code = typed.get_untracked();
        typed.set(String::new());
        if !code.trim().is_empty() {
            scans.push(rid, Scan::Code(code), navigate.clone());
        }
    };
    view! {
        <p class="session-info">
            "Session ouverte par " {session.opened_by.clone()} " à " {session.since.clone()}
            " · fonds " {session.float.clone()} " · "
            <a href=format!("/caisses/{rid}/fermeture")>"Fermer la caisse"</a> " · "
            <a href=format!("/magasins/{}/retours", view.store_id)>"Retours"</a>
        </p>
        {message.map(Notice::view)}
        <div class="till">
            <section class="scan-panel" aria-label="Ajouter un produit">
                <form class="scan" method="post" action=TillAdd::url() on:submit=on_scan>
                    <input type="hidden" name="register_id" value=rid />
                    <input type="hidden" name="panier" value=cart_scan />
                    <label for="code">"Code-barres ou nom du produit (3*code pour 3 unités)"
                        <kbd class="shortcut">"F2"</kbd></label>
                    <div class="scan-row">
                        <input id="code" name="code" autocomplete="off" autofocus
                            placeholder="Scanner ou taper puis Entrée"
                            aria-describedby=scan_error.is_some().then_some("code-error")
                            aria-invalid=scan_error.is_some().then_some("true")
                            value=kept
                            prop:value=move || typed.get()
                            on:input=move |ev| typed.set(event_target_value(&ev)) />
                        <button type="submit">"Ajouter"</button>
                    </div>
                    {scan_error.map(|e| view! { <p id="code-error" class="scan-error" role="alert">{e}</p> })}
                </form>
                <Transition fallback=|| ()>
                    {
                        let cart = cart_live;
                        move || {
                            let cart = cart.clone();
                            Suspend::new(async move {
                                let live = found.await.unwrap_or_default();
                                (!live.is_empty()).then(|| view! { <Hits items=live register_id=rid cart scans typed /> })
                            })
                        }
                    }
                </Transition>
                {(!view.hits.is_empty()).then(|| view! {
                    <Hits items=view.hits.clone() register_id=rid cart=cart_hits scans typed />
                })}
                {(!view.quick.is_empty()).then(|| view! {
                    <QuickPicks items=view.quick.clone() register_id=rid cart=cart_quick scans />
                })}
            </section>
            <section class="cart-panel" aria-label="Panier">
                <h2>"Panier"</h2>
                <super::customer::CustomerPanel more=more.clone() register_id=rid cart=cart_client
                    sale_id=sale_client />
                {if view.lines.is_empty() {
                    view! { <p class="muted">"Aucun article. Scannez un code-barres pour commencer."</p> }.into_any()
                } else {
                    view! {
                        <ul class="cart">
                            {view.lines.iter().cloned().map(|l| view! {
                                <CartLine line=l register_id=rid cart=cart_lines.clone() />
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
                <super::tenders::GiftCards more=more.clone() register_id=rid cart=cart_gift />
                <super::discounts::CartDiscount register_id=rid cart=cart_disc
                    current=more.cart_discount.clone() />
                {more.discount_problem.clone().map(|p| Notice::error(format!(
                    "Les remises ne s'appliquent plus à ce panier : {p} Corrigez-les ou retirez-les."
                )).view())}
                {more.savings.clone().map(|s| view! {
                    <dl class="savings" data-total="savings">
                        {more.promotion_savings.clone().map(|p| view! { <div><dt>"Promotions"</dt><dd>{format!("−{p}")}</dd></div> })}
                        {more.manual_discounts.clone().map(|d| view! { <div><dt>"Remises"</dt><dd>{format!("−{d}")}</dd></div> })}
                        <div><dt>"Vous économisez"</dt><dd>{s}</dd></div>
                    </dl>
                })}
                <dl class="totals">
                    <div><dt>"Sous-total"</dt><dd data-total="subtotal">{view.subtotal.clone()}</dd></div>
                    <div><dt>"TPS (5 %)"</dt><dd data-total="tps">{view.tps.clone()}</dd></div>
                    <div><dt>"TVQ (9,975 %)"</dt><dd data-total="tvq">{view.tvq.clone()}</dd></div>
                    <div class="grand"><dt>"Total"</dt><dd data-total="total">{view.total.clone()}</dd></div>
                    {more.gift_cards_total.clone().map(|g| view! {
                        <div><dt>"Cartes-cadeaux"</dt><dd>{g}</dd></div>
                        <div class="grand"><dt>"À payer"</dt><dd data-total="due">{more.due.clone()}</dd></div>
                    })}
                    {(more.customer.is_some() && more.points_earned > 0).then(|| view! {
                        <div><dt>"Points gagnés"</dt><dd data-total="points">{count(more.points_earned)}</dd></div>
                    })}
                </dl>
                <Pay csrf register_id=rid cart=cart_pay sale_id tendered cash change=Signal::derive(change)
                    total=more.due.clone() empty scans reloading needs_approval />
                {(!empty).then(|| view! {
                    <super::tenders::Tenders more=more.clone() csrf=csrf_tenders register_id=rid
                        cart=cart_tenders sale_id=sale_tenders />
                })}
                <super::parked::Parked parked csrf=csrf_park register_id=rid session_id
                    cart=cart_park empty />
            </section>
        </div>
    }
}

/// Products found by the search, each added by one click (or Tab and Enter): queued as a
/// scan once hydrated, a form post without JavaScript.
#[component]
fn Hits(
    items: Vec<TillItem>,
    register_id: i64,
    cart: String,
    scans: Scans,
    typed: RwSignal<String>,
) -> impl IntoView {
    let navigate = use_navigate();
    view! {
        <ul class="hits" aria-label="Produits trouvés">
            {items.into_iter().map(|h| {
                let cart = cart.clone();
                let code = h.code.clone();
                let navigate = navigate.clone();
                let product_id = h.product_id;
                let on_pick = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    typed.set(String::new());
                    scans.push(register_id, Scan::Product(product_id), navigate.clone());
                };
                view! {
                <li>
                    <form method="post" action=TillAdd::url() on:submit=on_pick>
                        <input type="hidden" name="register_id" value=register_id />
                        <input type="hidden" name="panier" value=cart.clone() />
                        <input type="hidden" name="product_id" value=h.product_id />
                        <button type="submit" class="hit" data-code=code>
                            <span class="name">{h.name}</span>
                            <span class="code">{h.code}</span>
                            <span class="price">{h.unit_price}</span>
                            <span class={if h.in_stock > 0 { "stock" } else { "stock out" }}>
                                {format!("stock : {}", count(h.in_stock))}
                            </span>
                        </button>
                    </form>
                </li>
            }}).collect_view()}
        </ul>
    }
}

/// The store's best sellers as one-tap buttons adding 1 unit (items without a barcode are
/// found here instead of typed): a scan once hydrated, a form post without JavaScript.
#[component]
fn QuickPicks(items: Vec<TillItem>, register_id: i64, cart: String, scans: Scans) -> impl IntoView {
    let navigate = use_navigate();
    view! {
        <h2 class="sr-only">"Articles fréquents"</h2>
        <ul class="quick" aria-label="Articles fréquents">
            {items.into_iter().map(|item| {
                let navigate = navigate.clone();
                let product_id = item.product_id;
                let on_pick = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    scans.push(register_id, Scan::Product(product_id), navigate.clone());
                };
                view! {
                    <li>
                        <form method="post" action=TillAdd::url() on:submit=on_pick>
                            <input type="hidden" name="register_id" value=register_id />
                            <input type="hidden" name="panier" value=cart.clone() />
                            <input type="hidden" name="product_id" value=product_id />
                            <button type="submit" data-quick=product_id>
                                {item.name}
                                <span class="price">{item.unit_price}</span>
                            </button>
                        </form>
                    </li>
                }
            }).collect_view()}
        </ul>
    }
}

/// F2, F8 and F9 once the page is hydrated (effects run in the browser only); the listener
/// goes with the screen.
fn shortcuts() {
    Effect::new(move |_| {
        let handle = window_event_listener(leptos::ev::keydown, |ev| {
            let mode = match ev.key().as_str() {
                "F2" => {
                    ev.prevent_default();
                    crate::components::focus_soon("code");
                    return;
                }
                "F8" => "carte",
                "F9" => "especes",
                _ => return,
            };
            ev.prevent_default();
            pay_with(mode);
        });
        on_cleanup(move || handle.remove());
    });
}

/// Chooses the payment mode as a click on its radio would, then presses « Encaisser » (which
/// does nothing while it is disabled: an empty cart, scans pending).
fn pay_with(mode: &str) {
    use leptos::wasm_bindgen::JsCast;
    let click = |selector: &str| {
        if let Some(el) = document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
        {
            el.click();
        }
    };
    click(&format!("form.pay input[name=mode][value={mode}]"));
    click("form.pay button[type=submit]");
}

/// Payment: cash with the amount received (change shown as it is typed) or card.
#[component]
fn Pay(
    csrf: String,
    register_id: i64,
    cart: String,
    sale_id: String,
    tendered: RwSignal<String>,
    cash: RwSignal<bool>,
    change: Signal<Option<String>>,
    total: String,
    empty: bool,
    /// A cashier's discount above the limit: the manager's login and password go with the sale.
    needs_approval: bool,
    /// Scans not yet in the cart shown, or a newer cart loading: paying waits for them.
    scans: Scans,
    reloading: RwSignal<bool>,
) -> impl IntoView {
    let checkout = ServerAction::<TillCheckout>::new();
    view! {
        <ActionForm action=checkout attr:class="pay">
            <input type="hidden" name="csrf" value=csrf />
            <input type="hidden" name="register_id" value=register_id />
            <input type="hidden" name="panier" value=cart />
            <input type="hidden" name="vente" value=sale_id />
            <fieldset class="mode">
                <legend>"Paiement"</legend>
                <label><input type="radio" name="mode" value="especes" checked
                    on:change=move |_| cash.set(true) />" Espèces"<kbd class="shortcut">"F9"</kbd></label>
                <label><input type="radio" name="mode" value="carte"
                    on:change=move |_| cash.set(false) />" Carte"<kbd class="shortcut">"F8"</kbd></label>
            </fieldset>
            // hidden by CSS (`:has()`) while card is checked, before and after hydration
            <div class="cash-fields">
                <label for="recu">"Montant reçu en espèces (vide = montant exact)"</label>
                <input id="recu" name="recu" inputmode="decimal" autocomplete="off"
                    prop:value=move || tendered.get()
                    on:input=move |ev| tendered.set(event_target_value(&ev)) />
                <p class="change" aria-live="polite">
                    {move || change.get().map(|c| format!("Monnaie à rendre : {c}"))}
                </p>
            </div>
            {needs_approval.then(|| view! { <super::tenders::Approval id="pay" /> })}
            // the server never renders it disabled for a reload: the Transition may still count
            // as pending while the page is rendered, and without JavaScript the button would
            // stay disabled (the sale could not be paid)
            <button type="submit" class="primary" disabled=move || {
                empty || scans.busy()
                    || (cfg!(feature = "hydrate") && reloading.try_get().unwrap_or(false))
            }>{format!("Encaisser {total}")}</button>
        </ActionForm>
    }
}
