//! The report's charts, drawn with plotters' SVG backend into strings: line charts of the day
//! and of swept parameters (with interval bands or error bars), grouped and stacked horizontal
//! bars with error bars, and the cost–satisfaction scatter with its Pareto front.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::data::Est;
use crate::error::{Error, Result};

/// Width of every chart [px]; two fit side by side on a 1280 px window.
pub const WIDTH: u32 = 590;
/// Height of a line chart [px].
pub const HEIGHT: u32 = 340;
const FONT: &str = "sans-serif";

/// Colours that stay apart for colour-blind readers (Okabe–Ito), then a few more.
pub const PALETTE: [RGBColor; 10] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(120, 120, 120),
    RGBColor(150, 110, 40),
    RGBColor(110, 80, 170),
    RGBColor(20, 90, 50),
];

/// Colour of the "all" series.
pub const ALL: RGBColor = RGBColor(20, 20, 20);
/// Colour of target lines.
pub const TARGET: RGBColor = RGBColor(200, 30, 30);

/// The i-th colour of the palette.
pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

fn err<E: std::fmt::Debug>(e: E) -> Error {
    Error::Internal(format!("drawing a chart: {e:?}"))
}

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;

/// Draw into an SVG string of the given size; the namespace attribute is dropped (inline SVG
/// in HTML needs none, and the page then names no address at all).
fn svg(w: u32, h: u32, draw: impl FnOnce(&Area) -> Result<()>) -> Result<String> {
    let mut buf = String::new();
    {
        let root = SVGBackend::with_string(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        draw(&root)?;
        root.present().map_err(err)?;
    }
    Ok(buf
        .replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
        .replacen("<svg ", "<svg role=\"img\" ", 1))
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Mark {
    /// A line.
    Line,
    /// A dashed line.
    Dashed,
    /// A filled box.
    Box,
    /// A dot.
    Dot,
    /// A triangle.
    Triangle,
}

/// One legend entry.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Text.
    pub label: String,
    /// Colour.
    pub color: RGBColor,
    /// Drawn as.
    pub mark: Mark,
}

fn shorten(s: &str, chars: usize) -> String {
    if s.chars().count() <= chars {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(chars.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// Draw legend entries one per line from the top left of `area`.
fn legend(area: &Area, entries: &[Entry], chars: usize) -> Result<()> {
    for (i, e) in entries.iter().enumerate() {
        let y = 14 + 19 * i as i32;
        let style = ShapeStyle::from(e.color).stroke_width(2);
        match e.mark {
            Mark::Line => area
                .draw(&PathElement::new(vec![(4, y), (26, y)], style))
                .map_err(err)?,
            Mark::Dashed => {
                for x in [4, 13, 22] {
                    area.draw(&PathElement::new(vec![(x, y), (x + 5, y)], style))
                        .map_err(err)?;
                }
            }
            Mark::Box => area
                .draw(&Rectangle::new([(6, y - 6), (24, y + 6)], e.color.filled()))
                .map_err(err)?,
            Mark::Dot => area
                .draw(&Circle::new((15, y), 5, e.color.filled()))
                .map_err(err)?,
            Mark::Triangle => area
                .draw(&TriangleMarker::new((15, y), 7, e.color.filled()))
                .map_err(err)?,
        }
        area.draw(&Text::new(
            shorten(&e.label, chars),
            (32, y - 7),
            (FONT, 13).into_font().color(&BLACK),
        ))
        .map_err(err)?;
    }
    Ok(())
}

/// Split off a legend: on the right when the labels are short, else below the plot.
/// Returns the plot's area and the chart's height.
fn with_legend<'a>(root: &Area<'a>, entries: &[Entry], h: u32) -> Result<Area<'a>> {
    if entries.is_empty() {
        return Ok(root.clone());
    }
    let longest = entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0);
    if longest <= 18 {
        // Room for the longest label (about 7 px a character at 13 px) and its mark.
        let side = (40 + 7 * longest as u32).clamp(100, 170);
        let (plot, side) = root.split_horizontally(WIDTH - side);
        legend(&side.margin(30, 0, 4, 0), entries, 18)?;
        Ok(plot)
    } else {
        let below = legend_below_height(entries);
        let (plot, under) = root.split_vertically(h - below);
        legend(&under.margin(0, 0, 60, 0), entries, 70)?;
        Ok(plot)
    }
}

fn legend_below_height(entries: &[Entry]) -> u32 {
    let longest = entries
        .iter()
        .map(|e| e.label.chars().count())
        .max()
        .unwrap_or(0);
    if longest <= 18 {
        0
    } else {
        8 + 19 * entries.len() as u32
    }
}

/// A number for an axis label: few digits, no float noise.
pub fn tick(v: f64) -> String {
    let a = v.abs();
    let s = if a == 0.0 {
        "0".to_string()
    } else if a >= 100_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    // Drop trailing zeros of a decimal part.
    if s.contains('.') && !s.ends_with('k') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// The range to show for these values: from zero when all are positive, with some headroom.
fn span(values: impl Iterator<Item = f64>, from_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if from_zero && lo >= 0.0 {
        lo = 0.0;
    }
    if hi - lo < 1e-12 {
        let pad = if hi.abs() > 0.0 { hi.abs() * 0.1 } else { 1.0 };
        return (lo - pad, hi + pad);
    }
    let pad = (hi - lo) * 0.06;
    (if lo == 0.0 { 0.0 } else { lo - pad }, hi + pad)
}

/// One line of a line chart.
#[derive(Debug, Clone)]
pub struct Line {
    /// Legend text.
    pub name: String,
    /// Colour.
    pub color: RGBColor,
    /// Points (x, y), in x order.
    pub points: Vec<(f64, f64)>,
    /// Interval (x, low, high): drawn as a band when `bars` is false, else as error bars.
    pub interval: Vec<(f64, f64, f64)>,
    /// Error bars instead of a band.
    pub bars: bool,
    /// Line width [px].
    pub width: u32,
    /// Draw the points as dots.
    pub dots: bool,
}

/// A line chart.
pub struct LineChart<'a> {
    /// Title above the chart.
    pub title: &'a str,
    /// X axis description with its unit.
    pub x_desc: &'a str,
    /// Y axis description with its unit.
    pub y_desc: &'a str,
    /// X range.
    pub x: (f64, f64),
    /// Number of x labels wanted.
    pub x_labels: usize,
    /// X label text.
    pub x_fmt: &'a dyn Fn(&f64) -> String,
    /// The lines.
    pub lines: Vec<Line>,
    /// A horizontal target line and its legend text.
    pub target: Option<(f64, String)>,
    /// Start the y axis at zero (when every value is positive).
    pub from_zero: bool,
}

/// Draw a line chart.
pub fn line_chart(c: &LineChart) -> Result<String> {
    let mut entries: Vec<Entry> = c
        .lines
        .iter()
        .map(|l| Entry {
            label: l.name.clone(),
            color: l.color,
            mark: Mark::Line,
        })
        .collect();
    if let Some((_, label)) = &c.target {
        entries.push(Entry {
            label: label.clone(),
            color: TARGET,
            mark: Mark::Dashed,
        });
    }
    let show_legend = entries.len() > 1;
    let entries = if show_legend { entries } else { Vec::new() };
    let h = HEIGHT + legend_below_height(&entries);
    svg(WIDTH, h, |root| {
        let plot = with_legend(root, &entries, h)?;
        let values = c
            .lines
            .iter()
            .flat_map(|l| {
                l.points
                    .iter()
                    .map(|p| p.1)
                    .chain(l.interval.iter().flat_map(|i| [i.1, i.2]))
            })
            .chain(c.target.iter().map(|t| t.0));
        let (y0, y1) = span(values, c.from_zero);
        let mut chart = ChartBuilder::on(&plot)
            .caption(c.title, (FONT, 17))
            .margin(8)
            .x_label_area_size(42)
            .y_label_area_size(58)
            .build_cartesian_2d(c.x.0..c.x.1, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(c.x_labels)
            .y_labels(7)
            .x_label_formatter(c.x_fmt)
            .y_label_formatter(&|v| tick(*v))
            .x_desc(c.x_desc)
            .y_desc(c.y_desc)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(err)?;
        for l in &c.lines {
            if l.bars {
                chart
                    .draw_series(l.interval.iter().map(|&(x, lo, hi)| {
                        ErrorBar::new_vertical(x, lo, (lo + hi) / 2.0, hi, l.color, 8)
                    }))
                    .map_err(err)?;
            } else if l.interval.len() > 1 {
                let mut ring: Vec<(f64, f64)> = l.interval.iter().map(|i| (i.0, i.2)).collect();
                ring.extend(l.interval.iter().rev().map(|i| (i.0, i.1)));
                chart
                    .draw_series(std::iter::once(Polygon::new(ring, l.color.mix(0.18))))
                    .map_err(err)?;
            }
            if l.width > 0 {
                chart
                    .draw_series(LineSeries::new(
                        l.points.iter().copied(),
                        l.color.stroke_width(l.width),
                    ))
                    .map_err(err)?;
            }
            if l.dots {
                chart
                    .draw_series(
                        l.points
                            .iter()
                            .map(|&p| Circle::new(p, 3, l.color.filled())),
                    )
                    .map_err(err)?;
            }
        }
        if let Some((t, _)) = &c.target {
            chart
                .draw_series(DashedLineSeries::new(
                    [(c.x.0, *t), (c.x.1, *t)],
                    8,
                    5,
                    TARGET.stroke_width(2),
                ))
                .map_err(err)?;
        }
        Ok(())
    })
}

/// One series of a bar chart: a value per category.
#[derive(Debug, Clone)]
pub struct Bars {
    /// Legend text.
    pub name: String,
    /// Colour.
    pub color: RGBColor,
    /// Value per category (none: not defined there).
    pub values: Vec<Option<Est>>,
}

/// Horizontal grouped bars with error bars, one row per category.
pub struct BarChart<'a> {
    /// Title.
    pub title: &'a str,
    /// Value axis description with its unit.
    pub x_desc: &'a str,
    /// Category names, top to bottom.
    pub categories: Vec<String>,
    /// Series, drawn top to bottom within a category.
    pub series: Vec<Bars>,
    /// Multiply values by this for display (100 for shares shown in %).
    pub scale: f64,
    /// A vertical reference line and its legend text.
    pub reference: Option<(f64, String)>,
}

fn label_area(categories: &[String]) -> u32 {
    let longest = categories
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(4)
        .min(24);
    (longest as u32 * 8 + 14).max(40)
}

fn category_label(categories: &[String], y: f64) -> String {
    let n = categories.len();
    let r = y.round();
    if (y - r).abs() > 1e-6 || r < 0.0 || r as usize >= n {
        return String::new();
    }
    shorten(&categories[n - 1 - r as usize], 24)
}

/// Draw a bar chart.
pub fn bar_chart(c: &BarChart) -> Result<String> {
    let n = c.categories.len().max(1);
    let k = c.series.len().max(1);
    let row = (k as u32 * 13 + 12).max(26);
    let mut entries: Vec<Entry> = if k > 1 {
        c.series
            .iter()
            .map(|s| Entry {
                label: s.name.clone(),
                color: s.color,
                mark: Mark::Box,
            })
            .collect()
    } else {
        Vec::new()
    };
    if let Some((_, label)) = &c.reference {
        entries.push(Entry {
            label: label.clone(),
            color: TARGET,
            mark: Mark::Dashed,
        });
    }
    let legend_rows = 40 + 19 * entries.len() as u32;
    let h0 = (90 + n as u32 * row).max(200).max(legend_rows);
    let h = h0 + legend_below_height(&entries);
    svg(WIDTH, h, |root| {
        let plot = with_legend(root, &entries, h)?;
        let values = c
            .series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .flat_map(|e| [Some(e.mean), e.lo, e.hi])
            .flatten()
            .chain(c.reference.iter().map(|r| r.0))
            .map(|v| v * c.scale);
        let (x0, x1) = span(values, true);
        let cats = &c.categories;
        let fmt = move |y: &f64| category_label(cats, *y);
        let mut chart = ChartBuilder::on(&plot)
            .caption(c.title, (FONT, 17))
            .margin(8)
            .margin_right(18)
            .x_label_area_size(42)
            .y_label_area_size(label_area(&c.categories))
            .build_cartesian_2d(x0..x1, -0.5..(n as f64 - 0.5))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(7)
            .y_labels(n)
            .y_label_formatter(&fmt)
            .x_label_formatter(&|v| tick(*v))
            .x_desc(c.x_desc)
            .disable_y_mesh()
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(err)?;
        let band = 0.8 / k as f64;
        for (j, s) in c.series.iter().enumerate() {
            for (i, v) in s.values.iter().enumerate() {
                let Some(v) = v else { continue };
                let yc = (n - 1 - i) as f64 + 0.4 - (j as f64 + 0.5) * band;
                let h = band * 0.42;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(0.0, yc - h), (v.mean * c.scale, yc + h)],
                        s.color.mix(0.85).filled(),
                    )))
                    .map_err(err)?;
                if let Some((lo, hi)) = v.interval() {
                    chart
                        .draw_series(std::iter::once(ErrorBar::new_horizontal(
                            yc,
                            lo * c.scale,
                            v.mean * c.scale,
                            hi * c.scale,
                            BLACK.stroke_width(1),
                            6,
                        )))
                        .map_err(err)?;
                }
            }
        }
        if let Some((r, _)) = &c.reference {
            let r = r * c.scale;
            chart
                .draw_series(DashedLineSeries::new(
                    [(r, -0.5), (r, n as f64 - 0.5)],
                    6,
                    4,
                    TARGET.stroke_width(2),
                ))
                .map_err(err)?;
        }
        Ok(())
    })
}

