/* Casebook session composer: combine questions from several cases into one worksheet and
 * matching facilitator notes, and print them. No dependencies, no server.
 *
 * Data: worksheets/compose/session.json (audiences, facilitator notes, support services,
 * interface text) and worksheets/compose/cases/<id>.json for each case in the session.
 *
 * State lives in the address's fragment (#case=…&audience=…&q=…&own=…), which browsers never
 * send to a server, and in localStorage, so a trainer's own questions stay in the browser.
 * ?case=ID&audience=ID (repeatable) opens a session with those cases; ?add=ID adds a case to
 * the session this browser already holds (the "Add to session" links).
 *
 * Keys of questions in q: c.<case>.<n> (a case's own), g.<audience>.<n> (an audience's
 * general question, once per session), o.<n> (the trainer's own).
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-cb-composer]");
  if (!root || !window.fetch || !window.URLSearchParams) return;
  // The note for readers without scripts shows whenever the head's inline script did not run
  // (a reader's policy may block inline scripts only): this script runs, so it goes.
  var noscript = document.querySelector(".cb-composer__noscript");
  if (noscript) noscript.hidden = true;

  var STORE = "casebook-session";
  var SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
  var base = root.getAttribute("data-root") || "../../";
  var DATA = null;
  var S = table();  // interface strings, read through own()
  var cases = table();  // case id -> data; no inherited names (?case=constructor)
  var state = null;
  var status = null;
  var printing = "sheet";
  var pending = null; // a case to add (?add=ID) once the session's cases are loaded

  // Helpers ---------------------------------------------------------------------------------

  // Every lookup by an id is in a map without a prototype (`table()`), or through `own()`:
  // ids come from vocabularies and the address, and a plain {} answers "constructor" or
  // "toString" with Object's own functions.
  function table() { return Object.create(null); }

  function own(map, key) {
    return map && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
  }

  function say(key, values) {
    var text = String(own(S, key) || key);
    Object.keys(values || {}).forEach(function (name) {
      text = text.split("{" + name + "}").join(String(values[name]));
    });
    return text;
  }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined) return;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function announce(message) {
    if (!status) return;
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function formatDate(iso) {
    var match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso || "");
    if (!match) return iso || "";
    var months = S.months || [];
    var month = months[parseInt(match[2], 10) - 1] || match[2];
    return say("date", { day: parseInt(match[3], 10), month: month, year: match[1] });
  }

  // A page's published address, or null: without site_url the site does not know it, and
  // the address this copy is served from (127.0.0.1, a laptop, a file) is no use on paper.
  function absolute(path) {
    return DATA.site_url ? DATA.site_url + path : null;
  }

  function countQuestions(n) {
    return n === 1 ? say("question_count_one", { n: n }) : say("question_count_other", { n: n });
  }

  // State -----------------------------------------------------------------------------------

  function emptyState() {
    return { cases: [], q: null, own: [], title: "", date: "", minutes: "", paper: "a4" };
  }

  function parse(params) {
    var parsed = emptyState();
    var audiences = params.getAll("audience");
    params.getAll("case").forEach(function (id, index) {
      if (!SLUG.test(id) || parsed.cases.some(function (c) { return c.id === id; })) return;
      var audience = audiences[index] || audiences[audiences.length - 1] || "";
      parsed.cases.push({ id: id, audience: SLUG.test(audience) ? audience : "" });
    });
    if (params.has("q")) parsed.q = params.getAll("q").filter(Boolean);
    parsed.own = params.getAll("own").map(function (text) { return text.trim().slice(0, 600); }).filter(Boolean);
    parsed.title = (params.get("title") || "").slice(0, 200);
    parsed.date = /^\d{4}-\d{2}-\d{2}$/.test(params.get("date") || "") ? params.get("date") : "";
    parsed.minutes = /^\d{1,3}$/.test(params.get("minutes") || "") ? params.get("minutes") : "";
    parsed.paper = params.get("paper") === "letter" ? "letter" : "a4";
    return parsed;
  }

  function serialise(current) {
    var params = new URLSearchParams();
    current.cases.forEach(function (c) {
      params.append("case", c.id);
      params.append("audience", c.audience);
    });
    if (current.q) current.q.forEach(function (key) { params.append("q", key); });
    current.own.forEach(function (text) { params.append("own", text); });
    if (current.title) params.set("title", current.title);
    if (current.date) params.set("date", current.date);
    if (current.minutes) params.set("minutes", current.minutes);
    if (current.paper !== "a4") params.set("paper", current.paper);
    return params.toString();
  }

  function stored() {
    try { return window.localStorage.getItem(STORE) || ""; } catch (error) { return ""; }
  }

  function save() {
    var text = serialise(state);
    try {
      if (state.cases.length || state.own.length) window.localStorage.setItem(STORE, text);
      else window.localStorage.removeItem(STORE);
    } catch (error) { /* storage may be off: the address still holds the session */ }
    // An in-page link's fragment (the skip link's #cb-content) is left alone when there is no session.
    var current = window.location.hash.replace(/^#/, "");
    if (!text && current.indexOf("=") === -1) return;
    if (current === text && !window.location.search) return;
    window.history.replaceState(null, "", window.location.pathname + (text ? "#" + text : ""));
  }

  function initialState() {
    var hash = window.location.hash.replace(/^#/, "");
    var query = new URLSearchParams(window.location.search);
    if (hash.indexOf("=") !== -1) return parse(new URLSearchParams(hash));
    if (query.has("case")) return parse(query);
    var current = parse(new URLSearchParams(stored()));
    var added = query.get("add");
    if (added && SLUG.test(added) && !current.cases.some(function (c) { return c.id === added; })) {
      pending = { id: added, audience: query.get("audience") || "" };
    }
    return current;
  }

  // Questions -------------------------------------------------------------------------------

  function audienceById(id) {
    return (DATA.audiences || []).filter(function (a) { return a.id === id; })[0] || null;
  }

  function chosen() {
    return state.cases.filter(function (c) { return cases[c.id]; });
  }

  function available() {
    var all = [];
    var seen = table();
    chosen().forEach(function (c) {
      (own(cases[c.id].audiences, c.audience) || []).forEach(function (item, index) {
        all.push({ key: "c." + c.id + "." + index, text: item.text, prompt: item.prompt || "", case: cases[c.id], kind: "case" });
      });
    });
    chosen().forEach(function (c) {
      if (seen[c.audience]) return;
      seen[c.audience] = true;
      var audience = audienceById(c.audience);
      (audience ? audience.questions : []).forEach(function (item, index) {
        all.push({ key: "g." + c.audience + "." + index, text: item.text, prompt: item.prompt || "", audience: audience, kind: "general" });
      });
    });
    state.own.forEach(function (text, index) {
      all.push({ key: "o." + index, text: text, prompt: "", kind: "own" });
    });
    return all;
  }

  function kept() {
    var all = available();
    if (!state.q) return all;
    // Keys come from the address (q=constructor): no inherited names.
    var byKey = table();
    all.forEach(function (item) { byKey[item.key] = item; });
    var out = [];
    var used = table();
    state.q.forEach(function (key) {
      if (byKey[key] && !used[key]) { out.push(byKey[key]); used[key] = true; }
    });
    return out;
  }

  function dropped() {
    var keep = table();
    kept().forEach(function (item) { keep[item.key] = true; });
    return available().filter(function (item) { return !keep[item.key]; });
  }

  // Freezes the current order so that later changes (a move, a drop) have a list to change.
  function fix() {
    if (!state.q) state.q = kept().map(function (item) { return item.key; });
  }

  // New questions (a new case, a changed audience, an own question) join the end, kept.
  function change(action) {
    var before = table();
    available().forEach(function (item) { before[item.key] = true; });
    action();
    if (state.q) {
      available().forEach(function (item) { if (!before[item.key]) state.q.push(item.key); });
    }
  }

  // Session plan: the same rule as casebook.worksheets.session_plan.
  function plan(questions, length) {
    var steps = (DATA.notes.timing || []).map(function (step) {
      var minutes = step.minutes_per_question !== null && step.minutes_per_question !== undefined
        ? Math.max(5, 5 * Math.ceil(step.minutes_per_question * Math.max(questions, 1) / 5))
        : (step.minutes || 0);
      return { minutes: minutes, activity: step.activity, fills: !!step.fills_session };
    });
    var needed = steps.reduce(function (sum, step) { return sum + step.minutes; }, 0);
    var requested = length ? parseInt(length, 10) : null;
    if (requested && requested > needed && steps.length) {
      var filler = steps.map(function (s) { return s.fills; }).indexOf(true);
      steps[filler === -1 ? steps.length - 1 : filler].minutes += requested - needed;
    }
    var total = steps.reduce(function (sum, step) { return sum + step.minutes; }, 0);
    return { steps: steps, needed: needed, total: total, requested: requested, questions: questions, tooShort: requested !== null && requested < needed };
  }

  // The sheets ------------------------------------------------------------------------------

  function langOf(data) {
    return data && data.language && data.language !== DATA.language ? data.language : null;
  }

  function sessionTitle() {
    var list = chosen().map(function (c) { return cases[c.id]; });
    if (state.title) return state.title;
    if (list.length === 1) return list[0].title;
    return say("session_default_title", { cases: list.map(function (c) { return c.short_name; }).join(", ") || "…" });
  }

  function supportGroups() {
    var groups = [];
    var seen = table();
    var countries = DATA.support.countries || table();
    chosen().forEach(function (c) {
      cases[c.id].countries.forEach(function (code) {
        if (seen[code] || !own(countries, code)) return;
        seen[code] = true;
        groups.push(countries[code]);
      });
    });
    if (own(countries, DATA.support.international)) groups.push(countries[DATA.support.international]);
    return groups;
  }

  function heading(level, attributes, text) {
    return el("h" + Math.min(level, 6), attributes, [text]);
  }

  function metaRow(label, value) {
    return el("tr", {}, [el("th", { scope: "row", text: label }), el("td", { text: value })]);
  }

  function casesRow() {
    return chosen().map(function (c) {
      var audience = audienceById(c.audience);
      return cases[c.id].short_name + ": " + cases[c.id].title + (audience ? " (" + audience.short_name + ")" : "");
    }).join("; ");
  }

  function caseBlocks(level, closing) {
    var list = chosen();
    var several = list.length > 1;
    var note = el("section", { class: "note" }, [heading(level + 1, {}, say("content_note"))]);
    var about = el("section", { class: "about" }, [heading(level + 1, {}, several ? say("about_the_cases") : say("about_the_case"))]);
    list.forEach(function (c) {
      var data = cases[c.id];
      var lang = langOf(data);
      if (several) note.appendChild(heading(level + 2, { lang: lang }, data.title));
      note.appendChild(el("p", { lang: lang, text: data.content_note }));
      var block = el("div", { class: "case" }, [
        several ? heading(level + 2, { lang: lang }, data.title) : null,
        el("p", { lang: lang, text: data.summary }),
        el("p", { class: "source" }, [
          data.organisation + ", " + data.country_names.join(", ") + ", " + data.period + ". " +
          say("footer_reviewed", { date: data.last_reviewed }) + "." +
          (absolute(data.url) ? " " + say("read_case_online") + ": " : ""),
          absolute(data.url) ? el("span", { class: "address", text: absolute(data.url) }) : null
        ])
      ]);
      about.appendChild(block);
    });
    note.appendChild(el("p", { text: closing }));
    return [note, about];
  }

  function supportSection(level, intro) {
    var section = el("section", { class: "support" }, [heading(level + 1, {}, say("where_support")), el("p", { text: intro })]);
    supportGroups().forEach(function (group) {
      section.appendChild(heading(level + 2, {}, group.label));
      var list = el("ul", { class: "services" });
      group.services.forEach(function (service) {
        var untranslated = DATA.language !== "en" && service.translated.indexOf(DATA.language) === -1;
        list.appendChild(el("li", {}, [
          el("strong", { text: service.name }),
          service.phone ? " · " + say("phone_colon") + " " : null,
          service.phone ? el("span", { class: "phone", text: service.phone }) : null,
          service.url ? " · " : null,
          service.url ? el("span", { class: "address", text: service.url }) : null,
          " · " + service.hours + ".",
          el("br"),
          el("span", { lang: untranslated ? "en" : null, text: service.for })
        ]));
      });
      section.appendChild(list);
    });
    section.appendChild(el("p", { text: absolute("support/")
      ? say("support_listed_at", { url: absolute("support/") })
      : say("support_listed_on", { site: DATA.site || "" }) }));
    return section;
  }

  function fromLabel(item) {
    if (item.kind === "own") return say("own_question");
    if (item.kind === "general") return say("compose_general", { audience: item.audience ? item.audience.short_name : "" });
    return say("question_from", { case: item.case.short_name });
  }

  function participantSheet(level) {
    var items = kept();
    var current = plan(items.length, state.minutes);
    var sheet = el("div", { class: "sheet", lang: DATA.language });
    sheet.appendChild(el("header", {}, [
      el("p", { class: "kicker", text: DATA.site + " · " + say("session_worksheet") }),
      heading(level, {}, sessionTitle()),
      el("table", { class: "meta" }, [el("tbody", {}, [
        state.date ? metaRow(say("session_date"), formatDate(state.date)) : null,
        metaRow(say("session_cases"), casesRow()),
        metaRow(say("session_length"), say("plan_minutes_for", { minutes: current.total, questions: countQuestions(items.length) }))
      ])])
    ]));
    caseBlocks(level, say("stop_any_time")).forEach(function (part) { sheet.appendChild(part); });
    var list = el("ol", { class: "questions" });
    items.forEach(function (item) {
      var lines = el("div", { class: "lines", role: "presentation" });
      for (var i = 0; i < (DATA.lines || 5); i += 1) lines.appendChild(el("div", { class: "line" }));
      list.appendChild(el("li", {}, [
        el("p", { lang: item.kind === "case" ? langOf(item.case) : null, text: item.text }),
        chosen().length > 1 && item.kind === "case" ? el("p", { class: "from", text: fromLabel(item) }) : null,
        lines
      ]));
    });
    sheet.appendChild(el("section", {}, [heading(level + 1, {}, say("questions")), list]));
    sheet.appendChild(supportSection(level, say("sheet_support")));
    return sheet;
  }

  function facilitatorSheet(level) {
    var items = kept();
    var current = plan(items.length, state.minutes);
    var notes = DATA.notes;
    var sheet = el("div", { class: "sheet", lang: DATA.language });
    sheet.appendChild(el("header", {}, [
      el("p", { class: "kicker", text: DATA.site + " · " + say("facilitator_kicker") }),
      heading(level, {}, sessionTitle()),
      el("table", { class: "meta" }, [el("tbody", {}, [
        state.date ? metaRow(say("session_date"), formatDate(state.date)) : null,
        metaRow(say("session_cases"), casesRow()),
        metaRow(say("session_length"), say("plan_minutes_for", { minutes: current.total, questions: countQuestions(items.length) }))
      ])])
    ]));
    if (current.tooShort) {
      sheet.appendChild(el("p", { class: "warning", text: say("plan_too_short", { needed: current.needed, requested: current.requested }) }));
    }
    caseBlocks(level, say("facilitator_share_note")).forEach(function (part) { sheet.appendChild(part); });
    function listSection(title, entries, ordered) {
      return el("section", {}, [heading(level + 1, {}, title), el(ordered ? "ol" : "ul", {}, entries.map(function (text) { return el("li", { text: text }); }))]);
    }
    sheet.appendChild(listSection(say("aims"), notes.aims, false));
    var rows = current.steps.map(function (step) {
      return el("tr", {}, [el("td", { class: "minutes", text: String(step.minutes) }), el("td", { text: step.activity })]);
    });
    sheet.appendChild(el("section", {}, [heading(level + 1, {}, say("timing")), el("table", { class: "timing" }, [
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", class: "minutes", text: say("minutes") }), el("th", { scope: "col", text: say("activity") })])]),
      el("tbody", {}, rows),
      el("tfoot", {}, [el("tr", {}, [el("td", { class: "minutes", text: String(current.total) }), el("th", { scope: "row", text: say("timing_total") })])])
    ])]));
    sheet.appendChild(listSection(say("ground_rules"), notes.ground_rules, false));
    sheet.appendChild(listSection(say("looking_after"), notes.looking_after_participants, false));
    sheet.appendChild(listSection(say("if_discloses"), notes.if_someone_discloses, true));
    chosen().forEach(function (c) {
      var data = cases[c.id];
      if (!data.outcomes.length) return;
      var title = say("outcomes_reported") + (chosen().length > 1 ? ": " + data.short_name : "");
      sheet.appendChild(el("section", {}, [heading(level + 1, {}, title), el("ul", { lang: langOf(data) }, data.outcomes.map(function (text) { return el("li", { text: text }); }))]));
    });
    var prompted = el("ol", { class: "prompted" });
    items.forEach(function (item) {
      prompted.appendChild(el("li", {}, [
        el("p", { class: "question", lang: item.kind === "case" ? langOf(item.case) : null, text: item.text }),
        el("p", { class: "from", text: fromLabel(item) }),
        item.prompt ? el("p", { class: "prompt", lang: item.kind === "case" ? langOf(item.case) : null }, [el("strong", { text: say("prompt") + ":" }), " " + item.prompt]) : null
      ]));
    });
    sheet.appendChild(el("section", {}, [heading(level + 1, {}, say("questions_prompts")), el("p", { class: "hint", text: say("prompts_intro") }), prompted]));
    sheet.appendChild(supportSection(level, say("facilitator_support")));
    return sheet;
  }

  function footerText() {
    var list = chosen().map(function (c) { return cases[c.id]; });
    var second = list.length === 1
      ? say("footer_reviewed", { date: list[0].last_reviewed }) + (absolute(list[0].url) ? " · " + absolute(list[0].url) : "")
      : list.map(function (c) { return say("footer_reviewed_of", { case: c.short_name, date: c.last_reviewed }); }).join("; ");
    return sessionTitle() + "\n" + second;
  }

  // The session's title comes from the address: every character but letters, digits and
  // spaces goes into the print footer's CSS string as an escape (its code in hex and a
  // space), so no quote, backslash, line break of any kind or </style> can end the string
  // and add rules to the printed sheet (as casebook.worksheets.css_string does).
  function cssString(text) {
    return Array.from(String(text), function (char) {
      if (char === " " || /^[\p{L}\p{N}]$/u.test(char)) return char;
      return "\\" + (char.codePointAt(0) || 0xFFFD).toString(16) + " ";
    }).join("");
  }

  // The page's size and its footer: the session's title and the cases' review dates.
  function pageRule() {
    var size = (own(DATA.sizes, state.paper) || DATA.sizes.a4).css;
    return "@page { size: " + size + "; @bottom-left { content: \"" + cssString(footerText()) +
      "\"; } @bottom-right { content: \"" + cssString(say("pdf_page")) + " \" counter(page) \" " + cssString(say("pdf_of")) + " \" counter(pages); } }";
  }

  var pageStyle = null;
  var printSheet = null;

  // The workshop pack -----------------------------------------------------------------------
  //
  // One .zip, made in the browser, for a room with no network (the web half of `casebook
  // session --pack`, with the same file names): the worksheet and the facilitator notes as
  // self-contained HTML files (the print stylesheet inlined; no script, no request: their
  // own Content-Security-Policy forbids both), each case's PDF in the chosen paper size
  // fetched from the site, and the support services for the cases' countries as text. The
  // zip is written by fflate (assets/fflate.min.js), loaded when the button is first used.

  var packing = false;
  var zipLibrary = null;

  // As casebook.pack's file names: letters and digits of the title, the rest one hyphen.
  function slug(text) {
    return String(text).toLowerCase().replace(/[^\p{L}\p{N}_]+/gu, "-").replace(/^-+|-+$/g, "").slice(0, 60);
  }

  function loadZip() {
    if (window.fflate && window.fflate.zipSync) return Promise.resolve(window.fflate);
    if (!zipLibrary) {
      zipLibrary = new Promise(function (resolve, reject) {
        var script = el("script", { src: root.getAttribute("data-zip") });
        script.addEventListener("load", function () {
          if (window.fflate && window.fflate.zipSync) resolve(window.fflate);
          else reject(new Error("fflate"));
        });
        script.addEventListener("error", function () { zipLibrary = null; reject(new Error("fflate")); });
        document.head.appendChild(script);
      });
    }
    return zipLibrary;
  }

  function fetchOk(url) {
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(url + ": " + response.status);
      return response;
    });
  }

  // A case's PDF, or null when the site has none (a build without PDFs).
  function casePdf(data) {
    var url = base + data.url + data.id + "-" + state.paper + ".pdf";
    return fetchOk(url)
      .then(function (response) { return response.arrayBuffer(); })
      .then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        return String.fromCharCode.apply(null, Array.from(bytes.subarray(0, 5))) === "%PDF-" ? bytes : null;
      })
      .catch(function () { return null; });
  }

  // A sheet as a web page that needs nothing else: text only ever as text nodes, so the
  // title from the address is escaped when the page is written out.
  function standalone(sheet, css) {
    var doc = document.implementation.createHTMLDocument("");
    doc.documentElement.setAttribute("lang", DATA.language);
    doc.head.replaceChildren(
      el("meta", { charset: "utf-8" }),
      el("meta", { "http-equiv": "Content-Security-Policy", content: "default-src 'none'; style-src 'unsafe-inline'" }),
      el("meta", { name: "viewport", content: "width=device-width, initial-scale=1" }),
      el("title", { text: sessionTitle() }),
      el("style", { text: css + "\n" + pageRule() + "\n@media screen { body { max-width: 180mm; margin: 10mm auto; padding: 0 5mm; } }\n" })
    );
    doc.body.replaceChildren(el("main", { class: "cb-print-sheet" }, [sheet]));
    return "<!DOCTYPE html>\n" + doc.documentElement.outerHTML + "\n";
  }

  // The support services as plain text, as casebook.pack.support_text writes them.
  function supportText(missing) {
    var lines = [];
    missing.forEach(function (data) {
      // In a pack a relative address is of no use either: the site's own, even on a laptop.
      lines.push(say("pack_missing_pdf", { case: data.title, url: absolute(data.url) || new URL(base + data.url, window.location.href).href }), "");
    });
    lines.push(say("where_support"), "", say("sheet_support"), "");
    supportGroups().forEach(function (group) {
      lines.push(group.label, "-".repeat(group.label.length));
      group.services.forEach(function (service) {
        lines.push(service.name);
        if (service.phone) lines.push("  " + say("phone_colon") + " " + service.phone);
        if (service.url) lines.push("  " + service.url);
        lines.push("  " + service.hours, "  " + service.for, "  " + say("pack_checked", { date: service.checked }), "");
      });
    });
    return lines.join("\n") + "\n";
  }

  function makePack() {
    var paper = state.paper;
    var name = slug(sessionTitle()) || "session";
    var list = chosen().map(function (c) { return cases[c.id]; });
    return Promise.all([
      loadZip(),
      fetchOk("print.css").then(function (response) { return response.text(); }),
      Promise.all(list.map(casePdf))
    ]).then(function (parts) {
      var zip = parts[0];
      var css = parts[1];
      var pdfs = parts[2];
      var files = table();
      function add(filename, bytes, level) { files[name + "/" + filename] = [bytes, { level: level }]; }
      add("1-" + name + "-" + say("pack_worksheet") + "-" + paper + ".html", zip.strToU8(standalone(participantSheet(1), css)), 6);
      add("2-" + name + "-" + say("pack_facilitator") + "-" + paper + ".html", zip.strToU8(standalone(facilitatorSheet(1), css)), 6);
      var missing = [];
      list.forEach(function (data, index) {
        if (pdfs[index]) add("3-" + say("pack_case") + "-" + data.id + "-" + paper + ".pdf", pdfs[index], 0);
        else missing.push(data);
      });
      add("4-" + say("pack_support") + ".txt", zip.strToU8(supportText(missing)), 6);
      return { name: name + "-" + paper + ".zip", bytes: zip.zipSync(files) };
    });
  }

  function downloadPack() {
    if (packing || !chosen().length) return;
    packing = true;
    announce(say("compose_pack_making"));
    makePack().then(function (pack) {
      var url = URL.createObjectURL(new Blob([pack.bytes], { type: "application/zip" }));
      var link = el("a", { href: url, download: pack.name, hidden: true });
      document.body.appendChild(link);
      link.click();
      link.remove();
      window.setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
      announce(say("compose_pack_done"));
    }, function () {
      announce(say("compose_pack_error"));
    }).then(function () { packing = false; });
  }

  function updatePrint() {
    if (!pageStyle) {
      pageStyle = el("style", { media: "print", "data-cb-page": true });
      document.head.appendChild(pageStyle);
      printSheet = el("div", { class: "cb-print-sheet", "data-cb-print-sheet": true });
      document.body.appendChild(printSheet);
    }
    pageStyle.textContent = pageRule();
    printSheet.replaceChildren(printing === "notes" ? facilitatorSheet(1) : participantSheet(1));
  }

  // The form --------------------------------------------------------------------------------

  var form = null;
  var preview = null;
  var planNote = null;
  var minutesWarning = null;

  function button(text, attributes, onClick) {
    var node = el("button", Object.assign({ type: "button", class: "md-button" }, attributes || {}), [text]);
    node.addEventListener("click", onClick);
    return node;
  }

  function hidden(text) {
    return el("span", { class: "cb-visually-hidden", text: text });
  }

  function refresh(focusKey) {
    save();
    renderForm(focusKey);
    renderOutputs();
  }

  function renderOutputs() {
    var items = kept();
    var current = plan(items.length, state.minutes);
    // replaceChildren prints a null child as the word "null": leave missing parts out.
    planNote.replaceChildren.apply(planNote, [
      el("strong", { text: say("compose_plan") + ": " }),
      say("plan_minutes_for", { minutes: current.total, questions: countQuestions(items.length) }) + ".",
      current.tooShort ? " " : null,
      current.tooShort ? el("span", { class: "cb-composer__warning", text: say("plan_too_short", { needed: current.needed, requested: current.requested }) }) : null
    ].filter(function (child) { return child !== null; }));
    preview.replaceChildren(chosen().length ? participantSheet(3) : el("p", { text: say("compose_no_cases") }));
    // Where the minutes are set: too short for the questions kept, with the shortest that fits.
    if (minutesWarning) {
      var warning = current.tooShort ? say("plan_too_short", { needed: current.needed, requested: current.requested }) : "";
      if (minutesWarning.textContent !== warning) minutesWarning.textContent = warning;
    }
    var blocked = !chosen().length || current.tooShort;
    form.querySelectorAll('[data-focus="print-sheet"], [data-focus="print-notes"], [data-focus="pack"]').forEach(function (node) {
      node.disabled = blocked;
      if (current.tooShort) node.setAttribute("aria-describedby", "cb-session-minutes-warning");
      else if (node.getAttribute("data-focus") === "pack") node.setAttribute("aria-describedby", "cb-compose-pack-hint");
      else node.removeAttribute("aria-describedby");
    });
    updatePrint();
  }

  function caseSection() {
    var section = el("section", { class: "cb-composer__section", "aria-labelledby": "cb-compose-cases" }, [
      el("h2", { id: "cb-compose-cases", text: say("compose_cases") })
    ]);
    var list = chosen();
    if (!list.length) section.appendChild(el("p", { text: say("compose_no_cases") }));
    var ul = el("ul", { class: "cb-composer__cases" });
    list.forEach(function (c) {
      var data = cases[c.id];
      var select = el("select", { id: "cb-audience-" + c.id, "data-focus": "audience-" + c.id });
      Object.keys(data.audiences).forEach(function (id) {
        var audience = audienceById(id);
        select.appendChild(el("option", { value: id, selected: id === c.audience, text: audience ? audience.short_name : id }));
      });
      select.addEventListener("change", function () {
        change(function () { c.audience = select.value; });
        refresh("audience-" + c.id);
      });
      ul.appendChild(el("li", { class: "cb-composer__case" }, [
        el("p", { class: "cb-composer__case-title", lang: langOf(data) }, [el("strong", { text: data.title })]),
        el("p", { class: "cb-composer__case-meta", text: data.organisation + " · " + data.country_names.join(", ") + " · " + data.period }),
        el("p", { class: "cb-composer__field" }, [el("label", { for: select.id, text: say("compose_audience_for") }), " ", select]),
        button(say("compose_remove_case"), { "data-focus": "remove-" + c.id, class: "md-button cb-composer__small" }, function () {
          state.cases = state.cases.filter(function (other) { return other.id !== c.id; });
          refresh("add-case");
        })
      ]));
      ul.lastChild.querySelector("button").appendChild(hidden(": " + data.title));
    });
    if (list.length) section.appendChild(ul);
    section.appendChild(el("p", {}, [el("a", { href: root.getAttribute("data-finder") || base + "cases/", "data-focus": "add-case", text: say("compose_add_from_library") })]));
    return section;
  }

  function questionSection() {
    var section = el("section", { class: "cb-composer__section", "aria-labelledby": "cb-compose-questions" }, [
      el("h2", { id: "cb-compose-questions", text: say("compose_questions") }),
      el("p", { class: "cb-composer__hint", text: say("compose_questions_hint") })
    ]);
    var items = kept();
    var ol = el("ol", { class: "cb-composer__questions" });
    items.forEach(function (item, index) {
      var number = index + 1;
      var label = " " + number;
      var up = button(say("compose_move_up"), { "data-focus": "up-" + item.key, class: "md-button cb-composer__small", disabled: index === 0 }, function () {
        fix();
        move(item.key, -1);
      });
      up.appendChild(hidden(label));
      var down = button(say("compose_move_down"), { "data-focus": "down-" + item.key, class: "md-button cb-composer__small", disabled: index === items.length - 1 }, function () {
        fix();
        move(item.key, 1);
      });
      down.appendChild(hidden(label));
      var drop = button(say("compose_drop"), { "data-focus": "drop-" + item.key, class: "md-button cb-composer__small" }, function () {
        fix();
        state.q = state.q.filter(function (key) { return key !== item.key; });
        var next = kept()[Math.min(index, kept().length - 1)];
        refresh(next ? "drop-" + next.key : "own-text");
        announce(say("compose_dropped_one"));
      });
      drop.appendChild(hidden(label));
      ol.appendChild(el("li", { class: "cb-composer__question", "data-key": item.key }, [
        el("p", { class: "cb-composer__question-text", lang: item.kind === "case" ? langOf(item.case) : null, text: item.text }),
        el("p", { class: "cb-composer__from", text: fromLabel(item) }),
        el("p", { class: "cb-composer__actions" }, [up, " ", down, " ", drop])
      ]));
    });
    section.appendChild(ol);
    var gone = dropped();
    if (gone.length) {
      var ul = el("ul", { class: "cb-composer__dropped" });
      gone.forEach(function (item) {
        var restore = button(say("compose_restore"), { "data-focus": "restore-" + item.key, class: "md-button cb-composer__small" }, function () {
          fix();
          state.q.push(item.key);
          refresh("drop-" + item.key);
          announce(say("compose_restored"));
        });
        restore.appendChild(hidden(": " + item.text.slice(0, 80)));
        ul.appendChild(el("li", {}, [el("span", { lang: item.kind === "case" ? langOf(item.case) : null, text: item.text }), " ", restore]));
      });
      section.appendChild(el("h3", { text: say("compose_dropped") }));
      section.appendChild(ul);
    }
    var textarea = el("textarea", { id: "cb-own-question", rows: "3", maxlength: "600", "data-focus": "own-text" });
    var add = button(say("compose_own_add"), { "data-focus": "own-add" }, function () {
      var text = textarea.value.trim().replace(/\s+/g, " ");
      if (!text) { textarea.focus(); return; }
      change(function () { state.own.push(text); });
      refresh("own-text");
      announce(say("compose_added"));
    });
    section.appendChild(el("h3", { text: say("compose_own") }));
    section.appendChild(el("p", { class: "cb-composer__field cb-composer__field--block" }, [el("label", { for: textarea.id, text: say("compose_own_label") }), textarea]));
    section.appendChild(el("p", {}, [add]));
    return section;
  }

  function move(key, step) {
    var index = state.q.indexOf(key);
    var target = index + step;
    if (index === -1 || target < 0 || target >= state.q.length) return;
    state.q.splice(index, 1);
    state.q.splice(target, 0, key);
    var position = kept().map(function (item) { return item.key; }).indexOf(key) + 1;
    var first = position === 1;
    var last = position === kept().length;
    refresh((step < 0 ? (first ? "down-" : "up-") : (last ? "up-" : "down-")) + key);
    announce(say("compose_moved", { n: position }));
  }

  function detailsSection() {
    function input(id, type, labelKey, value, extra, onInput) {
      var node = el("input", Object.assign({ id: id, type: type, value: value, "data-focus": id }, extra || {}));
      node.addEventListener("input", function () { onInput(node.value); save(); renderOutputs(); });
      return el("p", { class: "cb-composer__field cb-composer__field--block" }, [el("label", { for: id, text: say(labelKey) }), node]);
    }
    var minutes = input("cb-session-minutes", "number", "compose_minutes_label", state.minutes, { min: "10", max: "480", step: "5", inputmode: "numeric", "aria-describedby": "cb-session-minutes-hint" }, function (value) {
      state.minutes = /^\d{1,3}$/.test(value) ? value : "";
    });
    minutes.appendChild(el("span", { id: "cb-session-minutes-hint", class: "cb-composer__hint", text: say("compose_minutes_hint") }));
    minutesWarning = el("span", { id: "cb-session-minutes-warning", class: "cb-composer__warning", "aria-live": "polite" });
    minutes.appendChild(minutesWarning);
    var paper = el("fieldset", { class: "cb-composer__paper" }, [el("legend", { text: say("compose_paper") })]);
    Object.keys(DATA.sizes).forEach(function (key) {
      var radio = el("input", { type: "radio", name: "cb-paper", id: "cb-paper-" + key, value: key, checked: state.paper === key, "data-focus": "paper-" + key });
      radio.addEventListener("change", function () { state.paper = key; save(); renderOutputs(); });
      paper.appendChild(el("span", { class: "cb-composer__radio" }, [radio, el("label", { for: radio.id, text: DATA.sizes[key].label })]));
    });
    return el("section", { class: "cb-composer__section", "aria-labelledby": "cb-compose-details" }, [
      el("h2", { id: "cb-compose-details", text: say("compose_details") }),
      input("cb-session-title", "text", "compose_title_label", state.title, { maxlength: "200", autocomplete: "off" }, function (value) { state.title = value.slice(0, 200); }),
      input("cb-session-date", "date", "compose_date_label", state.date, {}, function (value) { state.date = value; }),
      minutes,
      paper
    ]);
  }

  function printSection() {
    function print(which) {
      printing = which;
      updatePrint();
      // The browser names the PDF and heads its pages with the document's title.
      var pageTitle = document.title;
      document.title = sessionTitle();
      try { window.print(); } finally { document.title = pageTitle; }
    }
    // As `casebook session` refuses it, a session too short for its questions cannot be
    // printed: the reason shows where the minutes are set, and beside the buttons.
    var tooShort = plan(kept().length, state.minutes).tooShort;
    var cannot = !chosen().length || tooShort;
    var why = tooShort ? { "aria-describedby": "cb-session-minutes-warning" } : {};
    var link = button(say("compose_link"), { "data-focus": "link" }, function () {
      save();
      var url = window.location.href;
      var done = function () { announce(say("compose_link_copied")); };
      if (navigator.clipboard && navigator.clipboard.writeText) navigator.clipboard.writeText(url).then(done, done);
      else done();
    });
    var clear = button(say("compose_clear"), { "data-focus": "clear" }, function () {
      state = emptyState();
      try { window.localStorage.removeItem(STORE); } catch (error) { /* nothing stored */ }
      refresh("clear");
      announce(say("compose_cleared"));
    });
    return el("section", { class: "cb-composer__section", "aria-labelledby": "cb-compose-print" }, [
      el("h2", { id: "cb-compose-print", text: say("compose_print") }),
      planNote,
      el("p", { class: "cb-composer__buttons" }, [
        button(say("compose_print_sheet"), Object.assign({ class: "md-button md-button--primary", "data-focus": "print-sheet", disabled: cannot }, why), function () { print("sheet"); }),
        " ",
        button(say("compose_print_notes"), Object.assign({ "data-focus": "print-notes", disabled: cannot }, why), function () { print("notes"); }),
        " ", link, " ", clear
      ]),
      el("p", { class: "cb-composer__buttons cb-composer__pack" }, [
        button(say("compose_pack"), { "data-focus": "pack", "aria-describedby": "cb-compose-pack-hint", disabled: cannot }, downloadPack)
      ]),
      el("p", { id: "cb-compose-pack-hint", class: "cb-composer__hint", text: say("compose_pack_hint") })
    ]);
  }

  function renderForm(focusKey) {
    var active = focusKey || (document.activeElement && document.activeElement.getAttribute && document.activeElement.getAttribute("data-focus"));
    form.replaceChildren(caseSection(), questionSection(), detailsSection(), printSection());
    if (active) {
      var target = form.querySelector('[data-focus="' + active + '"]');
      if (target && target.disabled) target = null;
      if (target) target.focus();
    }
  }

  window.addEventListener("afterprint", function () {
    if (printing !== "sheet") { printing = "sheet"; updatePrint(); }
  });

  // Start -----------------------------------------------------------------------------------

  function loadCase(id) {
    return fetch(root.getAttribute("data-cases") + id + ".json", { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }

  function start() {
    status = el("p", { class: "cb-visually-hidden", role: "status", "aria-live": "polite" });
    form = el("div", { class: "cb-composer__form" });
    planNote = el("p", { class: "cb-composer__plan" });
    preview = el("div", { class: "cb-composer__preview-sheet" });
    root.replaceChildren(
      status,
      form,
      el("details", { class: "cb-composer__section cb-composer__preview" }, [
        el("summary", {}, [el("h2", { class: "cb-composer__summary", text: say("compose_preview") })]),
        preview
      ])
    );
    var missing = [];
    var wanted = state.cases.concat(pending ? [pending] : []);
    function audienceFor(c) {
      var declared = Object.keys(cases[c.id].audiences);
      return declared.indexOf(c.audience) === -1 ? declared[0] || "" : c.audience;
    }
    Promise.all(wanted.map(function (c) {
      return loadCase(c.id).then(function (data) { if (data) cases[c.id] = data; else missing.push(c.id); });
    })).then(function () {
      state.cases = state.cases.filter(function (c) { return cases[c.id]; });
      state.cases.forEach(function (c) { c.audience = audienceFor(c); });
      // A case added from another page joins the end of the session, its questions kept.
      if (pending && cases[pending.id]) {
        change(function () { state.cases.push({ id: pending.id, audience: audienceFor(pending) }); });
      }
      save();
      renderForm();
      renderOutputs();
      root.setAttribute("data-ready", "");
      if (missing.length) announce(missing.map(function (id) { return say("compose_case_missing", { id: id }); }).join(" "));
    });
  }

  root.replaceChildren(el("p", { text: "…" }));
  fetch(root.getAttribute("data-data"), { credentials: "same-origin" })
    .then(function (response) { if (!response.ok) throw new Error(String(response.status)); return response.json(); })
    .then(function (data) {
      DATA = data;
      S = data.strings || {};
      root.replaceChildren(el("p", { text: say("compose_loading") }));
      state = initialState();
      start();
    })
    .catch(function () {
      root.replaceChildren(el("p", { role: "alert", text: say("compose_error") }));
    });
})();
