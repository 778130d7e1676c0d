//! The catalog as files an operator edits: `columns.toml` and `items.toml` in the catalog
//! directory. A missing directory is created with the defaults shipped in the binary (the
//! repository's `catalog/`), so a fresh install has something to edit. `holidays.toml` (public
//! holidays and adjusted working days, for working-day deadlines) is written from the shipped
//! one when missing, also into an older catalog directory that predates it.

use std::path::Path;

use yangguang_core::Catalog;
use yangguang_core::holidays::Holidays;

use crate::AppError;

pub const DEFAULT_COLUMNS: &str = include_str!("../../../catalog/columns.toml");
pub const DEFAULT_ITEMS: &str = include_str!("../../../catalog/items.toml");
pub const DEFAULT_HOLIDAYS: &str = include_str!("../../../catalog/holidays.toml");
pub const CHART_2004: &str = include_str!("../../../catalog/accounts-2004.toml");
pub const CHART_2023: &str = include_str!("../../../catalog/accounts-2023.toml");
pub const CHART_MAPPING: &str = include_str!("../../../catalog/accounts-mapping.toml");

/// The shipped charts of accounts: 2004 (books before 2024) and 2023 (from 2024-01-01).
pub fn default_charts() -> (yangguang_core::accounts::Chart, yangguang_core::accounts::Chart) {
    let parse = |name, text| yangguang_core::accounts::Chart::parse(name, text).expect("the shipped charts are valid");
    (parse("accounts-2004.toml", CHART_2004), parse("accounts-2023.toml", CHART_2023))
}

/// The shipped catalog, which must always be valid.
pub fn default_catalog() -> Catalog {
    let holidays = Holidays::parse("holidays.toml", DEFAULT_HOLIDAYS).expect("the shipped holidays are valid");
    Catalog::parse("columns.toml", DEFAULT_COLUMNS, "items.toml", DEFAULT_ITEMS)
        .expect("the shipped catalog is valid")
        .with_holidays(holidays)
}

/// Loads and validates the catalog in `dir`, writing the defaults first if it has none.
pub fn load_catalog(dir: &Path) -> Result<Catalog, AppError> {
    let columns_path = dir.join("columns.toml");
    let items_path = dir.join("items.toml");
    let holidays_path = dir.join("holidays.toml");
    let io =
        |path: &Path, e: std::io::Error| AppError::DataDir { path: path.display().to_string(), cause: e.to_string() };
    if !columns_path.exists() && !items_path.exists() {
        std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
        std::fs::write(&columns_path, DEFAULT_COLUMNS).map_err(|e| io(&columns_path, e))?;
        std::fs::write(&items_path, DEFAULT_ITEMS).map_err(|e| io(&items_path, e))?;
    }
    if !holidays_path.exists() {
        std::fs::write(&holidays_path, DEFAULT_HOLIDAYS).map_err(|e| io(&holidays_path, e))?;
    }
    let read =
        |path: &Path| std::fs::read_to_string(path).map_err(|e| AppError::Catalog(format!("{}: {e}", path.display())));
    let columns = read(&columns_path)?;
    let items = read(&items_path)?;
    let items_file = items_path.display().to_string();
    let listed = |errors: Vec<yangguang_core::catalog::CatalogError>| {
        AppError::Catalog(errors.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))
    };
    let holidays = Holidays::parse(&holidays_path.display().to_string(), &read(&holidays_path)?).map_err(listed)?;
    let catalog = Catalog::parse(&columns_path.display().to_string(), &columns, &items_file, &items)
        .map_err(listed)?
        .with_holidays(holidays);
    let missing = catalog.missing_required(&items_file);
    if !missing.is_empty() {
        return Err(listed(missing));
    }
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("yg-catalog-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn the_shipped_catalog_has_eight_columns_and_valid_items() {
        let catalog = default_catalog();
        assert_eq!(catalog.top_columns().count(), 8);
        assert!(catalog.items().len() >= 35);
        assert!(catalog.columns().iter().any(|c| c.depth == 3));
    }

    #[test]
    fn the_shipped_charts_resolve_sub_accounts_to_plain_categories() {
        let (c2004, c2023) = default_charts();
        assert_eq!(c2004.resolve("501003").unwrap().category, "租金收入");
        assert_eq!(c2004.resolve("522").unwrap().category, "上级补助");
        assert_eq!(c2004.resolve("541001").unwrap().category, "干部报酬");
        assert_eq!(c2023.resolve("541").unwrap().category, "公益支出");
        let mapping = yangguang_core::accounts::ChartMapping::parse("m", CHART_MAPPING).unwrap();
        assert_eq!(mapping.map("541003"), Some("531"));
        assert_eq!(c2023.resolve(mapping.map("511001").unwrap()).unwrap().code, "501", "发包收入 folds into 经营收入");
    }

    #[test]
    fn a_missing_directory_is_seeded_with_the_defaults() {
        let dir = temp_dir("seed");
        let catalog = load_catalog(&dir).unwrap();
        assert_eq!(catalog.items().len(), default_catalog().items().len());
        assert!(dir.join("items.toml").exists());
    }

    #[test]
    fn a_corrupt_file_names_file_and_line() {
        let dir = temp_dir("corrupt");
        load_catalog(&dir).unwrap();
        let broken = DEFAULT_ITEMS.replacen("column = \"party-committee\"", "column = \"no-such-column\"", 1);
        std::fs::write(dir.join("items.toml"), broken).unwrap();
        let message = load_catalog(&dir).unwrap_err().to_string();
        assert!(message.contains("items.toml:"), "{message}");
        assert!(message.contains("no-such-column"), "{message}");
    }

    #[test]
    fn the_holidays_file_is_written_when_missing_and_checked() {
        let dir = temp_dir("holidays");
        load_catalog(&dir).unwrap();
        std::fs::remove_file(dir.join("holidays.toml")).unwrap();
        let catalog = load_catalog(&dir).unwrap();
        assert!(dir.join("holidays.toml").exists(), "an older directory gets the shipped file");
        assert!(catalog.holidays().covers(2025));
        let broken = DEFAULT_HOLIDAYS.replacen("\"2025-10-11\"", "\"2025-10-10\"", 1);
        std::fs::write(dir.join("holidays.toml"), broken).unwrap();
        let message = load_catalog(&dir).unwrap_err().to_string();
        assert!(message.contains("holidays.toml:") && message.contains("2025-10-10"), "{message}");
    }

    #[test]
    fn a_catalog_without_an_item_the_platform_needs_is_refused_naming_it() {
        let dir = temp_dir("required");
        load_catalog(&dir).unwrap();
        // Rename the monthly accounts item: the file stays valid, but the platform needs it.
        let renamed = DEFAULT_ITEMS.replacen("id = \"income-expenditure\"", "id = \"monthly-books\"", 1);
        assert_ne!(renamed, DEFAULT_ITEMS);
        std::fs::write(dir.join("items.toml"), renamed).unwrap();
        let message = load_catalog(&dir).unwrap_err().to_string();
        assert!(message.contains("items.toml"), "{message}");
        assert!(message.contains("income-expenditure"), "{message}");
        assert!(default_catalog().missing_required("items.toml").is_empty());
    }
}
