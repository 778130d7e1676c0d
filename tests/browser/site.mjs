// A villager's path through the public site in Debian's headless chromium at a phone
// viewport, with axe-core's WCAG 2.1 AA rules on every page. Usage: node site.mjs BASE_URL
// Exits non-zero on the first failure, saying what and where.
import { chromium } from "playwright-core";
import { createRequire } from "node:module";
import { mkdirSync, readFileSync } from "node:fs";
import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";

const require = createRequire(import.meta.url);
const AXE = require.resolve("axe-core/axe.min.js");
const base = process.argv[2];
const shots = process.env.BROWSER_SHOTS;
if (shots) mkdirSync(shots, { recursive: true });
let passed = 0;

function check(condition, message) {
  if (!condition) throw new Error(message);
  passed += 1;
}

// A TOTP code (RFC 6238, SHA-1, 30 s, 6 digits) from a base32 secret, as an authenticator app makes it.
function totp(secret, at = Date.now()) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of secret.toUpperCase().replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(at / 30000)));
  const mac = createHmac("sha1", key).update(counter).digest();
  const o = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, "0");
}

// Files a clerk has on the phone: a photo, a Word document, receipt photos.
const fixture = (name) => readFileSync(new URL(`fixtures/${name}`, import.meta.url));

async function axe(page, label) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  const problems = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("\n    ")}`,
  );
  check(problems.length === 0, `axe found WCAG 2.1 AA violations on ${label} (${page.url()}):\n  ${problems.join("\n  ")}`);
  if (shots) await page.screenshot({ path: `${shots}/${label}.png`, fullPage: false });
  console.log(`ok: ${label} — no WCAG 2.1 AA violations (${result.passes.length} rules passed)`);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
});
try {
  // bypassCSP lets the test inject axe-core; the site's own CSP forbids any other script.
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "zh-CN", bypassCSP: true });
  const page = await context.newPage();
  const failures = [];
  page.on("requestfailed", (r) => failures.push(r.url()));
  page.on("request", (r) => { if (!r.url().startsWith(base)) failures.push(`third-party request: ${r.url()}`); });

  // County home.
  await page.goto(`${base}/`);
  check((await page.title()).includes("村务公开"), `county home title: ${await page.title()}`);
  await axe(page, "county-home");

  // Find a village by part of its name.
  const names = await page.$$eval("ul.villages a", (as) => as.map((a) => a.textContent.trim()));
  check(names.length === 229, `county home lists ${names.length} villages, expected 229`);
  const target = names[37];
  await page.fill("#q", target.slice(0, 2));
  await Promise.all([page.waitForNavigation(), page.click("form.search button")]);
  check(page.url().includes("/search?q="), `search went to ${page.url()}`);
  await axe(page, "search-results");
  await Promise.all([page.waitForNavigation(), page.click(`ul.list a:has-text("${target}")`)]);

  // Village home.
  check((await page.textContent("h1")).trim() === target, `village heading is not ${target}`);
  check((await page.$$("ul.tiles a")).length === 8, "the village home shows 8 column tiles");
  // Read-aloud is offered only where a Chinese voice is installed (tried with stubbed voices below).
  const zhVoice = await page.evaluate(() => (window.speechSynthesis?.getVoices() || []).some((v) => /^(zh|cmn)/i.test(v.lang)));
  check((await page.isVisible("#read-aloud")) === zhVoice, `read-aloud is offered exactly when a Chinese voice exists (${zhVoice})`);
  await axe(page, "village-home");

  // A column, then a disclosure.
  await Promise.all([page.waitForNavigation(), page.click('ul.tiles a:has-text("阳光财务")')]);
  check((await page.textContent("h1")).trim() === "阳光财务", "finance column heading");
  await axe(page, "column");
  await Promise.all([page.waitForNavigation(), page.click('ul.list a[href*="/d/"]')]);
  check(page.url().includes("/d/"), `disclosure url ${page.url()}`);
  check((await page.$$("dl.facts dt")).length >= 3, "the disclosure shows publish time, period and column");
  await axe(page, "disclosure");

  // Elder mode: switched on from the page, remembered, big text and big targets.
  const disclosureUrl = page.url();
  await Promise.all([page.waitForNavigation(), page.click('nav.prefs a:has-text("长辈版")')]);
  check(page.url() === disclosureUrl, `elder switch returned to ${page.url()}`);
  const sizes = await page.evaluate(() => {
    const px = (el) => parseFloat(getComputedStyle(el).fontSize);
    const targets = [...document.querySelectorAll("nav.prefs a, ul.list a, button:not([hidden]), .crumbs a")]
      .map((el) => el.getBoundingClientRect())
      .filter((r) => r.width > 0)
      .map((r) => Math.min(r.width, r.height));
    return {
      elder: document.documentElement.classList.contains("elder"),
      body: px(document.body),
      largest: Math.max(...[...document.querySelectorAll("body *")].map(px)),
      lineHeight: parseFloat(getComputedStyle(document.body).lineHeight) / px(document.body),
      smallestTarget: Math.min(...targets),
      lock: getComputedStyle(document.documentElement).webkitTextSizeAdjust,
    };
  });
  check(sizes.elder, "elder mode is on after the switch");
  check(sizes.body >= 18, `elder body font ${sizes.body}px < 18px`);
  check(sizes.largest >= 30, `elder largest font ${sizes.largest}px < 30px`);
  check(sizes.lineHeight >= 1.3, `elder line height ${sizes.lineHeight} < 1.3`);
  check(sizes.smallestTarget >= 60, `an elder-mode touch target is only ${sizes.smallestTarget}px (60px needed)`);
  check(sizes.lock !== "none", "text-size-adjust is never locked");
  console.log(`ok: elder mode body ${sizes.body}px, largest ${sizes.largest}px, line height ${sizes.lineHeight.toFixed(2)}, smallest target ${sizes.smallestTarget.toFixed(0)}px`);
  await axe(page, "disclosure-elder");
  await page.goto(`${base}/?all=1`);
  check(await page.evaluate(() => document.documentElement.classList.contains("elder")), "elder mode is remembered across pages");
  await axe(page, "county-home-elder");

  // A returning villager lands on the village chosen last.
  await page.goto(`${base}/`);
  check((await page.textContent("h1")).trim() === target, `returning home landed on ${page.url()}`);
  const tile = await page.$eval("ul.tiles a", (a) => a.getBoundingClientRect().height);
  check(tile >= 60, `elder tile height ${tile}px < 60px`);
  await axe(page, "village-home-elder");

  // The month's accounts from the books, on a 360 px phone in elder mode.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto(`${base}${page.url().replace(base, "").split("?")[0]}/c/finance-income`);
  await Promise.all([page.waitForNavigation(), page.click('ul.list a[href*="/d/"]')]);
  await Promise.all([page.waitForNavigation(), page.click('a:has-text("查看本期每一张凭证")')]);
  check(page.url().includes("/finance/"), `the accounts page (at ${page.url()})`);
  const financeUrl = page.url();
  check((await page.$$("svg.chart rect")).length >= 2, "the chart is drawn");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check(overflow <= 0, `the accounts page fits 360 px (overflow ${overflow}px)`);
  await axe(page, "finance-elder");

  // Issue 5's public pages on the same phone in elder mode: registers, leases, trading, the
  // villagers' login, the rights and bank columns' totals.
  const village = page.url().replace(base, "").match(/^\/v\/\d{12}/)[0];
  for (const [path, label] of [
    [`${village}/assets`, "assets"],
    [`${village}/leases`, "leases"],
    [`${village}/leases?expiring=1`, "leases-expiring"],
    [`${village}/trading`, "trading"],
    [`${village}/c/rights`, "rights-totals"],
    [`${village}/c/bank`, "bank"],
    [`${village}/points`, "points"],
    [`${village}/decisions`, "decisions"],
    [`${village}/party`, "party"],
    [`${village}/powers`, "powers"],
    [`${village}/rules`, "rules"],
    ["/my", "villager-login"],
  ]) {
    const answer = await page.goto(`${base}${path}`);
    check(answer.status() === 200, `${label} answers 200 (got ${answer.status()})`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(wide <= 0, `${label} fits 360 px (overflow ${wide}px)`);
    await axe(page, `${label}-elder`);
  }
  // A village with listings, found through the county's OCDS package.
  const ocds = await (await page.goto(`${base}/open-data/ocds.json`)).json();
  check(ocds.releases.length > 0, "the county's OCDS package has releases");
  await page.goto(`${base}/v/${ocds.releases[0].parties[0].identifier.id}/trading`);
  const listing = await page.$("ul.list a[href*='/trading/']");
  check(listing !== null, "the demo village's trading page lists its listings");
  await Promise.all([page.waitForNavigation(), listing.click()]);
  await axe(page, "listing-elder");
  await page.goto(`${base}${village}/leases`);
  await Promise.all([page.waitForNavigation(), page.click("ul.list a")]);
  await axe(page, "lease-elder");
  await elderEverywhere(village, disclosureUrl, financeUrl);
  await readAloud(`${base}${village}/leases`);
  await checkOnThisPhone(disclosureUrl);
  await tipsOnAPhone();
  await page.setViewportSize({ width: 390, height: 844 });

  // The 404 page is friendly, in Chinese, with a way back.
  const missing = await page.goto(`${base}/v/999999999999`);
  check(missing.status() === 404, "unknown village gives 404");
  check((await page.textContent("h1")).includes("没有找到"), "404 page says so in Chinese");
  await axe(page, "not-found");

  check(failures.length === 0, `failed or third-party requests: ${failures.join(", ")}`);

  // Without JavaScript everything still reads; read-aloud stays hidden.
  const noJs = await browser.newContext({ viewport: { width: 390, height: 844 }, javaScriptEnabled: false });
  const plain = await noJs.newPage();
  await plain.goto(`${base}/?all=1`);
  const href = await plain.$eval("ul.villages a", (a) => a.getAttribute("href"));
  await plain.goto(`${base}${href}`);
  check((await plain.$$("ul.tiles a")).length === 8, "village home works without JavaScript");
  check(!(await plain.isVisible("#read-aloud")), "read-aloud is hidden without JavaScript");
  await plain.goto(disclosureUrl);
  await Promise.all([plain.waitForNavigation(), plain.click("#check-link")]);
  check(plain.url().endsWith("/verify#check") && (await plain.textContent("#check")).includes("核验一条公开事项"), `without JavaScript 在本机核验 explains how to check by hand (at ${plain.url()})`);

  // 随手拍 on a 360 px phone in elder mode: the form (location button, photo, text), the receipt
  // code shown once, the follow-up page with that code, the village's list; axe on each, no
  // sideways scrolling, buttons at least 60 px.
  {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: "zh-CN", bypassCSP: true });
    const phone = await ctx.newPage();
    phone.on("request", (r) => { if (!r.url().startsWith(base)) failures.push(`third-party request: ${r.url()}`); });
    await phone.goto(`${base}/prefs?elder=1&back=${encodeURIComponent(href + "/reports/new")}`);
    check(await phone.evaluate(() => document.documentElement.classList.contains("elder")), "the report form is in elder mode");
    const fits = async (label) => {
      const wide = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(wide <= 0, `${label} fits 360 px in elder mode (overflow ${wide}px)`);
    };
    check(await phone.isVisible("#locate"), "the location button shows where the browser can locate");
    const small = await phone.$$eval("main button, main select, main input[type=text], main textarea", (els) =>
      els.filter((e) => { const r = e.getBoundingClientRect(); return r.height < 60; }).map((e) => e.id || e.tagName));
    check(small.length === 0, `report form controls are at least 60 px tall in elder mode: ${small.join(", ")}`);
    await axe(phone, "report-form-elder");
    await fits("the report form");
    // A small PNG from the phone's camera roll.
    const png = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGM4YaOBFTEMLQkAdntLARs7+acAAAAASUVORK5CYII=", "base64");
    await phone.selectOption("#category", "road");
    await phone.fill("#description", "二组路口的水泥路面塌了一个坑，晚上看不清");
    await phone.fill("#address", "二组路口");
    await phone.setInputFiles("#photos", { name: "IMG_0001.png", mimeType: "image/png", buffer: png });
    await Promise.all([phone.waitForNavigation(), phone.click('form.report-form button[type=submit]')]);
    const code = (await phone.textContent("#receipt-code")).trim();
    check(/^[A-Z0-9]{5}(-[A-Z0-9]{5}){3}$/.test(code), `the report gets a long receipt code (${code})`);
    await axe(phone, "report-sent-elder");
    await fits("the receipt page");
    await phone.goto(`${base}/reports/follow`);
    await phone.fill("#code", code);
    await Promise.all([phone.waitForNavigation(), phone.click('form[action="/reports/follow"] button')]);
    check((await phone.textContent("#report-status")).includes("已受理"), "the code shows the report as received");
    await axe(phone, "report-follow-elder");
    await fits("the follow-up page");
    await phone.goto(`${base}${href}/reports`);
    check(!(await phone.textContent("main")).includes("塌了一个坑"), "an unresolved report is not listed publicly");
    await axe(phone, "reports-list-elder");
    await fits("the village's reports");
    await ctx.close();
    console.log("ok: a problem report sent and followed on a 360 px phone in elder mode");
  }

  if (process.env.YG_CLERK_PASSWORD) await publishing();
  console.log(`${passed} passed, 0 failed`);

  // 监督举报 on a 360 px phone: the form in normal and elder mode, a refusal that keeps the
  // text, the receipt code, and the status check with it. Leaves elder mode on, as it found it.
  async function tipsOnAPhone() {
    await page.setViewportSize({ width: 360, height: 740 });
    for (const elder of [0, 1]) {
      await page.goto(`${base}/prefs?elder=${elder}&back=%2Ftips`);
      check(page.url().endsWith("/tips"), `the elder switch returned to the form (at ${page.url()})`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(wide <= 0, `the tips form fits 360 px (overflow ${wide}px)`);
      await axe(page, elder ? "tips-form-elder" : "tips-form");
    }
    const smallest = await page.evaluate(() => Math.min(...[...document.querySelectorAll("form.tip button, form.tip label.choice, form.tip input:not([type=hidden]):not([type=radio]), form.tip textarea, footer a")]
      .map((el) => el.getBoundingClientRect()).filter((r) => r.width > 0).map((r) => Math.min(r.width, r.height))));
    check(smallest >= 60, `an elder-mode target on the tips form is only ${smallest}px (60px needed)`);
    const typed = "村务公开栏三个月没有更新 BROWSER-TIP";
    await page.fill("#text", typed);
    await page.check("input[value=named]");
    await page.fill("#name", "王某");
    await Promise.all([page.waitForNavigation(), page.click("form.tip button[type=submit]")]);
    check((await page.textContent(".tip-error")).includes("手机号码"), "a named report without a phone number is refused, saying why");
    check((await page.inputValue("#text")) === typed && (await page.inputValue("#name")) === "王某", "the refused form keeps what was typed");
    await axe(page, "tips-refused-elder");
    await page.check("input[value=anonymous]");
    await Promise.all([page.waitForNavigation(), page.click("form.tip button[type=submit]")]);
    const code = (await page.textContent(".receipt-code")).trim();
    check(/^([0-9A-Z]{4}-){5}[0-9A-Z]{4}$/.test(code), `a receipt code is shown (${code})`);
    const wide = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(wide <= 0, `the receipt fits 360 px (overflow ${wide}px)`);
    await axe(page, "tips-receipt-elder");
    await page.goto(`${base}/tips/status`);
    await page.fill("#code", code.toLowerCase());
    await Promise.all([page.waitForNavigation(), page.click("form.tip button[type=submit]")]);
    check((await page.textContent("dl.facts")).includes("新收到"), "the status check shows the report as received");
    await axe(page, "tips-status-elder");
    console.log("ok: 监督举报 at 360 px — form (normal and elder), refusal keeping the text, receipt, status check");
  }

  // 在本机核验 on a 360 px phone in elder mode: the browser recomputes the content hash from
  // content.json, walks the inclusion proof to the checkpoint's root, and checks the log's
  // signature and the witness's cosignature (WebCrypto's Ed25519, else the vendored verifier,
  // loaded only then); a tampered proof or cosignature fails in red, naming the step.
  async function checkOnThisPhone(url) {
    const out = process.env.YG_CHECK_SHOTS || shots;
    if (out) mkdirSync(out, { recursive: true });
    const witness = process.env.YG_WITNESS;
    const result = async (p) => {
      await p.waitForSelector("#check-result .check.ok, #check-result .check.bad", { timeout: 30000 });
      return (await p.textContent("#check-result")).trim();
    };
    const fits = async (p, label) => {
      const wide = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(wide <= 0, `${label} fits 360 px (overflow ${wide}px)`);
    };
    await page.goto(url);
    check(await page.evaluate(() => document.documentElement.classList.contains("elder")), "the check is tried in elder mode");
    const fingerprint = (await page.textContent("#fingerprint")).trim();
    check(/^[0-9a-f]{4}( [0-9a-f]{4}){3}$/.test(fingerprint), `the page shows the content fingerprint (${fingerprint})`);
    const facts = await page.textContent("section.log");
    check(/公开记录第 \d+ 条（树中的叶子序号 \d+/.test(facts), `the page shows the entry and its leaf index: ${facts}`);
    if (witness) check(facts.includes(`${witness} 于`), `the page names the witness of the latest checkpoint: ${facts}`);
    check((await page.getAttribute("#check-result", "role")) === "status", "the result is announced (role=status)");
    await page.click("#check-link");
    const ok = await result(page);
    check(ok.startsWith("✓ 核验通过：本页内容与公开记录一致"), `the check passes: ${ok}`);
    check(ok.includes(fingerprint.replace(/ /g, "\u00a0")), `the result names the fingerprint: ${ok}`);
    if (witness) check(ok.includes(`见证方 ${witness} 于`), `the result names the witness's cosignature: ${ok}`);
    await fits(page, "the check's result");
    await page.locator("section.log").screenshot({ path: `${out}/check-passed-elder-360.png` });
    await axe(page, "check-passed-elder");

    // The proof tampered with on the way: one hash of the inclusion proof changed.
    await page.route("**/api/disclosures/*/proof", async (route) => {
      const response = await route.fetch();
      const proof = await response.json();
      const hash = Buffer.from(proof.inclusion_proof[0], "base64");
      hash[0] ^= 1;
      proof.inclusion_proof[0] = hash.toString("base64");
      await route.fulfill({ response, json: proof });
    });
    await page.reload();
    await page.click("#check-link");
    const bad = await result(page);
    check(bad.startsWith("✗ 核验未通过：包含证明算不出检查点的根哈希"), `a tampered proof fails, naming the step: ${bad}`);
    const red = await page.$eval("#check-result .check", (e) => getComputedStyle(e).color);
    check(red === "rgb(165, 14, 14)", `the failure is shown in red (${red})`);
    await fits(page, "the failed check");
    await page.locator("section.log").screenshot({ path: `${out}/check-failed-elder-360.png` });
    await axe(page, "check-failed-elder");
    await page.unroute("**/api/disclosures/*/proof");

    // A browser without Ed25519 in WebCrypto, with the site's CSP enforced: the vendored
    // verifier is fetched on the click (never with the page) and checks the signatures.
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: "zh-CN" });
    await ctx.addCookies([{ name: "yg_elder", value: "1", url: base }]);
    await ctx.addInitScript(() => {
      const importKey = crypto.subtle.importKey.bind(crypto.subtle);
      crypto.subtle.importKey = (format, key, alg, ...rest) =>
        (alg && (alg.name || alg)) === "Ed25519" ? Promise.reject(new DOMException("Unrecognized name", "NotSupportedError")) : importKey(format, key, alg, ...rest);
    });
    const old = await ctx.newPage();
    const fetched = [];
    old.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await old.goto(url);
    check(!fetched.some((u) => u.startsWith("/assets/")), `the page comes without the check's scripts: ${fetched.join(" ")}`);
    await old.click("#check-link");
    const viaNoble = await result(old);
    check(viaNoble.startsWith("✓ 核验通过"), `the check passes without WebCrypto Ed25519: ${viaNoble}`);
    check(fetched.some((u) => u.startsWith("/assets/noble-ed25519-3.2.0-")), `the vendored verifier was loaded on the click: ${fetched.join(" ")}`);
    if (witness) {
      // A forged cosignature: one byte of the witness's signature changed.
      await old.route("**/api/disclosures/*/proof", async (route) => {
        const response = await route.fetch();
        const proof = await response.json();
        proof.checkpoint = proof.checkpoint.split("\n").map((line) => {
          if (!line.startsWith(`\u2014 ${witness} `)) return line;
          const sig = Buffer.from(line.split(" ")[2], "base64");
          sig[sig.length - 1] ^= 1;
          return `\u2014 ${witness} ${sig.toString("base64")}`;
        }).join("\n");
        await route.fulfill({ response, json: proof });
      });
      await old.reload();
      await old.click("#check-link");
      const forged = await result(old);
      check(forged.startsWith(`✗ 核验未通过：见证方 ${witness} 的副署无效`), `a forged cosignature fails: ${forged}`);
    }
    await ctx.close();

    // /verify on the same phone: the command names this site's address.
    await page.goto(`${base}/verify`);
    await fits(page, "/verify");
    const command = await page.textContent("pre code");
    check(command.startsWith(`yangguang verify --mirror ${base}/log/ --key 'yangguang/`), `the command names this site: ${command}`);
    await axe(page, "verify-elder");
    console.log("ok: 在本机核验 passes, fails in red on a tampered proof or cosignature, and works without WebCrypto Ed25519");
  }

  // Issue 13's villager side, measured on every public page on a 360 px phone in elder mode:
  // nothing wider than the screen (also with the system font at 150%, as WeChat's large font
  // setting does), every visible link, button, input, select and summary at least 60 × 60 px
  // (a checkbox by its label), and no visible text under 18 px — chart labels by the size they
  // are drawn at. Every closed <details> is opened first, so what it hides is measured too.
  async function elderEverywhere(village, disclosureUrl, financeUrl) {
    const out = process.env.YG_CHECK_SHOTS || shots;
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: "zh-CN", bypassCSP: true });
    await ctx.addCookies([
      { name: "yg_elder", value: "1", url: base },
      { name: "yg_villager", value: process.env.YG_VILLAGER_COOKIE || "none", url: base },
    ]);
    await ctx.addInitScript(stubVoices);
    const p = await ctx.newPage();
    const measure = async (path, label) => {
      const answer = await p.goto(path.startsWith("http") ? path : `${base}${path}`);
      check(answer.status() === 200 || label === "not-found", `${label} answers 200 (got ${answer.status()})`);
      await p.evaluate(() => window.__ygVoices([{ lang: "zh-CN", name: "婷婷" }]));
      const r = await p.evaluate(() => {
        for (const d of document.querySelectorAll("details")) d.open = true;
        const shown = (el) => {
          const s = getComputedStyle(el);
          return s.visibility !== "hidden" && [...el.getClientRects()].some((b) => b.width > 0 && b.height > 0 && b.right > 0 && b.bottom > 0);
        };
        const name = (el) => `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}> “${(el.textContent || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 24)}”`;
        const targets = [];
        for (const el of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")) {
          if (!shown(el)) continue;
          const box = (el.matches("input[type=checkbox], input[type=radio]") && el.closest("label")) || el;
          const b = box.getBoundingClientRect();
          if (b.width < 59.5 || b.height < 59.5) targets.push(`${name(el)} ${b.width.toFixed(0)}×${b.height.toFixed(0)}`);
        }
        const texts = [];
        const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        let count = 0;
        for (let n = walk.nextNode(); n; n = walk.nextNode()) {
          const el = n.parentElement;
          if (!n.textContent.trim() || !el || el.closest("script, style, title, option") || !shown(el)) continue;
          count += 1;
          let size = parseFloat(getComputedStyle(el).fontSize);
          // SVG text is drawn scaled by its viewBox: its size on the screen is what counts.
          if (el instanceof SVGElement && el.getScreenCTM) size *= el.getScreenCTM().a;
          if (size < 17.95) texts.push(`${size.toFixed(1)}px “${n.textContent.trim().slice(0, 20)}” in <${el.tagName.toLowerCase()}${el.className && typeof el.className === "string" ? "." + el.className : ""}>`);
        }
        const overflow = document.documentElement.scrollWidth - window.innerWidth;
        document.documentElement.style.fontSize = "150%";
        const overflowLarge = document.documentElement.scrollWidth - window.innerWidth;
        const widest = [...document.querySelectorAll("main *")].filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5).slice(-3).map(name);
        document.documentElement.style.fontSize = "";
        return { overflow, overflowLarge, widest, targets, texts, count, elder: document.documentElement.classList.contains("elder") };
      });
      check(r.elder, `${label} is in elder mode`);
      check(r.overflow <= 0, `${label} fits 360 px in elder mode (overflow ${r.overflow}px)`);
      check(r.overflowLarge <= 0, `${label} fits 360 px with the text at 150% (overflow ${r.overflowLarge}px: ${r.widest.join(", ")})`);
      check(r.targets.length === 0, `${label}: touch targets under 60 × 60 px: ${r.targets.join("; ")}`);
      check(r.count > 0 && r.texts.length === 0, `${label}: text under 18 px: ${r.texts.slice(0, 8).join("; ")}`);
      if (out) await p.screenshot({ path: `${out}/elder-360-${label}.png`, fullPage: true });
      console.log(`ok: ${label} — elder mode at 360 px: no overflow (also at 150%), targets ≥ 60 px, text ≥ 18 px (${r.count} text nodes)`);
    };
    const pages = [
      ["/?all=1", "county"],
      ["/search?q=" + encodeURIComponent("村"), "search"],
      [village, "village"],
      [`${village}/c/finance`, "column-finance"],
      [`${village}/c/assets-trading`, "column-trading"],
      [`${village}/c/rights`, "column-rights"],
      [`${village}/c/bank`, "column-bank"],
      [disclosureUrl, "disclosure"],
      [financeUrl, "finance"],
      [`${village}/assets`, "assets"],
      [`${village}/leases`, "leases"],
      [`${village}/leases?expiring=1`, "leases-filtered"],
      [`${village}/trading`, "trading"],
      ["/verify", "verify"],
      ["/my", "my-household"],
      [`${village}/points`, "points"],
      ["/my/points", "my-points"],
      ["/v/999999999999", "not-found"],
    ];
    for (const [path, label] of pages) await measure(path, label);
    // A receipt, a lease, a listing: reached as a villager would.
    await p.goto(financeUrl);
    const scan = await p.$eval("ul.scans a", (a) => a.href).catch(() => null);
    check(scan !== null, "the accounts page links a receipt scan");
    await measure(scan, "receipt");
    await p.goto(`${base}${village}/leases`);
    await measure(await p.$eval("ul.list a", (a) => a.href), "lease");
    const ocds = await (await p.goto(`${base}/open-data/ocds.json`)).json();
    await p.goto(`${base}/v/${ocds.releases[0].parties[0].identifier.id}/trading`);
    await measure(await p.$eval("ul.list a[href*='/trading/']", (a) => a.href), "listing");

    // The bank column's adviser is a tap to call; the accounts page steps between months.
    await p.goto(`${base}${village}/c/bank`);
    const tel = await p.$$eval("a[href^='tel:']", (as) => as.map((a) => a.getAttribute("href")));
    check(tel.length > 0 && tel.every((h) => /^tel:\+?[0-9-]{5,}$/.test(h)), `the adviser's number is a tel: link (${tel.join(" ")})`);
    await p.goto(financeUrl);
    const prev = await p.$("nav.months a[rel=prev]");
    check(prev !== null, "the accounts page links the month before");
    await Promise.all([p.waitForNavigation(), prev.click()]);
    check(p.url() !== financeUrl && p.url().includes("/finance/"), `the month before opens (at ${p.url()})`);
    const next = await p.$eval("nav.months a[rel=next]", (a) => a.href);
    check(next === financeUrl, `and its next month is the one we came from (${next})`);
    await axe(p, "finance-months-elder");

    // The household's own page: cards, not tables; areas with their unit.
    await p.goto(`${base}/my`);
    check((await p.$$("main table")).length === 0 && (await p.$$("ul.cards li")).length > 0, "/my shows the household as cards");
    check((await p.textContent("main")).includes(" 亩"), "/my gives areas in 亩");
    await axe(p, "my-household-elder");
    // The household's points: a card on /my, every entry with its reason at /my/points.
    check((await p.textContent("main")).includes("我家的积分"), "/my shows the household's points");
    await p.goto(`${base}/my/points`);
    check((await p.$$("ul.entries li")).length > 0, "/my/points lists the household's entries");
    await axe(p, "my-points-elder");
    await ctx.clearCookies();
    await ctx.addCookies([{ name: "yg_elder", value: "1", url: base }]);

    // The login: a number not registered anywhere gets the same answer and whom to ask; a
    // wrong code says beside the field how many tries are left.
    await measure("/my", "my-login");
    await p.fill("#phone", "13900000001");
    await Promise.all([p.waitForNavigation(), p.click("form[action='/my/code'] button")]);
    check((await p.textContent("p.ok")).includes("如该号码已登记"), "asking for a code is answered alike for every number");
    check((await p.textContent("#code-help")).includes("村委会"), "the code step says whom to ask when no code comes");
    await p.fill("#code", "000000");
    await Promise.all([p.waitForNavigation(), p.click("form[action='/my/verify'] button")]);
    const error = (await p.textContent("#code-error")).trim();
    check(error.includes("还可尝试 4 次"), `a wrong code warns before the lockout: ${error}`);
    check((await p.getAttribute("#code", "aria-describedby")).includes("code-error"), "the code field points at its error");
    const red = await p.$eval("#code-error", (e) => getComputedStyle(e).color);
    check(red === "rgb(165, 14, 14)", `the error is styled as the console's (${red})`);
    const fits = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    check(fits <= 0, `the login's error fits 360 px (overflow ${fits}px)`);
    if (out) await p.screenshot({ path: `${out}/elder-360-my-wrong-code.png`, fullPage: true });
    await axe(p, "my-wrong-code-elder");
    await ctx.close();
  }

  // Speech synthesis stubbed (headless chromium has no voices): voices arrive late, as on phones.
  function stubVoices() {
    const s = window.speechSynthesis;
    if (!s) return;
    let voices = [];
    let current = null;
    s.getVoices = () => voices;
    Object.defineProperty(s, "speaking", { get: () => current !== null });
    s.speak = (u) => { current = u; window.__ygSpoken = u.text; };
    s.cancel = () => { const u = current; current = null; if (u && u.onerror) u.onerror(new Event("error")); };
    window.__ygVoices = (v) => { voices = v; s.dispatchEvent(new Event("voiceschanged")); };
    window.__ygEnd = (kind) => { const u = current; current = null; if (u && u[kind]) u[kind](new Event(kind.slice(2))); };
  }

  // 朗读: hidden until a Chinese voice arrives, then reads the page and is never left pressed.
  async function readAloud(url) {
    const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, locale: "zh-CN" });
    await ctx.addInitScript(stubVoices);
    const p = await ctx.newPage();
    await p.goto(url);
    const pressed = () => p.getAttribute("#read-aloud", "aria-pressed");
    check(!(await p.isVisible("#read-aloud")), "read-aloud is hidden while no voice is installed");
    await p.evaluate(() => window.__ygVoices([{ lang: "en-US", name: "Samantha" }]));
    check(!(await p.isVisible("#read-aloud")), "read-aloud stays hidden with only an English voice");
    await p.evaluate(() => window.__ygVoices([{ lang: "en-US", name: "Samantha" }, { lang: "zh-CN", name: "婷婷" }]));
    check(await p.isVisible("#read-aloud"), "read-aloud appears when a Chinese voice arrives (voiceschanged)");
    const h1 = (await p.textContent("h1")).trim();
    for (const [how, end] of [
      ["speech ends", () => p.evaluate(() => window.__ygEnd("onend"))],
      ["speech fails", () => p.evaluate(() => window.__ygEnd("onerror"))],
      ["the button is pressed again", () => p.click("#read-aloud")],
      ["the page is hidden", () => p.evaluate(() => window.dispatchEvent(new PageTransitionEvent("pagehide", { persisted: true })))],
    ]) {
      await p.click("#read-aloud");
      check((await pressed()) === "true", `read-aloud shows pressed while reading (before ${how})`);
      check((await p.evaluate(() => window.__ygSpoken)).includes(h1), `read-aloud reads the page, its heading first (${h1})`);
      await end();
      check((await pressed()) === "false", `read-aloud is not left pressed when ${how}`);
    }
    await ctx.close();
    console.log("ok: 朗读 appears only with a Chinese voice and resets on end, error, cancel and page hide");
  }

  // Issue 12: a ledger upload is previewed on a 360 px phone (axe, no overflow), confirmed,
  // then a changed voucher is shown old beside new before anything is stored.
  async function importPreview(clerk) {
    await clerk.setViewportSize({ width: 360, height: 740 });
    const header = "凭证日期,凭证号,摘要,科目编码,借方金额,贷方金额\n";
    const voucher = (summary, amount) =>
      `2031-01-09,记-901,${summary},102,${amount},\n2031-01-09,记-901,${summary},501003,,${amount}\n`;
    const upload = async (text) => {
      await clerk.goto(`${base}/console/ledger`);
      await clerk.setInputFiles("#files", { name: "一月.csv", mimeType: "text/csv", buffer: Buffer.from(header + text) });
      await Promise.all([clerk.waitForNavigation(), clerk.click('form[action="/console/ledger"] button[type=submit]')]);
    };
    const fits = async (label) => {
      const wide = await clerk.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(wide <= 0, `${label} fits 360 px (overflow ${wide}px)`);
      await axe(clerk, label);
    };
    await upload(voucher("收鱼塘承包费", "600.00"));
    check((await clerk.textContent("main")).includes("新增凭证 1 张"), "the preview counts the new voucher");
    await fits("import-preview-new");
    await Promise.all([clerk.waitForNavigation(), clerk.click('form[action="/console/imports/confirm"] button')]);
    check((await clerk.textContent("p.ok")).includes("已导入：新增凭证 1 张"), "the confirm imports the preview");
    await upload(voucher("收鱼塘承包费（补）", "650.00"));
    const shown = await clerk.textContent("main");
    check(shown.includes("原内容") && shown.includes("新内容") && shown.includes("已改"), "a changed voucher shows old beside new");
    await fits("import-preview-changed");
    await clerk.setViewportSize({ width: 390, height: 844 });
    console.log("ok: an import was previewed on a phone, confirmed, and a change shown old beside new");
  }

  // Two real staff sessions: the clerk drafts and submits, the committee member signs, the
  // item is public with the sign-off; then a correction shows its reason and diff.
  async function publishing() {
    // Staff on a 390 × 844 phone, as a clerk with only a phone works.
    const phone = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, locale: "zh-CN", bypassCSP: true };
    const staff = async (username, password) => {
      const ctx = await browser.newContext(phone);
      const p = await ctx.newPage();
      await p.goto(`${base}/console/login`);
      await axe(p, `console-login-${username}`);
      await p.fill("#username", username);
      await p.fill("#password", password);
      await Promise.all([p.waitForNavigation(), p.click("form button[type=submit]")]);
      // The first login leads straight into the set-up: a new password typed twice, then (for
      // roles that need it) the second factor, then the console.
      check(p.url().endsWith("/console/setup"), `${username} must change the one-time password first (at ${p.url()})`);
      await axe(p, `console-setup-${username}`);
      const fresh = `${password}-new-2026`;
      await p.fill("#new", fresh);
      await p.fill("#confirm", fresh);
      await Promise.all([p.waitForNavigation(), p.click('form[action="/console/setup/password"] button')]);
      if (await p.$("code.totp-key")) {
        check((await p.$$(".qr svg")).length === 1, `${username}'s second factor is set up from a QR code`);
        await axe(p, `console-setup-totp-${username}`);
        await p.fill("#code", totp((await p.textContent("code.totp-key")).replace(/\s/g, "")));
        await Promise.all([p.waitForNavigation(), p.click('form[action="/console/setup/totp"] button[type=submit]')]);
      }
      check(p.url().endsWith("/console"), `${username} reaches the console after one flow (at ${p.url()})`);
      // On a phone the navigation is one button; a tap opens it.
      check(!(await p.$eval("details.console-menu", (d) => d.open)), "the console menu is folded on a phone");
      await p.tap("details.console-menu summary");
      check(await p.isVisible('details.console-menu a[href="/console/account"]'), "a tap opens the console menu");
      return p;
    };
    const clerk = await staff("clerk", process.env.YG_CLERK_PASSWORD);
    await axe(clerk, "console-dashboard");
    await clerk.goto(`${base}/console/new`);
    await clerk.fill("#title", "关于村道路灯维修的公告");
    // The body is written in the editor (no Markdown to type): bold from the toolbar, and a
    // table pasted from a spreadsheet stays a table.
    await clerk.waitForSelector("#body-editor", { timeout: 5000 });
    check(await clerk.$eval("#body", (t) => t.hidden), "the editor replaces the plain text box");
    const tap = await clerk.$eval(".toolbar button", (b) => { const r = b.getBoundingClientRect(); return Math.min(r.width, r.height); });
    check(tap >= 44, `toolbar buttons are big enough to tap (${tap}px)`);
    await clerk.click("#body-editor");
    await clerk.keyboard.type("路灯维修共 ");
    await clerk.click('.toolbar button:text-is("加粗")');
    await clerk.keyboard.type("24");
    await clerk.click('.toolbar button:text-is("加粗")');
    await clerk.keyboard.type(" 盏，费用如下。");
    await clerk.keyboard.press("Enter");
    await clerk.$eval("#body-editor", (ed) => {
      const dt = new DataTransfer();
      dt.setData("text/html", "<html><body><table><tr><td>项目</td><td>金额</td></tr><tr><td>路灯维修</td><td>3,600.00</td></tr></table></body></html>");
      dt.setData("text/plain", "项目\t金额\n路灯维修\t3,600.00\n");
      ed.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
    });
    await clerk.waitForSelector("#preview table", { timeout: 5000 });
    check((await clerk.textContent("#preview strong")) === "24", "the live preview renders the bold text");
    const markdown = await clerk.$eval("#body", (t) => t.value);
    check(markdown.includes("**24**") && markdown.includes("| 路灯维修 | 3,600.00 |"), `the body is stored as Markdown: ${markdown}`);
    // A photo taken on site and the Word contract, attached from the phone.
    await clerk.setInputFiles("#files", [
      { name: "现场照片.png", mimeType: "image/png", buffer: fixture("现场照片.png") },
      { name: "施工合同.docx", mimeType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", buffer: fixture("施工合同.docx") },
    ]);
    await axe(clerk, "console-new");
    await Promise.all([clerk.waitForNavigation(), clerk.click('form[action="/console/new"] button[type=submit]')]);
    const attached = await clerk.textContent("main");
    check(attached.includes("现场照片") && attached.includes("施工合同.docx"), "the photo and the Word file are attached to the draft");
    const draftUrl = clerk.url();
    check(/\/console\/d\/\d+$/.test(draftUrl), `draft saved at ${draftUrl}`);
    await Promise.all([clerk.waitForNavigation(), clerk.click('form[action$="/submit"] button')]);
    check((await clerk.textContent("dl.facts")).includes("待审核"), "submitted for review");
    // The receipt desk on the phone: the month before the demo's day, photos of two receipts
    // named as the clerk's phone would after renaming them to the voucher, then one tap
    // assigns both; the voucher's count goes up.
    {
      const asOf = new Date(`${process.env.YG_AS_OF || new Date().toISOString().slice(0, 10)}T12:00:00Z`);
      asOf.setUTCDate(1);
      asOf.setUTCMonth(asOf.getUTCMonth() - 1);
      const month = asOf.toISOString().slice(0, 7);
      await clerk.goto(`${base}/console/receipts?month=${month}`);
      check((await clerk.$$('input[type=file][capture="environment"]')).length === 1, "the desk offers the camera");
      check((await clerk.textContent("main")).includes("应附"), "the desk counts scans expected against attached");
      const wide = await clerk.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(wide <= 0, `the receipt desk fits 390 px (overflow ${wide}px)`);
      await axe(clerk, "console-receipts");
      const voucher = await clerk.$eval(".desk-list .desk-card strong", (e) => e.textContent.trim()).catch(() => null);
      check(voucher !== null && /\d/.test(voucher), `the desk lists the month's vouchers (first: ${voucher})`);
      const number = voucher.match(/[^\s·：:]*\d+/)[0];
      await clerk.setInputFiles("#photos", [
        { name: `${number}_1.png`, mimeType: "image/png", buffer: fixture("receipt-a.png") },
        { name: `${number}_2.png`, mimeType: "image/png", buffer: fixture("receipt-b.png") },
      ]);
      // The upload runs with a progress bar and the answer replaces the page in place.
      await clerk.click('form[action="/console/receipts/upload"] button[type=submit]');
      await clerk.waitForSelector("#tray", { state: "attached", timeout: 30000 });
      await clerk.waitForFunction(() => document.body.textContent.includes("到“待分配”"), null, { timeout: 30000 });
      const tray = await clerk.textContent("main");
      check(tray.includes("已上传 2 张"), `two photos went into the month's tray: ${tray.slice(0, 300)}`);
      await axe(clerk, "console-receipts-tray");
      await Promise.all([clerk.waitForNavigation(), clerk.click('form[action="/console/receipts/assign-suggested"] button')]);
      check((await clerk.textContent("main")).includes("已按文件名建议分配 2 张"), "one tap assigns the suggested photos to their voucher");
      await clerk.goto(draftUrl);
    }

    // 积分制: the clerk's points page; an entry without a reason is refused beside its field.
    await clerk.goto(`${base}/console/points`);
    await axe(clerk, "console-points");
    await clerk.fill("#event-household", "0001");
    await clerk.evaluate(() => document.querySelector("#event-reason").removeAttribute("required"));
    await Promise.all([clerk.waitForNavigation(), clerk.click('form[action="/console/points/event"] button')]);
    check((await clerk.textContent("#event-reason-error")).includes("事由必填"), "a points entry without a reason is refused beside the field");
    check((await clerk.inputValue("#event-household")) === "0001", "the refused entry keeps what was typed");
    await axe(clerk, "console-points-refused");

    // 民主决策, 党建引领, 小微权力清单, 村规民约: the governance console pages pass axe too.
    for (const [path, label] of [
      ["/console/decisions", "console-decisions"],
      ["/console/party", "console-party"],
      ["/console/powers", "console-powers"],
      ["/console/rules", "console-rules"],
    ]) {
      await clerk.goto(`${base}${path}`);
      await axe(clerk, label);
    }
    await clerk.goto(`${base}/console/decisions`);
    const decision = await clerk.$eval("ul.decisions a", (a) => a.href).catch(() => "");
    check(decision !== "", "the demo clerk's village has decisions");
    await clerk.goto(decision);
    await axe(clerk, "console-decision");

    const reviewer = await staff("supervisor", process.env.YG_SUPERVISOR_PASSWORD);
    // The supervisor is told: the folded menu and the work list link both count what waits.
    const waiting = await reviewer.textContent("details.console-menu summary");
    check(/\d+ 项待办/.test(waiting), `the menu counts what waits for the supervisor: ${waiting}`);
    check(/待我审核 \d+/.test(await reviewer.textContent('details.console-menu a[href="/console"]')), "the work list link says how many await review");
    await Promise.all([reviewer.waitForNavigation(), reviewer.click('a:has-text("关于村道路灯维修的公告")')]);
    // Everything signed is shown: the body, the photo itself, the Word file to open.
    check(await reviewer.isVisible('section.attachment img[alt*="现场照片"]'), "the reviewer sees the photo");
    check(await reviewer.isVisible('section.attachment a:has-text("施工合同.docx")'), "the reviewer can open the Word file");
    await axe(reviewer, "console-review");
    await reviewer.fill("#comment", "经核对，同意公开。");
    await Promise.all([reviewer.waitForNavigation(), reviewer.click('button[value="approve"]')]);
    check((await reviewer.textContent("p.ok")).includes("已签署并公开"), "signing the last required sign-off publishes");
    const publicUrl = await reviewer.$eval("dl.facts a[href^='/v/']", (a) => a.href);

    const reader = await browser.newPage({ viewport: { width: 390, height: 844 }, bypassCSP: true });
    await reader.goto(publicUrl);
    const text = await reader.textContent("main");
    check(text.includes("关于村道路灯维修的公告") && text.includes("李建国") && text.includes("经核对，同意公开"), "the public page shows who signed and what they said");
    check((await reader.textContent("#content table")).includes("3,600.00"), "the pasted table is a table in public");
    await axe(reader, "public-signed");

    // A correction: reason, new content, the same review, and a readable diff in public.
    await clerk.goto(draftUrl);
    await clerk.fill("#correct_reason", "费用金额录入错误");
    await Promise.all([clerk.waitForNavigation(), clerk.click('form[action$="/correct"] button')]);
    await clerk.waitForSelector("#body-editor td", { timeout: 5000 });
    // The clerk changes one cell of the table in the editor.
    await clerk.$eval("#body-editor", (ed) => {
      for (const td of ed.querySelectorAll("td")) if (td.textContent === "3,600.00") td.textContent = "3,960.00";
      ed.dispatchEvent(new Event("input", { bubbles: true }));
    });
    await Promise.all([clerk.waitForNavigation(), clerk.click("form[enctype] button[type=submit]")]);
    await Promise.all([clerk.waitForNavigation(), clerk.click('form[action$="/submit"] button')]);
    await reviewer.goto(`${base}/console`);
    await Promise.all([reviewer.waitForNavigation(), reviewer.click('a:has-text("关于村道路灯维修的公告")')]);
    await Promise.all([reviewer.waitForNavigation(), reviewer.click('button[value="approve"]')]);
    const correctedUrl = await reviewer.$eval("dl.facts a[href^='/v/']", (a) => a.href);
    await reader.goto(correctedUrl);
    const corrected = await reader.textContent("main");
    check(corrected.includes("更正于") && corrected.includes("费用金额录入错误"), "the correction shows when and why");
    const changes = await reader.textContent("details.diff");
    check(changes.includes("原为：3,600.00") && changes.includes("3,960.00") && changes.includes("有改动"), `the diff marks the changed cell: ${changes}`);
    check(!changes.includes("|") && !changes.includes("**"), "the diff shows no Markdown");
    await axe(reader, "public-corrected");
    await reader.goto(publicUrl);
    check((await reader.textContent("main")).includes("此版本已被更正"), "the old version says it was corrected");
    console.log("ok: two staff sessions published and corrected an item");

    // Axe on every console page, normal and elder mode, on the phone; the admin's and the
    // bank's pages after their own first login with a second factor.
    const admin = await staff("admin", process.env.YG_ADMIN_PASSWORD);
    const bank = await staff("bank", process.env.YG_BANK_PASSWORD);
    const sweep = [
      [clerk, ["/console", "/console/new", "/console/ledger", "/console/receipts", "/console/receipts/recheck", "/console/assets", "/console/leases", "/console/households", "/console/published", "/console/account", draftUrl.replace(base, "")]],
      [reviewer, ["/console", "/console/published", "/console/account"]],
      // The supervision pages, as the admin (whose region is the city) reads them on a phone.
      [admin, ["/console/users", "/console/audit", "/console/dashboard", "/console/calendar", "/console/warnings", "/console/warnings/thresholds"]],
      [bank, ["/console/bank"]],
    ];
    for (const elder of [false, true]) {
      for (const [who, paths] of sweep) {
        await who.context().addCookies([{ name: "yg_elder", value: elder ? "1" : "0", url: base }]);
        for (const path of paths) {
          const answer = await who.goto(`${base}${path}`);
          check(answer.status() === 200, `${path} answers 200 (got ${answer.status()})`);
          const wide = await who.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          check(wide <= 0, `${path} fits 390 px${elder ? " in elder mode" : ""} (overflow ${wide}px)`);
          await axe(who, `console ${path}${elder ? " (elder)" : ""}`);
        }
      }
    }
    for (const [who] of sweep) await who.context().addCookies([{ name: "yg_elder", value: "0", url: base }]);
    console.log("ok: every console page passes axe WCAG 2.1 AA at 390 px, normal and elder");
    await importPreview(clerk);
    await questions(clerk, new URL(publicUrl).pathname.match(/^\/v\/\d{12}/)[0]);
  }

  // 我要质询 on a 360 px phone: a villager questions a voucher anonymously and gets a receipt
  // code; the clerk sees the count, answers in the console; the villager reads the answer by
  // the code. In elder mode a second question goes unanswered: with the clock moved past its
  // deadline (escalate-questions --as-of, demo data only) it shows overdue and escalated.
  async function questions(clerk, village) {
    const phone = async (elder) => {
      const ctx = await browser.newContext({ viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, locale: "zh-CN", bypassCSP: true });
      if (elder) await ctx.addCookies([{ name: "yg_elder", value: "1", url: base }]);
      return ctx.newPage();
    };
    const fitsPhone = async (p, label) => {
      const wide = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      check(wide <= 0, `${label} fits 360 px (overflow ${wide}px)`);
    };
    const accounts = async (p) => {
      await p.goto(`${base}${village}/c/finance-income`);
      await Promise.all([p.waitForNavigation(), p.click('ul.list a[href*="/d/"]')]);
      await Promise.all([p.waitForNavigation(), p.click('a:has-text("查看本期每一张凭证")')]);
      check(p.url().includes("/finance/"), `the accounts page (at ${p.url()})`);
    };
    const villager = await phone(false);
    await accounts(villager);
    const voucher = villager.locator("details:has(a.ask-voucher)").first();
    await voucher.locator("summary").click();
    await Promise.all([villager.waitForNavigation(), voucher.locator("a.ask-voucher").click()]);
    check(/\/ask\?on=v(:|%3A)/.test(villager.url()), `the voucher's 我要质询 leads to the form (at ${villager.url()})`);
    await villager.waitForSelector("form.voice #body");
    const about = await villager.textContent("main");
    check(about.includes("凭证"), `the form names the voucher: ${about.slice(0, 300)}`);
    await fitsPhone(villager, "the question form");
    await axe(villager, "ask");
    await villager.fill("#body", "这张凭证的金额是怎么算出来的？<b>请说明</b>");
    check(await villager.isChecked('input[name="public"]'), "public is the default, and can be unticked");
    await Promise.all([villager.waitForNavigation(), villager.click('form.voice button[type=submit]')]);
    await villager.waitForSelector("#receipt-code");
    const code = (await villager.textContent("#receipt-code")).trim();
    check(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/.test(code), `a long grouped receipt code: ${code}`);
    check((await villager.textContent("#deadline")).length > 0, "the deadline is shown");
    await fitsPhone(villager, "the receipt code page");
    await axe(villager, "ask-sent");

    await clerk.goto(`${base}/console`);
    const badge = await clerk.textContent("#nav-questions");
    check(/待处理 \d+/.test(badge), `the clerk's navigation counts the question: ${badge}`);
    // On the phone the menu is folded: a tap opens it, a tap on the link follows it.
    if (!(await clerk.$eval("details.console-menu", (d) => d.open))) await clerk.tap("details.console-menu summary");
    await Promise.all([clerk.waitForNavigation(), clerk.tap("#nav-questions")]);
    const item = clerk.locator("li.question", { hasText: "这张凭证的金额是怎么算出来的" }).first();
    check((await item.textContent()).includes("<b>请说明</b>"), "the villager's text is shown as typed, as text");
    await axe(clerk, "console-questions");
    await item.locator("textarea[name=reply]").fill("该笔为村道维修材料费，已附原始票据，请查看凭证下的票据。");
    await Promise.all([clerk.waitForNavigation(), item.locator('form[action$="/answer"] button').click()]);
    check((await clerk.textContent("p.ok")).includes("已答复"), "answered");

    await villager.goto(`${base}/q`);
    await villager.fill("#code", code.toLowerCase());
    await Promise.all([villager.waitForNavigation(), villager.click("form.voice button[type=submit]")]);
    check((await villager.textContent("#reply")).includes("村道维修材料费"), "the villager reads the answer with the code");
    await fitsPhone(villager, "the answer");
    await axe(villager, "question-answered");

    // Elder mode: a question on the month, never answered.
    const elder = await phone(true);
    await accounts(elder);
    await Promise.all([elder.waitForNavigation(), elder.click("#ask-link")]);
    await elder.waitForSelector("form.voice #body");
    await fitsPhone(elder, "the question form in elder mode");
    const sizes = await elder.evaluate(() => {
      const box = (s) => document.querySelector(s).getBoundingClientRect();
      return { button: box("form.voice button").height, check: box("label.check").height, text: parseFloat(getComputedStyle(document.querySelector("#body")).fontSize) };
    });
    check(sizes.button >= 60 && sizes.check >= 60, `elder-mode targets are at least 60 px (${JSON.stringify(sizes)})`);
    check(sizes.text >= 18, `elder-mode text is at least 18 px (${sizes.text})`);
    await axe(elder, "ask-elder");
    await elder.fill("#body", "本月收支为什么比上月多？");
    await Promise.all([elder.waitForNavigation(), elder.click("form.voice button[type=submit]")]);
    await elder.waitForSelector("#receipt-code");
    const late = (await elder.textContent("#receipt-code")).trim();
    await axe(elder, "ask-sent-elder");
    const day = new Date(Date.now() + 12 * 86400000).toISOString().slice(0, 10);
    const out = execFileSync(process.env.YG_BIN, ["escalate-questions", "--data-dir", process.env.YG_DATA, "--as-of", day], { encoding: "utf8" });
    check(/escalated [1-9]\d* questions/.test(out), `the clock moved past the deadline escalates: ${out.trim()}`);
    await elder.goto(`${base}/q`);
    await elder.fill("#code", late);
    await Promise.all([elder.waitForNavigation(), elder.click("form.voice button[type=submit]")]);
    const clock = await elder.textContent("#clock");
    check(clock.includes("已逾期未答复") && clock.includes("已转交乡镇督办"), `overdue and escalated: ${clock}`);
    await fitsPhone(elder, "the overdue question in elder mode");
    await axe(elder, "question-overdue-elder");
    await elder.goto(`${base}${village}`);
    check(!(await elder.textContent("#question-counts")).includes("逾期未答复 0 条"), "the village page counts the overdue question");
    console.log("ok: a question asked anonymously at 360 px was answered in the console, read by its code; another escalated past its deadline");
  }
} catch (e) {
  console.error(`FAILED: ${e.message}`);
  console.log(`${passed} passed, 1 failed`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
