//! The collective's assets and resources registers (资产台账, 资源台账): what the village owns,
//! where, how large, what it cost, and whether it is in use, let or idle.

use serde::{Deserialize, Serialize};

use crate::{Fen, RegionCode};

/// Which register a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Register {
    /// Buildings, facilities, equipment: with an original value.
    Assets,
    /// Farmland, forest, water surface, wasteland, construction land.
    Resources,
}

impl Register {
    pub fn kind(self) -> &'static str {
        match self {
            Self::Assets => "asset",
            Self::Resources => "resource",
        }
    }

    /// The catalog item a changed register is published under.
    pub fn catalog_item(self) -> &'static str {
        match self {
            Self::Assets => crate::catalog::required::ASSETS_REGISTER,
            Self::Resources => crate::catalog::required::RESOURCES_REGISTER,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Asset {
    pub register: Register,
    pub code: String,
    pub village: RegionCode,
    pub name: String,
    /// 房屋, 厂房, 道路, 耕地, 林地, 水面…
    pub category: String,
    pub location: String,
    /// Decimal text with its unit ("m2" or "mu"); empty when not measured by area.
    pub area: String,
    pub area_unit: String,
    pub original_value: Option<Fen>,
    /// 在用, 出租, 闲置, 承包…
    pub status: String,
    /// Who uses it now, as published (a person masked).
    pub occupant: String,
}
