//! Pure domain logic of yangguang: regions, the catalog, periods and disclosures.
//! No I/O lives here: files, databases and the network belong to the outer crates.

pub mod accounts;
pub mod assets;
pub mod calendar;
pub mod catalog;
pub mod contract_value;
pub mod deadline;
pub mod decision;
pub mod disclosure;
pub mod finance;
pub mod governance;
pub mod health;
pub mod holidays;
pub mod household;
pub mod identity;
pub mod lease;
pub mod ledger;
pub mod log_leaf;
pub mod money;
pub mod period;
pub mod period_input;
pub mod points;
pub mod publication;
pub mod region;
pub mod report;
pub mod signature;
pub mod staff;
pub mod time;
pub mod tip;
pub mod tlog;
pub mod trading;
pub mod warning;

pub use catalog::{Catalog, CatalogError, CatalogItem, Column, ColumnId};
pub use disclosure::{
    Attachment, Disclosure, DisclosureId, DisclosureKind, DisclosureState, DisclosureSummary, NewDisclosure,
};
pub use money::Fen;
pub use period::Period;
pub use region::{Region, RegionCode, RegionKind};
