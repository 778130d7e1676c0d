//! Staff roles and what they may do, each role granted on a region. A grant on a town or
//! county covers every village below it; the village committees' roles (clerk, branch,
//! supervision committee, finance review group) are granted on one village, which is what
//! makes someone a member of that village's committee.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::catalog::ReviewerRole;
use crate::region::{CodeLevel, RegionCode};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// 村务工作者、报账员: drafts disclosures.
    VillageClerk,
    /// 党支部委员: signs off party-affairs items.
    BranchMember,
    /// 村务监督委员会成员.
    SupervisionMember,
    /// 民主理财小组成员.
    FinanceGroupMember,
    /// 镇（街道）审核员.
    TownshipReviewer,
    /// 农业农村局: runs the platform for the county.
    CountyOperator,
    /// 民政局: owns the catalog.
    CatalogAdmin,
    /// 农商银行: inclusive-finance content.
    BankEditor,
    /// 纪委监委: supervision, audit trail.
    DisciplineCommission,
    /// 平台管理员.
    PlatformAdmin,
    /// 网格员: handles the village's problem reports (随手拍).
    GridWorker,
}

pub const ALL_ROLES: [Role; 11] = [
    Role::VillageClerk,
    Role::BranchMember,
    Role::SupervisionMember,
    Role::FinanceGroupMember,
    Role::TownshipReviewer,
    Role::CountyOperator,
    Role::CatalogAdmin,
    Role::BankEditor,
    Role::DisciplineCommission,
    Role::PlatformAdmin,
    Role::GridWorker,
];

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VillageClerk => "village-clerk",
            Self::BranchMember => "branch-member",
            Self::SupervisionMember => "supervision-member",
            Self::FinanceGroupMember => "finance-group-member",
            Self::TownshipReviewer => "township-reviewer",
            Self::CountyOperator => "county-operator",
            Self::CatalogAdmin => "catalog-admin",
            Self::BankEditor => "bank-editor",
            Self::DisciplineCommission => "discipline-commission",
            Self::PlatformAdmin => "platform-admin",
            Self::GridWorker => "grid-worker",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL_ROLES.into_iter().find(|r| r.as_str() == s)
    }

    /// The level of region this role is granted on.
    pub fn scope_level(self) -> CodeLevel {
        match self {
            Self::VillageClerk
            | Self::BranchMember
            | Self::SupervisionMember
            | Self::FinanceGroupMember
            | Self::GridWorker => CodeLevel::Village,
            Self::TownshipReviewer => CodeLevel::Town,
            Self::CountyOperator | Self::CatalogAdmin | Self::BankEditor | Self::DisciplineCommission => {
                CodeLevel::County
            }
            // Admins may be granted anywhere; a grant on the root covers everything.
            Self::PlatformAdmin => CodeLevel::Province,
        }
    }

    /// County-level roles and admins must use a second factor.
    pub fn requires_totp(self) -> bool {
        matches!(
            self,
            Self::CountyOperator
                | Self::CatalogAdmin
                | Self::BankEditor
                | Self::DisciplineCommission
                | Self::PlatformAdmin
        )
    }

    /// The staff role that signs for a reviewer the catalog names.
    pub fn signing_for(reviewer: ReviewerRole) -> Role {
        match reviewer {
            ReviewerRole::Branch => Self::BranchMember,
            ReviewerRole::SupervisionCommittee => Self::SupervisionMember,
            ReviewerRole::FinanceGroup => Self::FinanceGroupMember,
            ReviewerRole::Township => Self::TownshipReviewer,
            // Until the trading feed signs for itself, the county operator vouches for listings.
            ReviewerRole::TradingPlatform => Self::CountyOperator,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A role on a region.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Grant {
    pub role: Role,
    pub region: RegionCode,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("角色 {role} 应授予{expected}级区划，{region} 不是 / role {role} is granted on a {expected} region")]
pub struct GrantError {
    pub role: Role,
    pub region: RegionCode,
    pub expected: &'static str,
}

impl Grant {
    /// Checks that the region's level fits the role (a clerk on a village, a township
    /// reviewer on a town, …); admins may be granted on any region.
    pub fn new(role: Role, region: RegionCode) -> Result<Self, GrantError> {
        let level = role.scope_level();
        let fits = role == Role::PlatformAdmin || region.level() == level;
        if !fits {
            let expected = match level {
                CodeLevel::Village => "村（社区）",
                CodeLevel::Town => "镇（街道）",
                _ => "县",
            };
            return Err(GrantError { role, region, expected });
        }
        Ok(Self { role, region })
    }

    /// Whether this grant reaches `village`.
    pub fn covers(&self, village: RegionCode) -> bool {
        village.ancestor_at(self.region.level()) == self.region
    }
}

/// What a signed-in staff member holds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Grants(pub Vec<Grant>);

impl Grants {
    pub fn has(&self, role: Role, village: RegionCode) -> bool {
        self.0.iter().any(|g| g.role == role && g.covers(village))
    }

    pub fn has_role(&self, role: Role) -> bool {
        self.0.iter().any(|g| g.role == role)
    }

    pub fn is_admin(&self) -> bool {
        self.has_role(Role::PlatformAdmin)
    }

    pub fn can_draft(&self, village: RegionCode) -> bool {
        self.has(Role::VillageClerk, village)
    }

    /// Signing for a reviewer needs that reviewer's role on this village (for the village
    /// committees, the grant is on the village itself: membership).
    pub fn can_sign(&self, reviewer: ReviewerRole, village: RegionCode) -> bool {
        self.has(Role::signing_for(reviewer), village)
    }

    pub fn can_read_audit(&self) -> bool {
        self.is_admin() || self.has_role(Role::DisciplineCommission)
    }

    /// Problem reports of a village are handled by its grid workers and clerks.
    pub fn can_handle_reports(&self, village: RegionCode) -> bool {
        self.has(Role::GridWorker, village) || self.has(Role::VillageClerk, village)
    }

    pub fn can_checkpoint(&self) -> bool {
        self.is_admin() || self.has_role(Role::CountyOperator)
    }

    pub fn requires_totp(&self) -> bool {
        self.0.iter().any(|g| g.role.requires_totp())
    }

    /// Whether any grant reaches `village` at all (what the console lists).
    pub fn sees(&self, village: RegionCode) -> bool {
        self.0.iter().any(|g| g.covers(village))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> RegionCode {
        RegionCode::parse(s).unwrap()
    }

    #[test]
    fn grants_cover_the_regions_below_them() {
        let town = Grant::new(Role::TownshipReviewer, code("339921100000")).unwrap();
        assert!(town.covers(code("339921100201")));
        assert!(!town.covers(code("339921101201")));
        let admin = Grant::new(Role::PlatformAdmin, code("339900000000")).unwrap();
        assert!(admin.covers(code("339921101201")));
    }

    #[test]
    fn grants_must_fit_the_role_level() {
        assert!(Grant::new(Role::VillageClerk, code("339921100000")).is_err());
        assert!(Grant::new(Role::TownshipReviewer, code("339921100201")).is_err());
        assert!(Grant::new(Role::DisciplineCommission, code("339921000000")).is_ok());
    }

    #[test]
    fn only_members_of_a_village_committee_sign_for_it() {
        let member = Grants(vec![Grant::new(Role::SupervisionMember, code("339921100201")).unwrap()]);
        assert!(member.can_sign(ReviewerRole::SupervisionCommittee, code("339921100201")));
        assert!(!member.can_sign(ReviewerRole::SupervisionCommittee, code("339921100202")));
        assert!(!member.can_sign(ReviewerRole::FinanceGroup, code("339921100201")));
        assert!(!member.can_draft(code("339921100201")));
    }

    #[test]
    fn roles_round_trip_and_county_roles_need_totp() {
        for role in ALL_ROLES {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert!(Role::PlatformAdmin.requires_totp() && Role::DisciplineCommission.requires_totp());
        assert!(!Role::VillageClerk.requires_totp());
    }
}
