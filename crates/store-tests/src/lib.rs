//! The store contract as tests: every backend runs this same suite through
//! [`contract_tests!`], so SQLite and PostgreSQL behave alike.

use chrono::{DateTime, TimeZone, Utc};
use yangguang_core::log_leaf::{LeafEntry, Replaced};
use yangguang_core::publication::{Checkpoint, GENESIS, LogAction, SignoffRecord, verify_chain};
use yangguang_core::staff::{Grant, Role};
use yangguang_core::{
    Attachment, DisclosureId, DisclosureKind, DisclosureState, NewDisclosure, Period, Region, RegionCode, RegionKind,
};
use yangguang_store::{
    AuditEntry, BookFreeze, Decision, DisclosureQuery, DraftEdit, NewRecord, NewStaff, RecordCounts, Session, Signoff,
    Store, StoreError, TreeCheckpoint, Upserted, WorkQuery,
};

/// Generates one `#[tokio::test]` per contract test. `$factory` is an async fn returning the
/// store (or `Option` of it, with `optional`, where `None` means "not configured here"); the
/// optional cleanup closure runs after each test.
#[macro_export]
macro_rules! contract_tests {
    ($factory:ident) => {
        $crate::contract_tests!(@all $factory, (|s| async move { Some(s) }), (|_s| async {}));
    };
    ($factory:ident, optional, $cleanup:expr) => {
        $crate::contract_tests!(@all $factory, (|s| async move { s }), ($cleanup));
    };
    // The one list of contract tests.
    (@all $factory:ident, $wrap:tt, $cleanup:tt) => {
        $crate::contract_tests!(@each $factory, $wrap, $cleanup,
            regions_round_trip_and_upsert_updates_names,
            unknown_region_is_not_found,
            region_with_unknown_parent_is_refused,
            disclosures_round_trip_with_attachments,
            lists_are_newest_first_paginated_and_filtered_by_column,
            drafts_are_never_listed,
            a_batch_with_one_bad_disclosure_stores_nothing,
            published_periods_name_item_and_period,
            unknown_disclosure_is_not_found,
            migrating_twice_is_harmless,
            published_inserts_are_logged_in_one_chain,
            a_correction_supersedes_and_a_withdrawal_withdraws,
            only_submitted_versions_publish_and_published_ones_never_change,
            state_changes_check_the_current_state,
            signoffs_round_trip_in_order,
            work_lists_filter_by_region_prefix_and_state,
            batch_reads_match_single_reads_and_every_submission_is_listed,
            scheduled_versions_come_due,
            staff_round_trip_with_grants_and_unique_usernames,
            sessions_are_found_and_revoked,
            login_failures_are_counted_by_account_or_address,
            login_attempts_are_claimed_within_the_limits,
            a_totp_step_is_claimed_once,
            the_audit_trail_reads_newest_first,
            checkpoints_round_trip,
            tree_checkpoints_round_trip_once_per_size,
            vouchers_import_idempotently_and_replace_unlocked_changes,
            bulk_written_lines_keep_every_character,
            a_changed_locked_voucher_is_a_conflict_and_nothing_is_stored,
            published_books_are_frozen_against_new_and_changed_vouchers,
            an_import_session_finds_repeats_across_batches_and_rolls_back_whole,
            receipts_attach_to_vouchers_once,
            public_disclosures_page_by_key_and_stay_stable_while_rows_arrive,
            the_receipt_tray_moves_scans_onto_vouchers_and_back,
            questions_move_through_their_states_once_and_escalate_once,
            satisfaction_is_one_changeable_vote_per_voter_and_item,
            integration_tokens_are_found_by_hash,
            saved_ledger_columns_are_replaced_per_village,
            records_upsert_idempotently_and_page_by_key,
            replacing_a_village_register_removes_what_is_gone,
            a_record_for_an_unknown_village_stores_nothing,
            platform_state_is_claimed_once_and_pruned,
            published_lists_search_filter_scope_and_page,
            a_preview_is_taken_once_by_its_clerk_for_its_village_before_it_expires,
            stored_vouchers_come_with_their_lines_and_lock,
            a_changed_voucher_flags_its_scans_until_a_clerk_confirms_them,
            sealed_tips_round_trip_with_attachments_states_and_replies,
            reports_move_through_their_statuses_and_keep_a_history,
            reports_are_listed_by_region_and_publicly_only_when_resolved,
            throttles_are_claimed_within_their_limits,
            decisions_keep_their_steps_files_publications_and_links,
            points_rules_move_forward_in_versions,
            point_events_keep_within_caps_and_are_corrected_never_edited,
            redemptions_need_the_balance_and_households_may_leave_the_ranking,
            redemptions_are_corrected_by_a_counter_entry_never_edited,
            party_records_round_trip_per_village,
            powers_and_the_seal_log_stay_in_their_village,
            rule_versions_are_numbered_per_document_and_linked_to_disclosures,
            a_catalog_items_versions_are_found_by_village_and_period,
            the_change_feed_reads_in_order_from_where_a_reader_was,
            a_listener_wakes_on_changes_where_the_database_notifies,
            a_lease_has_one_holder_until_it_lapses_or_is_released,
            state_is_replaced_only_from_the_value_read,
            the_search_feed_is_a_sequence_of_villages_read_after_a_cursor,
            visit_counters_add_up_and_sum_by_day_village_and_column,
            calendar_reads_count_published_and_waiting_versions_and_vouchers_per_month,
            warnings_keep_their_state_across_recomputes_and_every_change_is_on_the_trail,
            warning_reads_find_shared_scans_scan_counts_signoffs_and_overrides);
    };
    (@each $factory:ident, ($wrap:expr), ($cleanup:expr), $($name:ident),*) => {
        $(
            #[tokio::test]
            async fn $name() {
                let Some(store) = ($wrap)($factory().await).await else { return };
                $crate::$name(&store).await;
                ($cleanup)(store).await;
            }
        )*
    };
}

