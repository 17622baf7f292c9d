//! The reports' daily trend as an SVG bar chart, built as text on the server (no script, so it
//! shows without JavaScript and prints): axes, a bar per day with its own tooltip, French
//! labels, and a `<title>`/`<desc>` that say in words what the bars show.

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::format::{count, dollars, money};

/// One day of the chart.
#[derive(Clone, Debug, PartialEq)]
pub struct ChartDay {
    /// Under the axis: `15/01`.
    pub short: String,
    /// In the tooltip and the description: `mer. 15 janv. 2025`.
    pub long: String,
    pub revenue: Decimal,
    pub sales: i64,
}

// Geometry in viewBox units; the SVG scales to its container's width.
const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 280.0;
const LEFT: f64 = 72.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 40.0;
/// Most labels under the axis; the others are skipped so labels never overlap.
const MAX_X_LABELS: usize = 8;
/// Widest bar, so that one day does not fill the whole chart.
const MAX_BAR: f64 = 56.0;

/// The SVG of daily revenue (before tax) for `days`, in order. `title` names the chart for
/// screen readers (its first line); the description is computed from the figures. `id` prefixes
/// the ids of `<title>` and `<desc>` (one chart per page is enough, but ids must be unique).
pub fn daily_revenue_svg(id: &str, title: &str, days: &[ChartDay]) -> String {
    let max = days
        .iter()
        .map(|d| d.revenue.to_f64().unwrap_or(0.0))
        .fold(0.0_f64, f64::max);
    let (step, top) = scale(max);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let y = |v: f64| TOP + plot_h - v / top * plot_h;
    let id = escape(id);

    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trend\" viewBox=\"0 0 {WIDTH} {HEIGHT}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" preserveAspectRatio=\"xMidYMid meet\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(title),
        escape(&describe(days)),
    );

    // horizontal grid and the amounts of the y axis
    svg.push_str("<g class=\"y-axis\">");
    let ticks = (top / step).round() as i64;
    for i in 0..=ticks {
        let value = step * i as f64;
        let ty = y(value);
        svg.push_str(&format!(
            "<line class=\"grid\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{ty:.1}\" y2=\"{ty:.1}\"/>\
             <text x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            WIDTH - RIGHT,
            LEFT - 6.0,
            ty + 4.0,
            escape(&tick_label(value, step)),
        ));
    }
    svg.push_str("</g>");

    // one bar per day, with its tooltip
    let slot = if days.is_empty() {
        plot_w
    } else {
        plot_w / days.len() as f64
    };
    let bar = (slot * 0.7).clamp(1.0, MAX_BAR);
    svg.push_str("<g class=\"bars\">");
    for (i, day) in days.iter().enumerate() {
        let value = day.revenue.to_f64().unwrap_or(0.0).max(0.0);
        let x = LEFT + slot * i as f64 + (slot - bar) / 2.0;
        let top_y = y(value);
        svg.push_str(&format!(
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{top_y:.1}\" width=\"{bar:.1}\" height=\"{:.1}\">\
             <title>{}</title></rect>",
            (TOP + plot_h - top_y).max(0.0),
            escape(&format!(
                "{} : {} ({})",
                day.long,
                money(day.revenue),
                sales_label(day.sales)
            )),
        ));
    }
    svg.push_str("</g>");

    // the x axis and some of the days under it
    let base = TOP + plot_h;
    svg.push_str(&format!(
        "<g class=\"x-axis\"><line class=\"axis\" x1=\"{LEFT}\" x2=\"{}\" y1=\"{base}\" y2=\"{base}\"/>",
        WIDTH - RIGHT
    ));
    let every = days.len().div_ceil(MAX_X_LABELS).max(1);
    for (i, day) in days.iter().enumerate() {
        if i % every == 0 {
            svg.push_str(&format!(
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                LEFT + slot * (i as f64 + 0.5),
                base + 24.0,
                escape(&day.short)
            ));
        }
    }
    svg.push_str("</g></svg>");
    svg
}

/// The step between the y axis' lines and the top of the axis: 1, 2, 2.5 or 5 times a power of
/// ten, about four steps up to the highest bar.
fn scale(max: f64) -> (f64, f64) {
    if max <= 0.0 || !max.is_finite() {
        return (25.0, 100.0);
    }
    let raw = max / 4.0;
    let magnitude = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * magnitude);
    (step, (max / step).ceil().max(1.0) * step)
}

/// `1 500 $` for whole steps, `0,50 $` below a dollar.
fn tick_label(value: f64, step: f64) -> String {
    if step >= 1.0 {
        dollars(value.round() as i64)
    } else {
        money(Decimal::from_f64_retain(value).unwrap_or_default())
    }
}

fn sales_label(sales: i64) -> String {
    match sales {
        0 => "aucune vente".to_owned(),
        1 => "1 vente".to_owned(),
        n => format!("{} ventes", count(n)),
    }
}

