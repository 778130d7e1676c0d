//! Staff, sessions, login failures, the audit trail and checkpoints.

use super::*;

pub(crate) fn new_staff(username: &str) -> NewStaff {
    NewStaff {
        username: username.into(),
        display_name: format!("{username} 的名字"),
        password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into(),
        must_change_password: true,
        phone: None,
        grants: vec![
            Grant::new(Role::SupervisionMember, code("339921100201")).unwrap(),
            Grant::new(Role::TownshipReviewer, code("339921100000")).unwrap(),
        ],
        created_at: time(1),
    }
}

pub async fn staff_round_trip_with_grants_and_unique_usernames(store: &dyn Store) {
    seeded(store).await;
    let id = store.create_staff(&new_staff("wang")).await.unwrap();
    let mut staff = store.get_staff(id).await.unwrap();
    assert_eq!((staff.username.as_str(), staff.must_change_password, staff.grants.len()), ("wang", true, 2));
    assert_eq!(store.find_staff("wang").await.unwrap().unwrap(), staff);
    assert!(store.find_staff("nobody").await.unwrap().is_none());
    assert!(matches!(store.create_staff(&new_staff("wang")).await.unwrap_err(), StoreError::Conflict(_)));
    staff.must_change_password = false;
    staff.totp_secret = Some("JBSWY3DPEHPK3PXP".into());
    staff.grants = vec![Grant::new(Role::VillageClerk, code("339921100001")).unwrap()];
    staff.phone = Some("13900001111".into());
    store.update_staff(&staff).await.unwrap();
    assert_eq!(store.get_staff(id).await.unwrap(), staff);
    assert_eq!(store.list_staff().await.unwrap().len(), 1);
    let with_phone =
        store.create_staff(&NewStaff { phone: Some("13800002222".into()), ..new_staff("li") }).await.unwrap();
    assert_eq!(store.get_staff(with_phone).await.unwrap().phone.as_deref(), Some("13800002222"));
}

pub async fn sessions_are_found_and_revoked(store: &dyn Store) {
    seeded(store).await;
    let id = store.create_staff(&new_staff("li")).await.unwrap();
    let session = |hash: &str| Session {
        token_hash: hash.into(),
        staff_id: id,
        csrf_token: "csrf".into(),
        created_at: time(1),
        expires_at: time(2),
        revoked: false,
        ip: "127.0.0.1".into(),
    };
    store.create_session(&session("a")).await.unwrap();
    store.create_session(&session("b")).await.unwrap();
    assert_eq!(store.get_session("a").await.unwrap(), Some(session("a")));
    store.revoke_session("a").await.unwrap();
    assert!(store.get_session("a").await.unwrap().unwrap().revoked);
    assert_eq!(store.revoke_sessions(id).await.unwrap(), 1);
    assert!(store.get_session("b").await.unwrap().unwrap().revoked);
    assert!(store.get_session("zzz").await.unwrap().is_none());
}

pub async fn login_failures_are_counted_by_account_or_address(store: &dyn Store) {
    for (user, ip, day) in [("wang", "10.0.0.1", 1), ("wang", "10.0.0.2", 2), ("li", "10.0.0.1", 3)] {
        store.record_login_failure(user, ip, time(day)).await.unwrap();
    }
    assert_eq!(store.count_login_failures(Some("wang"), None, time(1)).await.unwrap(), 2);
    assert_eq!(store.count_login_failures(Some("wang"), None, time(2)).await.unwrap(), 1);
    assert_eq!(store.count_login_failures(None, Some("10.0.0.1"), time(1)).await.unwrap(), 2);
    assert_eq!(store.count_login_failures(Some("zhao"), Some("10.9.9.9"), time(1)).await.unwrap(), 0);
}

pub async fn login_attempts_are_claimed_within_the_limits(store: &dyn Store) {
    let limits = yangguang_store::LoginLimits { per_account: 2, per_address: 3 };
    let claim = |user: &'static str, ip: &'static str, day: u32| {
        store.claim_login_attempt(user, ip, time(1), limits, time(day))
    };
    let first = claim("wang", "10.0.0.1", 1).await.unwrap().expect("under the limits");
    assert!(claim("wang", "10.0.0.2", 2).await.unwrap().is_some());
    assert!(claim("wang", "10.0.0.3", 2).await.unwrap().is_none(), "the account's limit");
    // A claim that went well is forgotten and frees its place.
    store.forget_login_attempt(first).await.unwrap();
    assert!(claim("wang", "10.0.0.1", 2).await.unwrap().is_some());
    assert!(claim("li", "10.0.0.1", 2).await.unwrap().is_some());
    assert!(claim("li", "10.0.0.1", 2).await.unwrap().is_some());
    assert!(claim("zhao", "10.0.0.1", 2).await.unwrap().is_none(), "the address's limit");
    assert_eq!(store.count_login_failures(Some("wang"), None, time(1)).await.unwrap(), 2);
    // Failures before `since` do not count.
    assert!(store.claim_login_attempt("wang", "10.0.0.9", time(3), limits, time(3)).await.unwrap().is_some());
}

pub async fn a_totp_step_is_claimed_once(store: &dyn Store) {
    seeded(store).await;
    let id = store.create_staff(&new_staff("wang")).await.unwrap();
    assert!(store.claim_totp_step(id, 100).await.unwrap());
    assert!(!store.claim_totp_step(id, 100).await.unwrap(), "the same step again");
    assert!(!store.claim_totp_step(id, 99).await.unwrap(), "an older step");
    assert!(store.claim_totp_step(id, 101).await.unwrap());
    let other = store.create_staff(&new_staff("li")).await.unwrap();
    assert!(store.claim_totp_step(other, 100).await.unwrap(), "each account its own");
}

pub async fn the_audit_trail_reads_newest_first(store: &dyn Store) {
    for (i, action) in ["login", "draft", "publish"].iter().enumerate() {
        store
            .append_audit(&AuditEntry {
                at: time(1 + i as u32),
                staff_id: None,
                staff_name: "系统".into(),
                action: action.to_string(),
                target: "339921100201".into(),
                detail: String::new(),
                ip: "127.0.0.1".into(),
            })
            .await
            .unwrap();
    }
    let page = store.list_audit(1, 2).await.unwrap();
    assert_eq!(page.total, 3);
    assert_eq!(page.items.iter().map(|a| a.action.as_str()).collect::<Vec<_>>(), ["publish", "draft"]);
}

pub async fn checkpoints_round_trip(store: &dyn Store) {
    let cp = Checkpoint::sign(3, &"e".repeat(64), time(5), &[9u8; 32]);
    store.add_checkpoint(&cp).await.unwrap();
    let later = Checkpoint::sign(4, &"f".repeat(64), time(6), &[9u8; 32]);
    store.add_checkpoint(&later).await.unwrap();
    let got = store.list_checkpoints(10).await.unwrap();
    assert_eq!(got, vec![later, cp]);
    got[0].verify(None).unwrap();
}