/// Horizontal stacked bars: each category's shares of the segments, adding to 1.
pub struct Stacked<'a> {
    /// Title.
    pub title: &'a str,
    /// Value axis description.
    pub x_desc: &'a str,
    /// Category names, top to bottom.
    pub categories: Vec<String>,
    /// Segment names and colours, left to right.
    pub segments: Vec<(String, RGBColor)>,
    /// Shares per category, per segment.
    pub values: Vec<Vec<f64>>,
}

/// Draw stacked bars (in %).
pub fn stacked(c: &Stacked) -> Result<String> {
    let n = c.categories.len().max(1);
    let entries: Vec<Entry> = c
        .segments
        .iter()
        .map(|(label, color)| Entry {
            label: label.clone(),
            color: *color,
            mark: Mark::Box,
        })
        .collect();
    let h = (90 + n as u32 * 30).max(60 + 19 * entries.len() as u32);
    svg(WIDTH, h, |root| {
        let plot = with_legend(root, &entries, h)?;
        let cats = &c.categories;
        let fmt = move |y: &f64| category_label(cats, *y);
        let mut chart = ChartBuilder::on(&plot)
            .caption(c.title, (FONT, 17))
            .margin(8)
            .margin_right(18)
            .x_label_area_size(42)
            .y_label_area_size(label_area(&c.categories))
            .build_cartesian_2d(0.0..100.0, -0.5..(n as f64 - 0.5))
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(n)
            .y_label_formatter(&fmt)
            .x_label_formatter(&|v| tick(*v))
            .x_desc(c.x_desc)
            .disable_y_mesh()
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(err)?;
        for (i, shares) in c.values.iter().enumerate() {
            let yc = (n - 1 - i) as f64;
            let mut at = 0.0;
            for (share, (_, color)) in shares.iter().zip(&c.segments) {
                let w = share * 100.0;
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(at, yc - 0.32), (at + w, yc + 0.32)],
                        color.filled(),
                    )))
                    .map_err(err)?;
                at += w;
            }
        }
        Ok(())
    })
}

