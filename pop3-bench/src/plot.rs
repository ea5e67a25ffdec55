//! The PNG plot: small-mail messages/s against concurrency, one line per
//! server, the concurrencies evenly spaced, each point labelled.

use std::path::Path;

use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use crate::report::{OURS, THEIRS};
use crate::results::{Row, lookup};

/// Fonts tried in turn for the labels (plotters draws text with a TTF
/// font it is handed; Debian's fonts-dejavu-core ships the first).
const FONTS: &[&str] = &[
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
];

fn load_font() -> Result<(), String> {
    for path in FONTS {
        if let Ok(bytes) = std::fs::read(path) {
            // plotters keeps fonts for the life of the program.
            let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
            return register_font("sans-serif", FontStyle::Normal, bytes)
                .map_err(|_| format!("{path}: not a usable font"));
        }
    }
    Err(format!(
        "no font found (tried {}); install fonts-dejavu-core",
        FONTS.join(", ")
    ))
}

/// A server's line: its name, colour and (concurrency, messages/s) points.
type Line = (&'static str, RGBColor, Vec<(f64, f64)>);

/// (concurrency, messages/s) points of one server.
fn series(rows: &[Row], server: &str) -> Vec<(f64, f64)> {
    let mut levels: Vec<u64> = rows
        .iter()
        .filter(|r| r.server == server && r.scenario == "small" && r.metric == "messages_per_s")
        .map(|r| r.concurrency)
        .collect();
    levels.sort_unstable();
    levels.dedup();
    levels
        .into_iter()
        .filter_map(|c| {
            let v = lookup(rows, server, "small", c, "messages_per_s")?;
            (v > 0.0).then_some((c as f64, v))
        })
        .collect()
}

/// Draws the plot to `out` (PNG, 900×600). `subtitle` says which run.
pub fn draw(rows: &[Row], out: &Path, subtitle: &str) -> Result<(), String> {
    load_font()?;
    let mut lines = vec![(OURS, "pop3d", RGBColor(200, 40, 40))];
    lines.push((THEIRS[0].0, THEIRS[0].1, RGBColor(40, 80, 200)));
    lines.push((THEIRS[1].0, THEIRS[1].1, RGBColor(40, 160, 80)));
    let data: Vec<Line> = lines
        .into_iter()
        .map(|(label, name, color)| (name, color, series(rows, label)))
        .filter(|(_, _, points)| !points.is_empty())
        .collect();
    // Concurrencies 1, 8, 64 sit at even steps: positions 0, 1, 2.
    let mut levels: Vec<f64> = data
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|&(c, _)| c))
        .collect();
    levels.sort_by(f64::total_cmp);
    levels.dedup();
    if levels.is_empty() {
        return Err("no small-mail messages/s figures in the results".into());
    }
    let position = |c: f64| levels.iter().position(|&l| l == c).unwrap_or(0) as f64;
    let data: Vec<Line> = data
        .into_iter()
        .map(|(name, color, points)| {
            let placed = points.iter().map(|&(c, v)| (position(c), v)).collect();
            (name, color, placed)
        })
        .collect();
    let hi = data
        .iter()
        .flat_map(|(_, _, p)| p.iter().map(|&(_, v)| v))
        .fold(1.0f64, f64::max);
    let last = (levels.len() - 1) as f64;
    let e = |e: DrawingAreaErrorKind<_>| e.to_string();
    let root = BitMapBackend::new(out, (900, 600)).into_drawing_area();
    root.fill(&WHITE).map_err(e)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("POP3 RETR of 100 × 4 KiB messages: messages/s ({subtitle})"),
            ("sans-serif", 22),
        )
        .margin(20)
        .x_label_area_size(50)
        .y_label_area_size(80)
        .build_cartesian_2d(-0.3f64..last + 0.3, 0f64..hi * 1.15)
        .map_err(e)?;
    chart
        .configure_mesh()
        .x_desc("concurrent sessions")
        .y_desc("messages/s")
        .x_labels(levels.len() * 2 + 1)
        .x_label_formatter(&|x| {
            let i = x.round();
            let on_step = (x - i).abs() < 0.05 && i >= 0.0;
            match levels.get(i as usize) {
                Some(level) if on_step => format!("{level:.0}"),
                _ => String::new(),
            }
        })
        .disable_x_mesh()
        .y_label_formatter(&|y| format!("{y:.0}"))
        .label_style(("sans-serif", 16))
        .draw()
        .map_err(e)?;
    for (name, color, points) in data {
        chart
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(3)))
            .map_err(e)?
            .label(name)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3))
            });
        chart
            .draw_series(points.iter().map(|&p| Circle::new(p, 5, color.filled())))
            .map_err(e)?;
        chart
            .draw_series(points.iter().map(|&(x, y)| {
                EmptyElement::at((x, y))
                    + Text::new(
                        format!("{y:.0}"),
                        (8, -20),
                        ("sans-serif", 15).into_font().color(&color),
                    )
            }))
            .map_err(e)?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font(("sans-serif", 16))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(e)?;
    root.present().map_err(e)?;
    Ok(())
}
