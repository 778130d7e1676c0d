//! Writes a county's household registers for `bench/assets.sh`: the demo county's regions as
//! `<out>/regions.csv`, and for each of its 229 villages the files a clerk would upload —
//! `members.csv` (GBK, with identity numbers and phones), `plots.csv`, `homestead.csv` and
//! `shares.csv` — about HOUSEHOLDS households in all (130,000 by default, as the real county).
//!
//!     cargo run --release --example county_households -- OUT [HOUSEHOLDS]

use std::io::Write;

use yangguang_app::demo::{DemoOptions, Rng, build_regions, names, people};

fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let out = std::path::Path::new(args.get(1).map(String::as_str).unwrap_or("households"));
    let total: u64 = args.get(2).map_or(130_000, |n| n.parse().expect("HOUSEHOLDS"));
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("valid");
    let regions = build_regions(&DemoOptions { seed: 7, as_of, scale: 1, full: false });
    std::fs::create_dir_all(out)?;
    let mut csv = std::fs::File::create(out.join("regions.csv"))?;
    writeln!(csv, "code,name,parent_code,kind")?;
    for r in &regions {
        let parent = r.parent.map(|p| p.to_string()).unwrap_or_default();
        writeln!(csv, "{},{},{parent},{}", r.code, r.name, r.kind.as_str())?;
    }
    let villages: Vec<_> = regions.iter().filter(|r| r.kind.is_village_level()).collect();
    let mut rng = Rng::new(11);
    let mut phone = 0u64;
    let mut ids = std::collections::HashSet::new();
    for (v, village) in villages.iter().enumerate() {
        // Spread the total over the villages, communities larger.
        let share = total / villages.len() as u64;
        let count = if v + 1 == villages.len() { total - share * v as u64 } else { share };
        let dir = out.join(village.code.to_string());
        std::fs::create_dir_all(&dir)?;
        let county = &village.code.to_string()[..6];
        let mut members = String::from("户号,姓名,与户主关系,身份证号,联系电话\n");
        let mut plots = String::from("户号,地块编码,坐落,东至,南至,西至,北至,面积（亩）,是否基本农田,承包合同编号\n");
        let mut homestead = String::from("户号,坐落,宗地面积,建筑面积,批准文号,批准日期\n");
        let mut shares = String::from("户号,股权证号,股数,2024年分红,2025年分红\n");
        for n in 1..=count {
            let surname = names::surname(&mut rng);
            let people = 1 + rng.below(5);
            for m in 0..people {
                let year = if m < 2 { 1950 + rng.below(40) as i32 } else { 1985 + rng.below(35) as i32 };
                let born = chrono::NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32)
                    .expect("valid");
                // Drawn again on the rare repeat: a register lists each person once.
                let mut id = people::id_number(&mut rng, county, born, m == 1);
                while !ids.insert(id.as_str().to_owned()) {
                    id = people::id_number(&mut rng, county, born, m == 1);
                }
                let relation = ["户主", "配偶", "子", "女", "孙子"][m as usize];
                let contact = if m == 0 {
                    phone += 1;
                    format!("139{phone:08}")
                } else {
                    String::new()
                };
                members.push_str(&format!(
                    "{n:05},{},{relation},{},{contact}\n",
                    names::person(&mut rng, surname),
                    id.as_str()
                ));
            }
            for p in 0..1 + rng.below(4) {
                plots.push_str(&format!(
                    "{n:05},{}{n:05}{p},溪东畈,路,沟,田,山,{}.{:02},是,HT-{n:05}\n",
                    village.code,
                    rng.below(3),
                    10 + rng.below(90)
                ));
            }
            if rng.below(10) < 7 {
                homestead.push_str(&format!(
                    "{n:05},{}{n}号,{},{},宅批〔2008〕{n}号,2008-05-06\n",
                    village.name,
                    80 + rng.below(100),
                    120 + rng.below(200)
                ));
            }
            shares.push_str(&format!("{n:05},GQ{n:05},{people},{},{}\n", people * 300, people * 350));
        }
        std::fs::write(dir.join("members.csv"), encoding_rs::GBK.encode(&members).0)?;
        std::fs::write(dir.join("plots.csv"), plots)?;
        std::fs::write(dir.join("homestead.csv"), homestead)?;
        std::fs::write(dir.join("shares.csv"), shares)?;
    }
    eprintln!("wrote {total} households for {} villages", villages.len());
    Ok(())
}
