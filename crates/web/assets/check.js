// 在本机核验: checks one published version against the signed public log in the reader's own
// browser (docs/TRANSPARENCY.md §6), loaded only when the reader asks for it. The server serves
// it after a line setting YG_T (the page's language's texts, from the i18n table) and YG_ED
// (the address of the vendored Ed25519 verifier, loaded only if WebCrypto lacks Ed25519).
// ES2017, no framework; the result is written into #check-result (role=status).
(function () {
  "use strict";
  var T = window.YG_T;
  var subtle = window.crypto && window.crypto.subtle;
  var encoder = new TextEncoder();
  var busy = false;

  function Failure(message) {
    this.message = message;
  }
  function fmt(text, vars) {
    return text.replace(/\{(\w+)\}/g, function (all, k) {
      return vars && k in vars ? String(vars[k]) : all;
    });
  }
  function fail(key, vars) {
    throw new Failure(fmt(T[key], vars));
  }
  function utf8(s) {
    return encoder.encode(s);
  }
  function concat(parts) {
    var n = 0;
    parts.forEach(function (p) { n += p.length; });
    var out = new Uint8Array(n);
    var at = 0;
    parts.forEach(function (p) { out.set(p, at); at += p.length; });
    return out;
  }
  async function sha256(parts) {
    return new Uint8Array(await subtle.digest("SHA-256", concat(parts)));
  }
  function hex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
    return s;
  }
  function unbase64(s) {
    var bin = atob(s);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out;
  }
  function same(a, b) {
    if (a.length !== b.length) return false;
    for (var i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  // China time, as the pages write it: 2026-03-02 10:00.
  function chinaTime(unix) {
    var d = new Date((unix + 8 * 3600) * 1000);
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return d.getUTCFullYear() + "-" + two(d.getUTCMonth() + 1) + "-" + two(d.getUTCDate()) + " " +
      two(d.getUTCHours()) + ":" + two(d.getUTCMinutes());
  }

  async function download(url, what) {
    var r;
    try {
      r = await fetch(url, { credentials: "omit", cache: "no-store" });
    } catch (e) {
      fail("check_fail_fetch", { what: what });
    }
    if (!r.ok) fail("check_fail_fetch", { what: what + " " + r.status });
    return r.text();
  }

  // RFC 9162 §2.1.3.2: the root an inclusion proof leads to, or null.
  async function rootFrom(index, size, leaf, proof) {
    if (index >= size) return null;
    var fn = index, sn = size - 1, r = leaf;
    for (var i = 0; i < proof.length; i++) {
      var p = proof[i];
      if (sn === 0) return null;
      if (fn % 2 === 1 || fn === sn) {
        r = await sha256([new Uint8Array([1]), p, r]);
        if (fn % 2 === 0) {
          while (fn % 2 === 0 && fn !== 0) {
            fn = Math.floor(fn / 2);
            sn = Math.floor(sn / 2);
          }
        }
      } else {
        r = await sha256([new Uint8Array([1]), r, p]);
      }
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
    }
    return sn === 0 ? r : null;
  }

  // A signed-note verifier key: <name>+<hex key id>+<base64(type ‖ public key)>.
  async function parseKey(vkey, type) {
    var a = vkey.indexOf("+");
    var b = vkey.indexOf("+", a + 1);
    if (a < 1 || b < 0) return null;
    var name = vkey.slice(0, a);
    var raw = unbase64(vkey.slice(b + 1));
    if (raw.length !== 33 || raw[0] !== type) return null;
    var id = (await sha256([utf8(name), new Uint8Array([10]), raw])).slice(0, 4);
    if (hex(id) !== vkey.slice(a + 1, b)) return null;
    return { name: name, id: id, pub: raw.slice(1) };
  }

  // The signature lines of a note for `key`: the bytes after the key id, one per line.
  function signaturesBy(lines, key) {
    var out = [];
    lines.forEach(function (line) {
      var m = /^\u2014 (\S+) (\S+)$/.exec(line);
      if (!m || m[1] !== key.name) return;
      var sig;
      try { sig = unbase64(m[2]); } catch (e) { return; }
      if (sig.length > 4 && same(sig.slice(0, 4), key.id)) out.push(sig.slice(4));
    });
    return out;
  }

  var noble = null;
  function loadNoble() {
    if (!noble) {
      noble = new Promise(function (resolve, reject) {
        var s = document.createElement("script");
        s.src = window.YG_ED;
        s.onload = function () { window.nobleEd25519 ? resolve(window.nobleEd25519) : reject(); };
        s.onerror = reject;
        document.head.appendChild(s);
      });
    }
    return noble;
  }

  // Ed25519 with WebCrypto where the browser has it, else with the vendored verifier.
  async function ed25519(pub, sig, message) {
    if (sig.length !== 64) return false;
    var key = null;
    try {
      key = await subtle.importKey("raw", pub, { name: "Ed25519" }, true, ["verify"]);
    } catch (e) {
      key = null;
    }
    if (key) return subtle.verify({ name: "Ed25519" }, key, sig, message);
    var ed;
    try {
      ed = await loadNoble();
    } catch (e) {
      fail("check_fail_crypto");
    }
    try {
      return await ed.verifyAsync(sig, message, pub);
    } catch (e) {
      return false;
    }
  }

  async function check(link) {
    var id = link.getAttribute("data-id");
    var texts = await Promise.all([
      download("/api/disclosures/" + id + "/content.json", "content.json"),
      download("/api/disclosures/" + id + "/proof", "proof"),
      download("/api/log/keys", "keys"),
    ]);
    var doc, proof, keys, entry;
    try {
      doc = JSON.parse(texts[0]);
      proof = JSON.parse(texts[1]);
      keys = JSON.parse(texts[2]);
      entry = JSON.parse(proof.entry);
    } catch (e) {
      fail("check_fail_fetch", { what: "JSON" });
    }

    // 1. The content hash, recomputed exactly as documented (§1).
    (doc.attachments || []).forEach(function (a) { delete a.url; });
    var computed = hex(await sha256([utf8("yangguang-content-v1\n" + JSON.stringify(doc))]));
    var n = entry.seq;
    if (entry.content_hash !== computed) fail("check_fail_content", { n: n });
    var shown = document.getElementById("fingerprint");
    if (!shown || shown.getAttribute("data-hash") !== computed ||
        shown.textContent.replace(/\s/g, "") !== computed.slice(0, 16)) fail("check_fail_page");
    if (String(entry.disclosure) !== id) fail("check_fail_id", { n: n });
    if (proof.leaf_index !== n - 1 || link.getAttribute("data-seq") !== String(n)) fail("check_fail_leaf");

    // 2. The checkpoint note: text, then a blank line, then signature lines.
    var note = String(proof.checkpoint);
    var cut = note.indexOf("\n\n");
    if (cut < 0) fail("check_fail_signature");
    var text = note.slice(0, cut + 1);
    var lines = text.split("\n");
    var sigLines = note.slice(cut + 2).split("\n");
    if (lines[1] !== String(proof.tree_size)) fail("check_fail_size");

    // 3. The leaf and its inclusion proof up to the checkpoint's root.
    var leaf = await sha256([new Uint8Array([0]), utf8(proof.entry)]);
    var root = null;
    try {
      root = await rootFrom(proof.leaf_index, proof.tree_size, leaf, proof.inclusion_proof.map(unbase64));
      root = root && same(root, unbase64(lines[2])) ? root : null;
    } catch (e) {
      root = null;
    }
    if (!root) fail("check_fail_proof");

    // 4. The log's signature, with the key named by the checkpoint's origin.
    var logKey = await parseKey(String(keys.log_key), 1).catch(function () { return null; });
    if (!logKey || logKey.name !== lines[0] || keys.origin !== lines[0]) fail("check_fail_origin");
    var message = utf8(text);
    var signed = false;
    var sigs = signaturesBy(sigLines, logKey);
    for (var i = 0; i < sigs.length && !signed; i++) signed = await ed25519(logKey.pub, sigs[i], message);
    if (!signed) fail("check_fail_signature");

    // 5. Each configured witness's cosignature (cosignature/v1), where there is one.
    var witnessed = [];
    var witnesses = keys.witnesses || [];
    for (var w = 0; w < witnesses.length; w++) {
      var wk = await parseKey(String(witnesses[w].key), 4).catch(function () { return null; });
      if (!wk) fail("check_fail_witness", { name: witnesses[w].name });
      var cosigs = signaturesBy(sigLines, wk);
      for (var c = 0; c < cosigs.length; c++) {
        var bytes = cosigs[c];
        if (bytes.length !== 72) fail("check_fail_witness", { name: wk.name });
        var time = 0;
        for (var k = 0; k < 8; k++) time = time * 256 + bytes[k];
        var ok = await ed25519(wk.pub, bytes.slice(8), utf8("cosignature/v1\ntime " + time + "\n" + text));
        if (!ok) fail("check_fail_witness", { name: wk.name });
        witnessed.push(fmt(T.check_ok_witness, { name: wk.name, time: chinaTime(time) }));
      }
    }
    // Kept on one line (no-break spaces), as the page shows it.
    var fp = computed.slice(0, 16).replace(/(.{4})(?!$)/g, "$1\u00a0");
    return {
      found: [
        fmt(T.check_ok_content, { fp: fp, n: n }),
        fmt(T.check_ok_tree, { n: n, size: proof.tree_size, key: keys.log_key.split("+").slice(0, 2).join("+") }),
      ].concat(witnessed.length ? witnessed : [T.check_ok_no_witness]),
      // What it means depends on whether anyone else holds the same log.
      meaning: witnessed.length ? T.check_ok_meaning : T.check_ok_meaning_alone,
    };
  }

  function show(out, kind, title, items, after) {
    out.textContent = "";
    var box = document.createElement("div");
    box.className = "check " + kind;
    var p = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = title;
    p.appendChild(strong);
    box.appendChild(p);
    if (items.length) {
      var ul = document.createElement("ul");
      items.forEach(function (t) {
        var li = document.createElement("li");
        li.textContent = t;
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    if (after) {
      var more = document.createElement("p");
      more.textContent = after;
      box.appendChild(more);
    }
    out.appendChild(box);
    if (out.scrollIntoView) out.scrollIntoView({ block: "nearest" });
  }

  window.ygCheck = async function (link) {
    var out = document.getElementById("check-result");
    if (!out || busy) return;
    busy = true;
    link.setAttribute("aria-disabled", "true");
    show(out, "running", T.check_running, []);
    try {
      var checked = await check(link);
      show(out, "ok", "✓ " + T.check_ok, checked.found, checked.meaning);
    } catch (e) {
      var why = e instanceof Failure ? e.message : fmt(T.check_fail_error, { what: String((e && e.message) || e) });
      show(out, "bad", "✗ " + T.check_failed + why, [], T.check_failed_advice);
    } finally {
      busy = false;
      link.removeAttribute("aria-disabled");
    }
  };
})();