pub(crate) fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

/// A county with one town and two villages.
pub fn sample_regions() -> Vec<Region> {
    let r = |c: &str, name: &str, parent: Option<&str>, kind| Region {
        code: code(c),
        name: name.into(),
        parent: parent.map(code),
        kind,
    };
    vec![
        r("339921000000", "清溪县", None, RegionKind::County),
        r("339921100000", "青山镇", Some("339921000000"), RegionKind::Town),
        r("339921100201", "前山村", Some("339921100000"), RegionKind::Village),
        r("339921100001", "青山社区", Some("339921100000"), RegionKind::Community),
    ]
}

pub(crate) fn disclosure(village: &str, column: &str, title: &str, day: u32) -> NewDisclosure {
    let at = Utc.with_ymd_and_hms(2026, 3, day, 2, 0, 0).unwrap();
    NewDisclosure {
        village: code(village),
        column: column.into(),
        catalog_item: None,
        period: None,
        title: title.into(),
        body_md: format!("# {title}\n\n正文"),
        state: DisclosureState::Published,
        created_at: at,
        published_at: Some(at),
        attachments: vec![],
        kind: DisclosureKind::Original,
        replaces: None,
        reason: None,
        created_by: None,
        signoffs: vec![],
    }
}

pub(crate) fn draft(village: &str, title: &str) -> NewDisclosure {
    NewDisclosure { state: DisclosureState::Draft, published_at: None, ..disclosure(village, "party-life", title, 2) }
}

pub(crate) fn time(day: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 4, day, 3, 0, 0).unwrap()
}

pub(crate) fn signoff_record(hash: &str) -> SignoffRecord {
    SignoffRecord {
        staff_id: 1,
        reviewer: "王*明".into(),
        role: "supervision-committee".into(),
        at: time(1),
        content_hash: hash.into(),
        comment: Some("同意".into()),
    }
}

pub(crate) async fn seeded(store: &dyn Store) {
    store.upsert_regions(&sample_regions()).await.unwrap();
}

mod books;
mod calendar;
mod cluster;
mod decisions;
mod disclosures;
mod governance;
mod points;
mod previews;
mod public_api;
mod published;
mod questions;
mod records;
mod reports;
mod search;
mod staff;
mod tips;
mod tray;
mod visits;
mod warnings;

pub use books::*;
pub use calendar::*;
pub use cluster::*;
pub use decisions::*;
pub use disclosures::*;
pub use governance::*;
pub use points::*;
pub use previews::*;
pub use public_api::*;
pub use published::*;
pub use questions::*;
pub use records::*;
pub use reports::*;
pub use search::*;
pub use staff::*;
pub use tips::*;
pub use tray::*;
pub use visits::*;
pub use warnings::*;