/// What the chart shows, in words: the period, the total, the best day and the days without
/// sales.
fn describe(days: &[ChartDay]) -> String {
    let (Some(first), Some(last)) = (days.first(), days.last()) else {
        return "Aucun jour dans la période.".to_owned();
    };
    let total: Decimal = days.iter().map(|d| d.revenue).sum();
    let sales: i64 = days.iter().map(|d| d.sales).sum();
    let span = if days.len() == 1 {
        format!("Le {}", first.long)
    } else {
        format!("Du {} au {} ({} jours)", first.long, last.long, days.len())
    };
    let mut text = format!(
        "{span} : {} de chiffre d'affaires avant taxes, {}.",
        money(total),
        sales_label(sales)
    );
    let best = days
        .iter()
        .filter(|d| d.revenue > Decimal::ZERO)
        .max_by(|a, b| a.revenue.cmp(&b.revenue));
    if let Some(best) = best.filter(|_| days.len() > 1) {
        text.push_str(&format!(
            " Meilleur jour : {} ({}).",
            best.long,
            money(best.revenue)
        ));
    }
    let idle = days.iter().filter(|d| d.sales == 0).count();
    match idle {
        0 => {}
        1 => text.push_str(" 1 jour sans vente."),
        n => text.push_str(&format!(" {n} jours sans vente.")),
    }
    text
}

/// Text and attribute values inside the SVG.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn day(n: u32, revenue: &str, sales: i64) -> ChartDay {
        ChartDay {
            short: format!("{n:02}/01"),
            long: format!("{n} janvier 2025"),
            revenue: Decimal::from_str(revenue).unwrap(),
            sales,
        }
    }

    fn attr(tag: &str, name: &str) -> f64 {
        tag.split(&format!(" {name}=\""))
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap()
    }

    #[test]
    fn one_bar_per_day_as_tall_as_its_revenue() {
        let days = [day(1, "100", 4), day(2, "0", 0), day(3, "350.50", 9)];
        let svg = daily_revenue_svg("trend", "Chiffre d'affaires par jour", &days);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        let bars: Vec<&str> = svg.split("<rect class=\"bar\"").skip(1).collect();
        assert_eq!(bars.len(), 3);
        let heights: Vec<f64> = bars.iter().map(|b| attr(b, "height")).collect();
        assert_eq!(heights[1], 0.0, "a day without sales has an empty bar");
        let ratio = heights[2] / heights[0];
        assert!((ratio - 3.505).abs() < 0.01, "{ratio}");
        // bars sit on the x axis
        for b in &bars {
            assert!((attr(b, "y") + attr(b, "height") - (HEIGHT - BOTTOM)).abs() < 0.11);
        }
        assert!(svg.contains("<title>3 janvier 2025 : 350,50\u{a0}$ (9 ventes)</title>"));
        assert!(svg.contains("<title>2 janvier 2025 : 0,00\u{a0}$ (aucune vente)</title>"));
    }

    #[test]
    fn it_is_labelled_and_described_in_french() {
        let days = [day(1, "100", 4), day(2, "0", 0), day(3, "350.50", 9)];
        let svg = daily_revenue_svg("t", "Chiffre d'affaires <net>", &days);
        assert!(svg.contains("role=\"img\" aria-labelledby=\"t-title t-desc\""));
        assert!(svg.contains("<title id=\"t-title\">Chiffre d&#39;affaires &lt;net&gt;</title>"));
        assert!(svg.contains(
            "<desc id=\"t-desc\">Du 1 janvier 2025 au 3 janvier 2025 (3 jours) : 450,50\u{a0}$ de \
             chiffre d&#39;affaires avant taxes, 13 ventes. Meilleur jour : 3 janvier 2025 \
             (350,50\u{a0}$). 1 jour sans vente.</desc>"
        ));
        // y axis: 0 to 400 $ by 100 $
        for label in ["0\u{a0}$", "100\u{a0}$", "400\u{a0}$"] {
            assert!(svg.contains(&format!(">{label}</text>")), "{label}");
        }
        assert!(!svg.contains(">500\u{a0}$</text>"));
        assert!(svg.contains(">01/01</text>") && svg.contains(">03/01</text>"));
    }

    #[test]
    fn long_periods_keep_a_few_labels_and_thin_bars() {
        let days: Vec<ChartDay> = (1..=90).map(|n| day(n % 28 + 1, "12.5", 1)).collect();
        let svg = daily_revenue_svg("t", "x", &days);
        assert_eq!(svg.matches("<rect class=\"bar\"").count(), 90);
        let x_labels = svg
            .split("class=\"x-axis\"")
            .nth(1)
            .unwrap()
            .matches("<text")
            .count();
        assert!((1..=MAX_X_LABELS).contains(&x_labels), "{x_labels}");
        let one = daily_revenue_svg("t", "x", &days[..1]);
        let width = attr(one.split("<rect class=\"bar\"").nth(1).unwrap(), "width");
        assert_eq!(width, MAX_BAR, "a single day is a bar, not a wall");
        assert!(one.contains("<desc id=\"t-desc\">Le 2 janvier 2025 : 12,50"));
    }

    #[test]
    fn nothing_sold_still_draws_the_axes() {
        let svg = daily_revenue_svg("t", "x", &[day(1, "0", 0), day(2, "0", 0)]);
        assert!(svg.contains(">0\u{a0}$</text>") && svg.contains(">100\u{a0}$</text>"));
        assert!(svg.contains("2 jours sans vente."));
        assert!(daily_revenue_svg("t", "x", &[]).contains("Aucun jour"));
    }

    #[test]
    fn the_scale_uses_round_steps() {
        assert_eq!(scale(350.5), (100.0, 400.0));
        assert_eq!(scale(1234.0), (500.0, 1500.0));
        assert_eq!(scale(9.0), (2.5, 10.0));
        assert_eq!(tick_label(0.5, 0.25), "0,50\u{a0}$");
        assert_eq!(tick_label(15000.0, 5000.0), "15\u{a0}000\u{a0}$");
    }
}
