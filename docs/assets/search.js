/* Casebook search: Pagefind's chunked index, so a query downloads only the fragments it
   needs. Results are built with DOM methods, never innerHTML, so indexed text cannot
   inject markup. No dependencies. */
(function () {
  "use strict";

  var root = document.querySelector("[data-cb-search]");
  if (!root) return;
  var input = root.querySelector("input");
  var status = root.querySelector("#cb-search-status");
  var panel = root.querySelector("#cb-search-results");
  var found = panel.querySelector("[data-cb-search-found]") || panel;
  var closer = panel.querySelector("[data-cb-search-close]");
  var bundle = new URL(root.getAttribute("data-bundle"), location.href);
  var base = new URL("..", bundle); // the top of the site, which holds every edition
  var pagefind = null;
  var loading = null;
  var latest = 0;
  var MAX_RESULTS = 8;

  root.hidden = false;

  // Pages changed since the whole index was written are indexed apart (see search.py):
  // that index is merged in, and the main index's results for those pages are dropped.
  var delta = new URL("../pagefind-delta/", bundle);
  var replaced = Object.create(null);  // ids as keys: no inherited names

  function deltaList() {
    // Revalidated like Pagefind's own entry file: it must match the index beside it.
    return fetch(new URL("delta.json", delta).href, { cache: "no-cache" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .catch(function () { return null; });
  }

  function load() {
    if (!loading) {
      loading = Promise.all([import(bundle.href), deltaList()]).then(function (loaded) {
        var module = loaded[0];
        var listed = loaded[1];
        var options = { baseUrl: base.pathname };
        return module.options(options)
          .then(function () { return module.init(); })
          .then(function () {
            if (!listed || !Array.isArray(listed.replaced)) return null;
            listed.replaced.forEach(function (id) { replaced[id] = true; });
            // Only a delta that holds this page's language: Pagefind would search another.
            var lang = (document.documentElement.lang || "").toLowerCase();
            var held = (listed.languages || []).some(function (code) {
              return code === lang || code === lang.split("-")[0];
            });
            return held ? module.mergeIndex(delta.pathname, options) : null;
          })
          .then(function () { pagefind = module; });
      });
    }
    return loading;
  }

  // Each page once: without the results the delta replaces, nor one found in both.
  function current(results) {
    var seen = Object.create(null);
    return results.filter(function (result) {
      if (replaced[result.id] || seen[result.id]) return false;
      seen[result.id] = true;
      return true;
    });
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function fold(text) {
    // Lower case without accents, as Pagefind compares words.
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // The query's words, to mark only what the reader typed: Pagefind marks every word with
  // the same stem, so "police" would mark "policy".
  function queryWords(query) {
    return fold(query).split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  }

  function typed(word, words) {
    var folded = fold(word).replace(/^[^\p{L}\p{N}]+/u, "");
    return words.some(function (w) { return folded.indexOf(w) === 0; });
  }

  // Pagefind marks matches with <mark>; rebuild that as text nodes and <mark> elements,
  // keeping a mark only on a word that starts with one the reader typed.
  function excerpt(html, words) {
    var fragment = document.createDocumentFragment();
    var parts = html.split(/(<mark>|<\/mark>)/);
    var marked = false;
    var scratch = document.createElement("textarea");
    parts.forEach(function (part) {
      if (part === "<mark>") { marked = true; return; }
      if (part === "</mark>") { marked = false; return; }
      scratch.innerHTML = part.replace(/</g, "&lt;"); // decode entities, keep tags as text
      var text = document.createTextNode(scratch.value);
      if (marked && typed(scratch.value, words)) {
        var mark = document.createElement("mark");
        mark.appendChild(text);
        fragment.appendChild(mark);
      } else {
        fragment.appendChild(text);
      }
    });
    return fragment;
  }

  // Text to compare: marks dropped, spaces collapsed, an ellipsis and case ignored.
  function plain(text) {
    return text.replace(/<\/?mark>/g, "").replace(/[\s\u2026]+/g, " ").trim().toLowerCase();
  }

  // Pagefind's excerpt often opens the page, where the summary is printed: shown under the
  // summary it would say the same twice. It counts as a repeat when one starts with the
  // other, or when the excerpt holds the summary's opening words (the excerpt may stop a
  // few words into the summary).
  function repeats(summary, html) {
    var a = plain(summary);
    var b = plain(html);
    if (!a || !b) return !b;
    var opening = a.slice(0, Math.min(a.length, 36));
    return a.indexOf(b) === 0 || b.indexOf(a) === 0 || b.indexOf(opening) !== -1 || a.indexOf(b) !== -1;
  }

  function say(name, values) {
    var text = root.getAttribute("data-" + name) || "";
    Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
    return text;
  }

  function show(query, results, total) {
    clear(found);
    if (!query) {
      panel.hidden = true;
      status.textContent = "";
      return;
    }
    panel.hidden = false;
    if (!results.length) {
      var none = document.createElement("p");
      none.className = "cb-search__none";
      none.textContent = say("none", { query: query });
      found.appendChild(none);
      var browse = document.createElement("a");
      browse.className = "cb-search__browse";
      browse.href = new URL(root.getAttribute("data-library"), location.href).href;
      browse.textContent = say("browse");
      found.appendChild(browse);
      status.textContent = say("none-status", { query: query });
      return;
    }
    var list = document.createElement("ol");
    list.className = "cb-search__list";
    results.forEach(function (result) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = result.url;
      link.className = "cb-search__title";
      link.textContent = (result.meta && result.meta.title) || result.url;
      item.appendChild(link);
      if (result.meta && result.meta.summary) {
        var summary = document.createElement("p");
        summary.className = "cb-search__summary";
        summary.textContent = result.meta.summary;
        item.appendChild(summary);
      }
      var summaryText = (result.meta && result.meta.summary) || "";
      if (!repeats(summaryText, result.excerpt || "")) {
        var match = document.createElement("p");
        match.className = "cb-search__excerpt";
        match.appendChild(excerpt(result.excerpt || "", queryWords(query)));
        item.appendChild(match);
      }
      list.appendChild(item);
    });
    found.appendChild(list);
    status.textContent = say(total === 1 ? "results-one" : "results-other", { n: total, query: query });
  }

  function run() {
    var query = input.value.trim();
    var ticket = ++latest;
    if (!query) { show("", [], 0); return; }
    load().then(function () {
      return pagefind.debouncedSearch(query, {}, 150);
    }).then(function (search) {
      if (!search || ticket !== latest) return null; // a newer query superseded this one
      var results = current(search.results);
      var top = results.slice(0, MAX_RESULTS);
      return Promise.all(top.map(function (r) { return r.data(); })).then(function (data) {
        if (ticket === latest) show(query, data, results.length);
      });
    }).catch(function () {
      status.textContent = say("unavailable");
    });
  }

  input.addEventListener("focus", load, { once: true });
  input.addEventListener("input", run);
  // Closing empties the box and hides the results; focus goes back to the box, where the
  // reader was before the results appeared.
  function close() {
    latest++; // a search still under way must not open the panel again
    input.value = "";
    show("", [], 0);
    input.focus();
  }

  if (closer) closer.addEventListener("click", close);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      close();
    } else if (event.key === "ArrowDown" && !panel.hidden) {
      var first = found.querySelector("a") || closer;
      if (first) { event.preventDefault(); first.focus(); }
    }
  });
  panel.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close();
  });
  document.addEventListener("click", function (event) {
    if (!root.contains(event.target)) panel.hidden = true;
  });
})();
