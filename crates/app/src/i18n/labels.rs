//! The names people read for domain values, in both languages. The domain types in `core`
//! carry only their stable codes (`as_str`); what a page or a message shows is here.

use yangguang_core::DisclosureState;
use yangguang_core::catalog::{Frequency, ReviewerRole};
use yangguang_core::staff::Role;

use super::Lang;

/// A value with a name for people.
pub trait Label: Copy {
    fn zh(self) -> &'static str;
    fn en(self) -> &'static str;

    fn label(self, lang: Lang) -> &'static str {
        match lang {
            Lang::Zh => self.zh(),
            Lang::En => self.en(),
        }
    }
}

impl Label for DisclosureState {
    fn zh(self) -> &'static str {
        match self {
            Self::Draft => "草稿",
            Self::Submitted => "待审核",
            Self::Returned => "已退回",
            Self::Scheduled => "待定时公开",
            Self::Published => "已公开",
            Self::Superseded => "已更正",
            Self::Withdrawn => "已撤回",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Submitted => "awaiting review",
            Self::Returned => "returned",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Superseded => "corrected",
            Self::Withdrawn => "withdrawn",
        }
    }
}

impl Label for Role {
    fn zh(self) -> &'static str {
        match self {
            Self::VillageClerk => "村务工作者",
            Self::BranchMember => "党支部委员",
            Self::SupervisionMember => "村务监督委员会成员",
            Self::FinanceGroupMember => "民主理财小组成员",
            Self::TownshipReviewer => "镇（街道）审核员",
            Self::CountyOperator => "县农业农村局运维",
            Self::CatalogAdmin => "县民政局目录管理员",
            Self::BankEditor => "农商银行编辑",
            Self::DisciplineCommission => "县纪委监委",
            Self::PlatformAdmin => "平台管理员",
            Self::GridWorker => "网格员",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::VillageClerk => "village clerk",
            Self::BranchMember => "party branch member",
            Self::SupervisionMember => "supervision committee member",
            Self::FinanceGroupMember => "finance review group member",
            Self::TownshipReviewer => "township reviewer",
            Self::CountyOperator => "county operator",
            Self::CatalogAdmin => "catalog administrator",
            Self::BankEditor => "bank editor",
            Self::DisciplineCommission => "discipline commission",
            Self::PlatformAdmin => "platform administrator",
            Self::GridWorker => "grid worker",
        }
    }
}

impl Label for Frequency {
    fn zh(self) -> &'static str {
        match self {
            Self::Monthly => "每月",
            Self::Quarterly => "每季度",
            Self::HalfYearly => "每半年",
            Self::Yearly => "每年",
            Self::OnEvent => "随时",
            Self::Continuous => "长期",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Quarterly => "quarterly",
            Self::HalfYearly => "half-yearly",
            Self::Yearly => "yearly",
            Self::OnEvent => "per event",
            Self::Continuous => "always",
        }
    }
}

impl Label for ReviewerRole {
    fn zh(self) -> &'static str {
        match self {
            Self::Branch => "党支部",
            Self::SupervisionCommittee => "村务监督委员会",
            Self::FinanceGroup => "民主理财小组",
            Self::Township => "镇（街道）",
            Self::TradingPlatform => "公共资源交易平台",
        }
    }

    fn en(self) -> &'static str {
        match self {
            Self::Branch => "party branch",
            Self::SupervisionCommittee => "village affairs supervision committee",
            Self::FinanceGroup => "finance review group",
            Self::Township => "township",
            Self::TradingPlatform => "public resource trading platform",
        }
    }
}

#[cfg(test)]
mod tests {
    use yangguang_core::staff::ALL_ROLES;

    use super::*;

    #[test]
    fn every_role_has_a_name_in_both_languages_and_no_two_share_one() {
        let mut zh: Vec<_> = ALL_ROLES.iter().map(|r| r.zh()).collect();
        let mut en: Vec<_> = ALL_ROLES.iter().map(|r| r.label(Lang::En)).collect();
        zh.sort();
        zh.dedup();
        en.sort();
        en.dedup();
        assert_eq!((zh.len(), en.len()), (ALL_ROLES.len(), ALL_ROLES.len()));
    }
}
