//! Plausible names for the synthetic county: towns, villages, communities and (masked)
//! people. Deterministic for a given random stream.

use super::Rng;

pub const COUNTY_NAMES: &[&str] =
    &["清溪县", "松阳湖县", "云和岭县", "白石县", "溪源县", "桂川县", "泰宁县", "长乐县", "平湖县", "青田湾县"];

pub const TOWN_NAMES: &[&str] = &[
    "城关街道",
    "溪口街道",
    "青山镇",
    "白沙镇",
    "龙潭镇",
    "梅溪镇",
    "石门镇",
    "桃源镇",
    "横塘镇",
    "双溪镇",
    "高桥镇",
    "安乐乡",
    "大源镇",
    "竹林镇",
    "新塘镇",
    "古城镇",
    "黄岭乡",
    "水口镇",
    "南山镇",
    "凤鸣镇",
];

const VILLAGE_FIRST: &[&str] = &[
    "前", "后", "东", "西", "南", "北", "上", "下", "大", "小", "新", "老", "高", "中", "里", "外", "塘", "沙", "石",
    "竹", "梅", "桃", "李", "杨", "柳", "枫", "松", "龙", "凤", "金", "银", "黄", "白", "青", "红", "长", "双", "三",
    "五", "马", "牛", "鹤", "桥", "溪", "湖", "泉", "林", "茶", "花", "田",
];
const VILLAGE_SECOND: &[&str] = &[
    "山", "溪", "桥", "塘", "湾", "岭", "坞", "庄", "岙", "畈", "埠", "口", "头", "田", "源", "坑", "垄", "家", "湖",
    "林", "洋", "港", "堰", "坪", "园", "峰",
];
const COMMUNITY_WORDS: &[&str] = &[
    "城东", "城西", "城南", "城北", "新华", "人民", "解放", "和平", "文昌", "锦绣", "阳光", "滨江", "溪滨", "振兴",
    "光明", "朝阳", "丰收", "幸福", "育才", "通济", "迎宾", "望湖", "凤凰", "紫阳",
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗",
    "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "潘", "叶", "蒋", "沈", "金",
];
const GIVEN: &[&str] = &[
    "明", "华", "英", "芳", "军", "强", "伟", "丽", "敏", "静", "勇", "平", "刚", "杰", "娟", "霞", "建", "国", "春",
    "秀", "兰", "海", "福", "根", "林", "水", "土", "荣", "桂", "凤",
];

/// A village name not yet in `taken`, like 前山村 or 张家村.
pub fn village(rng: &mut Rng, taken: &mut std::collections::HashSet<String>) -> String {
    loop {
        let name = if rng.below(6) == 0 {
            format!("{}家{}村", rng.pick(SURNAMES), rng.pick(&["", "坞", "庄", "岭", "湾"]))
        } else {
            format!("{}{}村", rng.pick(VILLAGE_FIRST), rng.pick(VILLAGE_SECOND))
        };
        if taken.insert(name.clone()) {
            return name;
        }
    }
}

pub fn community(rng: &mut Rng, taken: &mut std::collections::HashSet<String>) -> String {
    loop {
        let name = format!("{}社区", rng.pick(COMMUNITY_WORDS));
        if taken.insert(name.clone()) {
            return name;
        }
        let name = format!("{}{}社区", rng.pick(VILLAGE_FIRST), rng.pick(VILLAGE_SECOND));
        if taken.insert(name.clone()) {
            return name;
        }
    }
}

/// A person's name masked as public pages show it: 张*明, or 李* for two-character names.
pub fn masked_person(rng: &mut Rng) -> String {
    if rng.below(4) == 0 {
        format!("{}*", rng.pick(SURNAMES))
    } else {
        format!("{}*{}", rng.pick(SURNAMES), rng.pick(GIVEN))
    }
}

/// A cadre's full name (cadres act in office: their names are public).
pub fn cadre(rng: &mut Rng) -> String {
    format!("{}{}{}", rng.pick(SURNAMES), rng.pick(GIVEN), rng.pick(GIVEN))
}

/// A person's full name with the given surname (members of a household share one).
pub fn person(rng: &mut Rng, surname: &str) -> String {
    if rng.below(3) == 0 {
        format!("{surname}{}", rng.pick(GIVEN))
    } else {
        format!("{surname}{}{}", rng.pick(GIVEN), rng.pick(GIVEN))
    }
}

pub fn surname(rng: &mut Rng) -> &'static str {
    rng.pick::<&str>(SURNAMES)
}
