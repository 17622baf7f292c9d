//! What the report page shows, as its server function answers it: the form as chosen (after
//! defaults), the period and store choices, and the report's figures already written for people
//! (`figures`), or why there is none.

use serde::{Deserialize, Serialize};

/// One choice of the period picker, as the domain names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodChoice {
    /// The value in the URL (`periode=7j`).
    pub key: String,
    pub label: String,
    /// The typed dates (`du`, `au`) only count with this choice.
    pub custom: bool,
}

/// What the form shows as chosen (after defaults: an employee's own store, 30 days).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReportChoice {
    pub periode: String,
    /// A store id, or empty for the network.
    pub magasin: String,
    /// `YYYY-MM-DD`: the period's first and last days (typed ones are kept as typed).
    pub du: String,
    pub au: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreChoice {
    pub id: i64,
    pub name: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct KpiCard {
    /// Stable name for styles and tests: `revenue`, `sales`...
    pub key: String,
    pub label: String,
    pub value: String,
    pub detail: String,
}

/// A line of the performance table: a store (network) or a register (one store).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PerfRow {
    /// The store's own report, for network lines.
    pub link: Option<String>,
    pub name: String,
    pub sales: String,
    pub revenue: String,
    pub average: String,
    pub units: String,
    /// Part of the network's revenue (`23,4 %`), network lines only.
    pub share: Option<String>,
    /// The same part, 0..=100, for the bar behind it.
    pub share_pct: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TopRow {
    pub code: String,
    pub name: String,
    pub units: String,
    pub revenue: String,
    pub sold: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockLine {
    pub code: String,
    pub name: String,
    pub quantity: String,
    pub threshold: String,
    /// `rupture`, `bas` or `normal`.
    pub status: String,
    pub cover: String,
    pub value: String,
    /// Network report: the warehouse's quantity.
    pub warehouse: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunOutLine {
    pub store: String,
    pub code: String,
    pub name: String,
    pub quantity: String,
    pub pace: String,
    pub cover: String,
}

/// How many products are out of stock, low and normal, and what the stock is worth.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockCounts {
    pub rupture: String,
    pub bas: String,
    pub normal: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockSummary {
    /// The stores' (summed for the network).
    pub stores: StockCounts,
    /// Network report: the warehouse's.
    pub warehouse: Option<StockCounts>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportBody {
    /// `Réseau` or the store's name.
    pub subject: String,
    /// `du 1er au 30 janvier 2025`.
    pub period_label: String,
    pub network: bool,
    pub kpis: Vec<KpiCard>,
    pub perf: Vec<PerfRow>,
    pub top_units: Vec<TopRow>,
    pub top_revenue: Vec<TopRow>,
    /// The daily trend, an `<svg>` element built on the server.
    pub chart: String,
    pub stock: StockSummary,
    pub stock_lines: Vec<StockLine>,
    /// `12 autres produits non affichés`: products left out of the stock table (it shows at
    /// most [`STOCK_LINES`]), or nothing.
    pub stock_hidden: Option<String>,
    pub running_out: Vec<RunOutLine>,
    /// Discounts, tenders, promotions and what is owed (section 6 figures).
    pub floor: FloorFigures,
}

/// The store floor's figures: `(label, value)` facts, tenders and promotions, written.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FloorFigures {
    pub facts: Vec<(String, String)>,
    /// `(tender, payments, amount)`.
    pub tenders: Vec<(String, String, String)>,
    pub promotions: Vec<PromotionRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromotionRow {
    pub name: String,
    pub units: String,
    pub revenue: String,
    pub cost: String,
}

/// The page: the form as chosen, and the report, or why there is none.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReportView {
    pub choice: ReportChoice,
    /// The stores this employee may pick.
    pub stores: Vec<StoreChoice>,
    pub network_allowed: bool,
    /// `(du|au, message)`: dates to fix, shown next to their field.
    pub field_errors: Vec<(String, String)>,
    /// The period picker's choices.
    pub periods: Vec<PeriodChoice>,
    /// Not allowed, or no such store.
    pub denied: Option<String>,
    /// The HTTP status of such a refusal (403 or 404), which the server-rendered page answers
    /// with, the form still there to choose what the employee may read.
    pub denied_status: Option<u16>,
    pub body: Option<ReportBody>,
}

/// Longest stock table (alerts come first, so nothing urgent is cut).
pub const STOCK_LINES: usize = 100;

/// Products in each top list.
pub const TOP: u32 = 10;
