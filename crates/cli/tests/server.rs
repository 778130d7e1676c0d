//! The real binary, end to end: the demo county served on a random port, start-up failures
//! with one clear message each, and the same demo on PostgreSQL.

mod common;

use common::{AS_OF, Server, http_get, run, temp_dir};

#[test]
fn the_demo_serves_a_county_of_229_villages_and_stops_cleanly_on_sigterm() {
    let dir = temp_dir("demo");
    let data = dir.to_str().unwrap();
    let server = Server::start(&["demo", "--data-dir", data, "--as-of", AS_OF]);
    let home = server.get("/?all=1");
    assert_eq!(home.status, 200);
    let villages: std::collections::HashSet<&str> =
        home.body.match_indices("href=\"/v/").map(|(i, _)| &home.body[i + 9..i + 21]).collect();
    assert_eq!(villages.len(), 229, "the county home links every village");
    // A fold per town, "name（villages）" (the calendar's record folds all 229 villages in one).
    let folds: Vec<&str> = home.body.split("<summary>").skip(1).filter_map(|s| s.split("</summary>").next()).collect();
    let towns = folds.iter().filter(|f| f.ends_with('）') && !f.ends_with("（229）")).count();
    assert_eq!(towns, 12, "12 towns: {folds:?}");
    let code = villages.iter().min().unwrap();
    let village = server.get(&format!("/v/{code}"));
    assert_eq!(village.status, 200);
    assert!(village.body.contains("最新公开"));
    let first = village.body.split(&format!("href=\"/v/{code}/d/")).nth(1).unwrap().split('"').next().unwrap();
    let disclosure = server.get(&format!("/v/{code}/d/{first}"));
    assert_eq!(disclosure.status, 200);
    let health = server.get("/healthz");
    assert_eq!(health.body, r#"{"backend":"sqlite","status":"ok"}"#);
    let first_base = server.base();
    let status = server.terminate();
    assert!(status.success(), "exit status after SIGTERM: {status:?}");

    // Starting the demo again on the same data directory serves the data unchanged.
    // (The log section says whether a checkpoint covers the item yet, which a tick of the
    // first server may have changed in between: everything above it must be the same.)
    let again = Server::start(&["demo", "--data-dir", data, "--as-of", AS_OF]);
    let item = |body: &str| body.split("<section class=\"log\"").next().unwrap().to_owned();
    let served = again.get(&format!("/v/{code}/d/{first}")).body;
    assert!(served.contains("<section class=\"log\""), "the log section is there");
    // Absolute links (the share picture's) name each server's own random port.
    assert_eq!(item(&served.replace(&again.base(), "")), item(&disclosure.body.replace(&first_base, "")));
}

#[test]
fn a_port_in_use_stops_start_up_with_one_clear_message() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().to_string();
    let dir = temp_dir("port");
    let (status, stderr) = run(&["serve", "--data-dir", dir.to_str().unwrap(), "--listen", &port]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("already in use") && stderr.contains(&port), "{stderr}");
}

#[test]
fn a_data_directory_that_cannot_be_written_stops_start_up() {
    let dir = temp_dir("unwritable");
    let file = dir.join("a-file");
    std::fs::write(&file, b"not a directory").unwrap();
    let inside = file.join("data");
    let (status, stderr) = run(&["serve", "--data-dir", inside.to_str().unwrap()]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("data directory cannot be written"), "{stderr}");
}

#[test]
fn a_corrupt_catalog_stops_start_up_naming_file_and_line() {
    let dir = temp_dir("catalog");
    let catalog = dir.join("catalog");
    std::fs::create_dir_all(&catalog).unwrap();
    std::fs::write(
        catalog.join("columns.toml"),
        "[[column]]\nid = \"party\"\nname = \"党建引领\"\nname_en = \"Party\"\n",
    )
    .unwrap();
    std::fs::write(
        catalog.join("items.toml"),
        "[[item]]\nid = \"x\"\nname = \"x\"\nname_en = \"x\"\ncolumn = \"party\"\nfrequency = \"weekly\"\ndeadline = \"period-end+5d\"\nreviewers = [\"branch\"]\n",
    )
    .unwrap();
    let (status, stderr) = run(&["serve", "--data-dir", dir.to_str().unwrap()]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("items.toml:6") && stderr.contains("weekly"), "{stderr}");
}

#[test]
fn an_unreachable_database_stops_start_up() {
    let dir = temp_dir("nodb");
    let (status, stderr) =
        run(&["serve", "--data-dir", dir.to_str().unwrap(), "--database", "postgres://yg:pw@127.0.0.1:1/none"]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("cannot open the database") && !stderr.contains(":pw@"), "{stderr}");
}

