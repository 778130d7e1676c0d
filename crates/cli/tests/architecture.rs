//! docs/ARCHITECTURE.md's "where is…" table stays true: every file it names exists and
//! defines the item it names.

#[test]
fn the_where_is_table_names_files_that_define_what_it_says() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let doc = std::fs::read_to_string(root.join("docs/ARCHITECTURE.md")).unwrap();
    let table = doc.split("## Where is…").nth(1).expect("a \"Where is…\" section");
    let mut rows = 0;
    for line in table.lines().take_while(|l| !l.starts_with("## ")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        // | what | `file` | `item` |
        let [_, what, file, item, _] = cells.as_slice() else { continue };
        let (Some(file), Some(item)) = (file.strip_prefix('`'), item.strip_prefix('`')) else { continue };
        let (file, item) = (file.trim_end_matches('`'), item.trim_end_matches('`'));
        let source = std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("{what}: {file}: {e}"));
        let defines = ["fn", "struct", "enum", "mod", "const", "trait"]
            .iter()
            .any(|kind| ["(", " ", "<", ":", ";"].iter().any(|next| source.contains(&format!("{kind} {item}{next}"))));
        assert!(defines, "{what}: {file} does not define {item}");
        rows += 1;
    }
    assert!(rows >= 6, "the table lists at least the six pieces people ask about");
}