/// One scenario of the scatter.
#[derive(Debug, Clone)]
pub struct Dot {
    /// x (cost).
    pub x: Est,
    /// y (satisfaction).
    pub y: Est,
    /// Number shown next to a point on the Pareto front (1-based), if on it.
    pub front: Option<usize>,
    /// The comparison scenario.
    pub base: bool,
}

/// Scatter of scenarios with error bars both ways and the Pareto front joined and numbered.
pub fn scatter(title: &str, x_desc: &str, y_desc: &str, dots: &[Dot]) -> Result<String> {
    let entries = vec![
        Entry {
            label: "scenario".into(),
            color: PALETTE[0],
            mark: Mark::Dot,
        },
        Entry {
            label: "Pareto front".into(),
            color: PALETTE[5],
            mark: Mark::Line,
        },
        Entry {
            label: "base".into(),
            color: ALL,
            mark: Mark::Triangle,
        },
        Entry {
            label: "95 % intervals".into(),
            color: RGBColor(150, 150, 150),
            mark: Mark::Line,
        },
    ];
    let h = 420;
    svg(WIDTH, h, |root| {
        let plot = with_legend(root, &entries, h)?;
        let xs = dots
            .iter()
            .flat_map(|d| [Some(d.x.mean), d.x.lo, d.x.hi])
            .flatten();
        let ys = dots
            .iter()
            .flat_map(|d| [Some(d.y.mean), d.y.lo, d.y.hi])
            .flatten();
        let (x0, x1) = span(xs, false);
        let (y0, y1) = span(ys, false);
        let mut chart = ChartBuilder::on(&plot)
            .caption(title, (FONT, 17))
            .margin(8)
            .margin_right(18)
            .x_label_area_size(42)
            .y_label_area_size(58)
            .build_cartesian_2d(x0..x1, y0..y1)
            .map_err(err)?;
        chart
            .configure_mesh()
            .x_labels(6)
            .y_labels(7)
            .x_label_formatter(&|v| tick(*v))
            .y_label_formatter(&|v| tick(*v))
            .x_desc(x_desc)
            .y_desc(y_desc)
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 13))
            .max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .bold_line_style(RGBColor(215, 215, 215))
            .draw()
            .map_err(err)?;
        let grey = RGBColor(170, 170, 170).stroke_width(1);
        for d in dots {
            if let Some((lo, hi)) = d.y.interval() {
                chart
                    .draw_series(std::iter::once(ErrorBar::new_vertical(
                        d.x.mean, lo, d.y.mean, hi, grey, 4,
                    )))
                    .map_err(err)?;
            }
            if let Some((lo, hi)) = d.x.interval() {
                chart
                    .draw_series(std::iter::once(ErrorBar::new_horizontal(
                        d.y.mean, lo, d.x.mean, hi, grey, 4,
                    )))
                    .map_err(err)?;
            }
        }
        let mut front: Vec<&Dot> = dots.iter().filter(|d| d.front.is_some()).collect();
        front.sort_by(|a, b| a.x.mean.total_cmp(&b.x.mean));
        chart
            .draw_series(LineSeries::new(
                front.iter().map(|d| (d.x.mean, d.y.mean)),
                PALETTE[5].stroke_width(2),
            ))
            .map_err(err)?;
        for d in dots {
            let p = (d.x.mean, d.y.mean);
            let color = if d.front.is_some() {
                PALETTE[5]
            } else {
                PALETTE[0]
            };
            chart
                .draw_series(std::iter::once(Circle::new(p, 4, color.filled())))
                .map_err(err)?;
            if d.base {
                chart
                    .draw_series(std::iter::once(TriangleMarker::new(p, 8, ALL.filled())))
                    .map_err(err)?;
            }
            if let Some(k) = d.front {
                chart
                    .draw_series(std::iter::once(
                        EmptyElement::at(p)
                            + Text::new(
                                k.to_string(),
                                (5, -16),
                                (FONT, 13).into_font().color(&PALETTE[5]),
                            ),
                    ))
                    .map_err(err)?;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_short() {
        assert_eq!(tick(0.30000000000000004), "0.3");
        assert_eq!(tick(1500.0), "1500");
        assert_eq!(tick(12.26), "12.3");
        assert_eq!(tick(0.0), "0");
        assert_eq!(tick(250_000.0), "250k");
    }
}
