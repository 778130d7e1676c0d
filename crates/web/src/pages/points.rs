//! `/v/{code}/points`: a village's points system (积分制) — the rules in force (and earlier
//! versions), this year's ranking with masked names and without the households that opted
//! out, and a summary of redemptions. The page shows no full name and no household number
//! anywhere, attributes included; the rules live in `app::points`.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::Response;
use yangguang_app::i18n::PointsTexts;
use yangguang_app::points::{PublicView, RankRow};
use yangguang_core::points::{CapPeriod, signed};
use yangguang_store::StoredRules;

use super::village::find_village;
use super::{Layout, Scope, cached};
use crate::AppState;
use crate::error::WebError;
use crate::prefs::Prefs;

/// A rule item as a line a phone can show: "环境卫生 · 庭院整洁", "+5 分", the cap.
pub struct RuleLine {
    pub category: String,
    pub name: String,
    pub points: String,
    pub merit: bool,
    pub cap: String,
}

pub struct RulesView {
    pub from: String,
    pub items: Vec<RuleLine>,
}

pub fn rules_view(p: &PointsTexts, rules: &StoredRules) -> RulesView {
    RulesView {
        from: rules.version.effective_from.to_string(),
        items: rules
            .version
            .items
            .iter()
            .map(|i| RuleLine {
                category: i.category.clone(),
                name: i.name.clone(),
                points: format!("{} {}", signed(i.points), p.points_unit),
                merit: i.is_merit(),
                cap: i
                    .cap
                    .map(|c| {
                        let per = if c.per == CapPeriod::Year { p.cap_year } else { p.cap_month };
                        format!("{per} {} {}", c.points, p.points_unit)
                    })
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

#[derive(Template)]
#[template(path = "points.html")]
struct PointsPage {
    layout: Layout,
    p: &'static PointsTexts,
    village_name: String,
    current: Option<RulesView>,
    past: Vec<RulesView>,
    upcoming: Vec<RulesView>,
    year: i32,
    ranking: Vec<(String, RankRow)>,
    redemption_line: String,
    redemption_items: Vec<(String, usize, i64)>,
}

pub async fn points(
    State(state): State<AppState>,
    Path(code): Path<String>,
    headers: HeaderMap,
    uri: Uri,
) -> Result<Response, WebError> {
    let prefs = Prefs::from_headers(&headers);
    let village = find_village(&state, &code)?;
    cached(&state, &headers, &prefs, &uri, Scope::Village(village.code), || async {
        let p = prefs.lang.points();
        let view: PublicView =
            yangguang_app::points::public_view(&state.site, village.code, yangguang_app::today()).await?;
        let r = &view.redemptions;
        let page = PointsPage {
            layout: super::register_layout(&state, &prefs, &uri, &village, (p.title, "points"), None),
            p,
            village_name: village.name.clone(),
            current: view.current.as_ref().map(|c| rules_view(p, c)),
            past: view.past.iter().map(|c| rules_view(p, c)).collect(),
            upcoming: view.upcoming.iter().map(|c| rules_view(p, c)).collect(),
            year: view.year,
            ranking: view.ranking.into_iter().map(|row| (p.place.replace("{n}", &row.rank.to_string()), row)).collect(),
            redemption_line: if r.count == 0 {
                p.no_redemptions.into()
            } else {
                p.redemption_summary(r.households, r.count, r.points)
            },
            redemption_items: r.items.clone(),
        };
        Ok(page.render()?)
    })
    .await
}