#[test]
fn print_config_shows_the_effective_settings() {
    let (status, _) = run(&["print-config", "--listen", "0.0.0.0:9"]);
    assert!(status.success());
    let out = std::process::Command::new(common::BIN).args(["print-config", "--listen", "0.0.0.0:9"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("listen = \"0.0.0.0:9\""), "{text}");
}

#[test]
fn the_demo_runs_on_postgresql_too() {
    let Some(url) = common::postgres_url() else {
        return;
    };
    let schema = format!(
        "e2e_{}_{}",
        std::process::id(),
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_micros()
    );
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let store = runtime
        .block_on(yangguang_store_postgres::PostgresStore::connect_in_schema(&url, &schema))
        .unwrap_or_else(|e| panic!("PostgreSQL at {url} is not reachable: {e}"));
    let sep = if url.contains('?') { '&' } else { '?' };
    let schema_url = format!("{url}{sep}options=-csearch_path%3D{schema}");
    let dir = temp_dir("pg");
    let data = dir.to_str().unwrap();
    let (status, stderr) =
        run(&["demo", "--data-dir", data, "--database", &schema_url, "--as-of", AS_OF, "--no-serve"]);
    assert!(status.success(), "{stderr}");
    let server = Server::start(&["serve", "--data-dir", data, "--database", &schema_url]);
    let health = http_get(server.addr, "/healthz", &[]);
    assert_eq!(health.body, r#"{"backend":"postgres","status":"ok"}"#);
    let home = server.get("/?all=1");
    let villages: std::collections::HashSet<&str> =
        home.body.match_indices("href=\"/v/").map(|(i, _)| &home.body[i + 9..i + 21]).collect();
    assert_eq!(villages.len(), 229, "the county home links every village");
    let code = &home.body[home.body.find("href=\"/v/").unwrap() + 9..][..12];
    let village = server.get(&format!("/v/{code}/c/finance"));
    assert_eq!(village.status, 200);
    assert!(village.body.contains("收支明细"), "finance column lists the monthly accounts");
    drop(server);
    runtime.block_on(store.drop_own_schema()).unwrap();
}

#[test]
fn regions_import_from_csv_and_a_broken_file_changes_nothing() {
    let dir = temp_dir("regions");
    let data = dir.join("data");
    let good = dir.join("regions.csv");
    std::fs::write(
        &good,
        "code,name,parent_code,kind\n\
         330521000000,德清县,,county\n\
         330521100000,武康街道,330521000000,town\n\
         330521100001,英溪社区,330521100000,community\n\
         330521100201,五四村,330521100000,village\n",
    )
    .unwrap();
    let data_arg = data.to_str().unwrap();
    let out = std::process::Command::new(common::BIN)
        .args(["import", "regions", "--data-dir", data_arg, good.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 4 regions"));

    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "code,name,parent_code,kind\n\
         330521100202,新村,330521100000,village\n\
         33052110020X,坏码村,330521100000,village\n\
         330521200201,孤村,330521200000,village\n",
    )
    .unwrap();
    let (status, stderr) = run(&["import", "regions", "--data-dir", data_arg, bad.to_str().unwrap()]);
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("第 3 行") && stderr.contains("第 4 行"), "every bad row is named: {stderr}");

    let server = Server::start(&["serve", "--data-dir", data_arg]);
    let home = server.get("/");
    assert_eq!(home.status, 200);
    assert!(home.body.contains("五四村") && home.body.contains("英溪社区"));
    assert!(!home.body.contains("新村"), "nothing of the broken file was stored");
    assert_eq!(server.get("/v/330521100201").status, 200);
}

/// Waits until the server closes `stream`, or `limit` passes; how long it took, if it closed.
/// Whatever the server sends first (a 408 or 400, say) is read and ignored.
fn closed_within(stream: &mut std::net::TcpStream, limit: std::time::Duration) -> Option<std::time::Duration> {
    use std::io::Read;
    let started = std::time::Instant::now();
    stream.set_read_timeout(Some(std::time::Duration::from_millis(100))).unwrap();
    let mut buf = [0u8; 4096];
    while started.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(0) => return Some(started.elapsed()),
            Ok(_) => {}
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => return Some(started.elapsed()),
        }
    }
    None
}

#[test]
fn slow_clients_are_cut_off_and_cannot_hold_every_connection() {
    use std::io::Write;
    use std::time::{Duration, Instant};
    let dir = temp_dir("slow");
    let config = dir.join("yangguang.toml");
    std::fs::write(
        &config,
        "[server]\nheader_timeout_seconds = \"1\"\nbody_timeout_seconds = \"1\"\nmax_connections = \"3\"\n",
    )
    .unwrap();
    let data = dir.join("data");
    let server = Server::start(&["serve", "--data-dir", data.to_str().unwrap(), "--config", config.to_str().unwrap()]);

    // Half a header line, then nothing: the connection is closed after the header timeout,
    // and meanwhile the server answers others.
    let mut slow = std::net::TcpStream::connect(server.addr).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: loc").unwrap();
    assert_eq!(server.get("/healthz").status, 200, "others are answered while a slow client waits");
    let took = closed_within(&mut slow, Duration::from_secs(4)).expect("a half-sent header is cut off");
    assert!(took < Duration::from_secs(3), "cut off after {took:?}");

    // A body that stops halfway is not waited for either.
    let mut stalled = std::net::TcpStream::connect(server.addr).unwrap();
    stalled
        .write_all(
            b"POST /console/login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\nusername=",
        )
        .unwrap();
    assert!(closed_within(&mut stalled, Duration::from_secs(4)).is_some(), "a stalled body is cut off");

    // Three connections held open fill the server; a fourth client waits until they are cut
    // off, and is then answered.
    let mut held: Vec<_> = (0..3)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(server.addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\n").unwrap();
            s
        })
        .collect();
    let started = Instant::now();
    let late = http_get(server.addr, "/healthz", &[]);
    assert_eq!(late.status, 200);
    assert!(started.elapsed() >= Duration::from_millis(500), "the fourth waited: {:?}", started.elapsed());
    for s in &mut held {
        assert!(closed_within(s, Duration::from_secs(2)).is_some());
    }
    assert_eq!(server.get("/healthz").status, 200);
}
