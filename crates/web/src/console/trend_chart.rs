//! The dashboard's trend chart: 及时率 and 公开率 per month as server-drawn SVG (no script),
//! two lines told apart by stroke (solid, dashed) and marker shape (dots, squares) as well as
//! colour. Hand-written like the visits chart: two polylines on a 0–100% axis need no plotting
//! crate. The page puts the same figures in a table beneath; a month with nothing due has no
//! rate and breaks the line rather than drawing a fake 0%.

use std::fmt::Write;

/// One month: its label and its two rates in thousandths (`None` when nothing was due).
pub struct Point {
    pub label: String,
    pub timely: Option<u32>,
    pub published: Option<u32>,
}

/// Which rate of a month a series draws.
type Rate = fn(&Point) -> Option<u32>;

fn esc(text: &str) -> String {
    askama::filters::escape(text, askama::filters::Html).map(|s| s.to_string()).unwrap_or_default()
}

/// The chart, with `title` and `desc` for screen readers; `id` keeps them unique on the page.
pub fn svg(points: &[Point], title: &str, desc: &str, id: &str, elder: bool) -> String {
    let (w, h, left, top, right) = (480.0_f64, 180.0_f64, 40.0_f64, 10.0_f64, 8.0_f64);
    let font = if elder { 18 } else { 11 };
    let label_gap = if elder { 24.0 } else { 15.0 };
    let n = points.len().max(1) as f64;
    let slot = (w - left - right) / n;
    let x = |i: usize| left + (i as f64 + 0.5) * slot;
    let y = |permille: u32| top + (h - top) * (1.0 - f64::from(permille.min(1000)) / 1000.0);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {}\" role=\"img\" aria-labelledby=\"{id}-t {id}-d\" class=\"chart trend\">\
         <title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        h + label_gap + 4.0,
        esc(title),
        esc(desc)
    );
    for pct in [0u32, 50, 100] {
        let gy = y(pct * 10);
        let _ = write!(
            s,
            "<line x1=\"{left}\" y1=\"{gy:.1}\" x2=\"{}\" y2=\"{gy:.1}\" stroke=\"{}\"/>\
             <text x=\"{}\" y=\"{:.1}\" font-size=\"{font}\" text-anchor=\"end\">{pct}%</text>",
            w - right,
            if pct == 0 { "#4d4d4d" } else { "#d6d6d6" },
            left - 3.0,
            gy + 4.0
        );
    }
    // Each series as runs of consecutive months with a rate (a month with none breaks it).
    let series: [(&str, Rate); 2] = [("timely", |p| p.timely), ("published", |p| p.published)];
    for (class, value) in series {
        let mut run: Vec<String> = vec![];
        let mut runs: Vec<Vec<String>> = vec![];
        for (i, p) in points.iter().enumerate() {
            match value(p) {
                Some(v) => run.push(format!("{:.1},{:.1}", x(i), y(v))),
                None if !run.is_empty() => runs.push(std::mem::take(&mut run)),
                None => {}
            }
        }
        if !run.is_empty() {
            runs.push(run);
        }
        for r in runs {
            let _ = write!(s, "<polyline class=\"{class}\" fill=\"none\" points=\"{}\"/>", r.join(" "));
        }
        for (i, p) in points.iter().enumerate() {
            if let Some(v) = value(p) {
                let (cx, cy) = (x(i), y(v));
                if class == "timely" {
                    let _ = write!(s, "<circle class=\"{class}\" cx=\"{cx:.1}\" cy=\"{cy:.1}\" r=\"3\"/>");
                } else {
                    let _ = write!(
                        s,
                        "<rect class=\"{class}\" x=\"{:.1}\" y=\"{:.1}\" width=\"6\" height=\"6\"/>",
                        cx - 3.0,
                        cy - 3.0
                    );
                }
            }
        }
    }
    // The first, middle and last months named under the axis; the table names them all.
    let last = points.len().saturating_sub(1);
    let mut named = vec![0, last / 2, last];
    named.dedup();
    for i in named {
        if let Some(p) = points.get(i) {
            let anchor = match i {
                0 => "start",
                i if i == last => "end",
                _ => "middle",
            };
            let at = match i {
                0 => left,
                i if i == last => w - right,
                i => x(i),
            };
            let _ = write!(
                s,
                "<text x=\"{at:.1}\" y=\"{}\" font-size=\"{font}\" text-anchor=\"{anchor}\">{}</text>",
                h + label_gap,
                esc(&p.label)
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn point(label: &str, timely: Option<u32>, published: Option<u32>) -> Point {
        Point { label: label.into(), timely, published }
    }

    #[test]
    fn both_lines_with_their_markers_and_the_accessible_names() {
        let pts = [point("1月", Some(1000), Some(1000)), point("2月", Some(500), Some(750))];
        let s = svg(&pts, "走势 <县>", "描述", "t1", false);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.contains("role=\"img\"") && s.contains("<title id=\"t1-t\">走势 &#60;县&#62;</title>"), "{s}");
        assert!(s.contains("<desc id=\"t1-d\">描述</desc>"));
        assert_eq!(s.matches("<circle").count(), 2);
        assert_eq!(s.matches("<rect").count(), 2);
        assert_eq!(s.matches("<polyline").count(), 2);
        // 100% sits on the top line, 50% half way down the plot.
        assert!(s.contains("cy=\"10.0\"") && s.contains("cy=\"95.0\""), "{s}");
    }

    #[test]
    fn a_month_with_nothing_due_breaks_the_line() {
        let pts = [point("1", Some(900), None), point("2", None, None), point("3", Some(800), None)];
        let s = svg(&pts, "t", "d", "x", false);
        assert_eq!(s.matches("<polyline class=\"timely\"").count(), 2);
        assert_eq!(s.matches("<circle").count(), 2);
        assert!(!s.contains("<rect"));
    }
}
