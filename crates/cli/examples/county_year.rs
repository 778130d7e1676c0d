//! Writes a county's year of books for `bench/county.sh`: for each village code read from
//! stdin, a ledger export (`<out>/<code>/books.csv`, LINES entry lines of balanced two-line
//! vouchers over 2027) and SCANS receipt JPEGs named by voucher (`<out>/<code>/scans/`).
//!
//!     cargo run --release --example county_year -- OUT LINES SCANS < codes.txt

use std::io::{BufRead, Write};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, out, lines, scans] = args.as_slice() else {
        eprintln!("usage: county_year OUT LINES_PER_VILLAGE SCANS_PER_VILLAGE < village codes");
        std::process::exit(2);
    };
    let (lines, scans): (usize, usize) = (lines.parse().expect("LINES"), scans.parse().expect("SCANS"));
    let vouchers = lines / 2;
    let per_month = vouchers.div_ceil(12);
    for (v, code) in std::io::stdin().lock().lines().enumerate() {
        let code = code?;
        let dir = std::path::Path::new(out).join(code.trim());
        std::fs::create_dir_all(dir.join("scans"))?;
        let mut csv = std::io::BufWriter::new(std::fs::File::create(dir.join("books.csv"))?);
        writeln!(csv, "凭证日期,凭证号,摘要,科目编码,科目名称,借方金额,贷方金额,附件数")?;
        for i in 0..vouchers {
            let (month, n) = (1 + i / per_month, 1 + i % per_month);
            let date = format!("2027-{month:02}-{:02}", 1 + n % 28);
            let amount = (i * 7919 + v * 104_729) % 999_900 + 100;
            let amount = format!("{}.{:02}", amount / 100, amount % 100);
            writeln!(csv, "{date},记-{n:05},支付办公费,531002,办公费,{amount},,1")?;
            writeln!(csv, "{date},记-{n:05},支付办公费,102,银行存款,,{amount},")?;
        }
        csv.flush()?;
        for i in 0..scans.min(vouchers) {
            let (month, n) = (1 + i / per_month, 1 + i % per_month);
            // Every scan different, so each is stored as itself.
            let mut img = image::RgbImage::from_pixel(160, 100, image::Rgb([240, 236, 220]));
            for (k, px) in img.pixels_mut().enumerate().filter(|(k, _)| (k * 31 + i + v) % 97 == 0) {
                *px = image::Rgb([(k % 200) as u8, (i % 250) as u8, (v % 250) as u8]);
            }
            img.save(dir.join("scans").join(format!("2027-{month:02}_记-{n:05}.jpg")))
                .map_err(std::io::Error::other)?;
        }
    }
    Ok(())
}
