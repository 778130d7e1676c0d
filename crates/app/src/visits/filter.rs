//! Which visits are people: user agents of known bots, crawlers, link checkers and scripts are
//! not counted. The patterns are the `isbot` crate's maintained list (300+ expressions, tested
//! by its authors against 180,000 browser user agents), plus the few Chinese crawlers and tools
//! it does not name.

use std::collections::HashMap;

/// Crawlers and preview fetchers seen on Chinese sites that `isbot`'s list does not catch.
const EXTRA: &[&str] = &[r"haosouspider", r"yisou", r"bytedance", r"toutiao.*spider", r"java/\d", r"apache-httpclient"];

/// The bot test, remembering recent user agents' verdicts (the same few browsers come back all
/// day, so the regular expression runs once for each).
pub struct BotFilter {
    bots: isbot::Bots,
    verdicts: HashMap<Box<str>, bool>,
}

/// Verdicts kept before the memory starts over (whatever user agents a crawler invents).
const REMEMBERED: usize = 10_000;

impl Default for BotFilter {
    fn default() -> Self {
        let mut bots = isbot::Bots::default();
        bots.append(EXTRA);
        Self { bots, verdicts: HashMap::new() }
    }
}

impl BotFilter {
    /// Whether `user_agent` is a bot's; an empty one is.
    pub fn is_bot(&mut self, user_agent: &str) -> bool {
        if user_agent.trim().is_empty() {
            return true;
        }
        if let Some(&verdict) = self.verdicts.get(user_agent) {
            return verdict;
        }
        let verdict = self.bots.is_bot(user_agent);
        if self.verdicts.len() >= REMEMBERED {
            self.verdicts.clear();
        }
        self.verdicts.insert(user_agent.into(), verdict);
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Browsers villagers use: WeChat's, phone browsers of Chinese makers, desktop ones.
    pub const PEOPLE: &[&str] = &[
        "Mozilla/5.0 (Linux; Android 12; V2134A Build/SP1A.210812.003; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/101.0.4951.74 Mobile Safari/537.36 XWEB/1160065 MMWEBSDK/20231202 MMWEBID/2247 MicroMessenger/8.0.47.2560(0x28002F3B) WeChat/arm64 Weixin NetType/4G Language/zh_CN ABI/arm64",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.44(0x18002c2d) NetType/WIFI Language/zh_CN",
        "Mozilla/5.0 (Linux; U; Android 11; zh-cn; M2012K11AC Build/RKQ1.200826.002) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/100.0.4896.127 Mobile Safari/537.36 XiaoMi/MiuiBrowser/17.3.40",
        "Mozilla/5.0 (Linux; Android 10; HarmonyOS; ELS-AN00; HMSCore 6.11.0.302) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/99.0.4844.88 HuaweiBrowser/14.0.0.321 Mobile Safari/537.36",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
        "Mozilla/5.0 (Linux; Android 13; PHB110) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/112.0.0.0 Mobile Safari/537.36 UCBrowser/16.0.0.1000",
    ];

    pub const BOTS: &[&str] = &[
        "Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)",
        "Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "Mozilla/5.0 (Linux; Android 5.0) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; Bytespider; spider-feedback@bytedance.com)",
        "Mozilla/5.0 (compatible; YisouSpider; +http://www.yisou.com)",
        "360Spider",
        "Mozilla/5.0 (Linux; Android 7.0;) AppleWebKit/537.36 (KHTML, like Gecko) Mobile Safari/537.36 (compatible; PetalBot;+https://webmaster.petalsearch.com/site/petalbot)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36",
        "curl/8.5.0",
        "Wget/1.21.4",
        "python-requests/2.31.0",
        "Go-http-client/1.1",
        "okhttp/4.12.0",
        "Java/17.0.9",
        "Apache-HttpClient/4.5.14 (Java/17.0.9)",
        "",
        "   ",
    ];

    #[test]
    fn people_are_counted_and_bots_are_not() {
        let mut filter = BotFilter::default();
        for ua in PEOPLE {
            assert!(!filter.is_bot(ua), "a browser taken for a bot: {ua}");
        }
        for ua in BOTS {
            assert!(filter.is_bot(ua), "a bot taken for a person: {ua:?}");
        }
    }

    #[test]
    fn remembered_verdicts_match_fresh_ones_and_memory_stays_bounded() {
        let mut filter = BotFilter::default();
        for round in 0..2 {
            for ua in PEOPLE.iter().chain(BOTS) {
                assert_eq!(filter.is_bot(ua), BotFilter::default().is_bot(ua), "round {round}: {ua}");
            }
        }
        for n in 0..(REMEMBERED + 10) {
            filter.is_bot(&format!("Mozilla/5.0 (Windows NT 10.0) Chrome/{n}.0"));
        }
        assert!(filter.verdicts.len() <= REMEMBERED);
    }
}
