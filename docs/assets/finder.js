/* Casebook case finder: filters the case library by facets, words and years. No dependencies.
 *
 * The library page carries the filter form, the first page of cards and links to further
 * pages, so it reads and lays out the same before and after this script runs (no layout
 * shift), and without it. The script fetches catalogue.json (the facets, their labels and one
 * record per case) the first time a reader uses the form, or at once when the address
 * already holds filters, and then lists the matching cases, drawing cards that are not on
 * the page from their records. Facets come from the data: nothing here names one.
 * State lives in the query string, e.g. ?countries=mx&themes=strategic-litigation&words=court&from=2017,
 * so a filtered view can be shared; loading such a URL restores it. Several values of one facet
 * repeat its name (?countries=mx&countries=gb). The words are not in "q": Material's search
 * opens itself on any page whose URL has a "q".
 *
 * Counting is the usual faceted-search rule: values within a facet are OR, facets are AND,
 * and a value's count applies every other filter (the other facets, words and years).
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-cb-finder]");
  if (!root || !window.fetch || !window.URLSearchParams || !root.getAttribute("data-catalogue")) return;
  var form = root.querySelector(".cb-finder__form");
  var list = root.querySelector("[data-cb-finder-results]");
  var status = root.querySelector("[data-cb-finder-status]");
  if (!form || !list || !status) return;
  var empty = root.querySelector(".cb-finder__empty");
  var more = root.querySelector("[data-cb-finder-more]");
  var pager = root.querySelector("[data-cb-pager]");
  var clear = form.querySelector(".cb-finder__clear");
  var words = form.querySelector("#cb-finder-q");
  var from = form.querySelector("#cb-finder-from");
  var to = form.querySelector("#cb-finder-to");
  var catalogueUrl = new URL(root.getAttribute("data-catalogue"), window.location.href);

  var WORDS = "words";
  var FROM = "from";
  var TO = "to";
  var BATCH = 50;  // cards drawn at a time, as on the page
  var ANNOUNCE_DELAY_MS = 600;

  function fold(text) {
    // Lower case without accents, so "defensoria" finds "Defensoría".
    return String(text).normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (attributes[name] !== null && attributes[name] !== undefined) node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // Interface text in the page's language, from the JSON block the library page carries.
  var STRINGS = (function () {
    var block = document.querySelector("[data-cb-finder-strings]");
    try { return block ? JSON.parse(block.textContent) : {}; } catch (error) { return {}; }
  })();

  // Every lookup by an id is in a map without a prototype (`table()`), or through `own()`:
  // ids come from vocabularies and the address, and a plain {} answers "constructor" or
  // "toString" with Object's own functions.
  function table() { return Object.create(null); }

  function own(map, key) {
    return map && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;
  }

  function say(key, fallback, values) {
    var text = own(STRINGS, key) || fallback;
    Object.keys(values || {}).forEach(function (name) { text = text.split("{" + name + "}").join(values[name]); });
    return text;
  }

  function countCases(n) {
    return n === 1 ? say("case_one", "1 case", { n: n }) : say("case_other", "{n} cases", { n: n });
  }

  function parseYear(text) {
    var value = String(text || "").trim();
    return /^\d{4}$/.test(value) ? parseInt(value, 10) : null;
  }

  // The form, as the page has it ------------------------------------------------------------

  var facetIds = [];
  var boxes = table();      // facet id -> value id (lower case) -> {input, count, item}
  var summaries = table();
  form.querySelectorAll("details[data-facet]").forEach(function (details) {
    var id = details.getAttribute("data-facet");
    facetIds.push(id);
    boxes[id] = table();  // no inherited names from the address (?themes=constructor)
    summaries[id] = details.querySelector(".cb-finder__selected");
    details.querySelectorAll("input[type=checkbox]").forEach(function (input) {
      boxes[id][input.value] = {
        input: input,
        count: input.closest("li").querySelector(".cb-finder__count"),
        item: input.closest("li")
      };
    });
  });
  var firstCards = Array.prototype.slice.call(list.children);
  var total = parseInt((status.textContent.match(/\d+/) || ["0"])[0], 10);

  function readState(search) {
    var params = new URLSearchParams(search);
    var state = { facets: table(), words: (params.get(WORDS) || "").trim(), from: parseYear(params.get(FROM)), to: parseYear(params.get(TO)) };
    facetIds.forEach(function (id) {
      var chosen = [];
      params.getAll(id).forEach(function (raw) {
        raw.split(",").forEach(function (value) {
          value = value.trim().toLowerCase();
          if (boxes[id][value] && chosen.indexOf(value) === -1) chosen.push(value);
        });
      });
      state.facets[id] = chosen;
    });
    return state;
  }

  function formState() {
    var state = { facets: table(), words: words.value.trim(), from: parseYear(from.value), to: parseYear(to.value) };
    facetIds.forEach(function (id) {
      state.facets[id] = Object.keys(boxes[id]).filter(function (value) { return boxes[id][value].input.checked; });
    });
    return state;
  }

  function isFiltered(state) {
    return !!(state.words || state.from !== null || state.to !== null ||
      facetIds.some(function (id) { return state.facets[id].length; }));
  }

  function showState(state) {
    words.value = state.words;
    from.value = state.from === null ? "" : String(state.from);
    to.value = state.to === null ? "" : String(state.to);
    facetIds.forEach(function (id) {
      Object.keys(boxes[id]).forEach(function (value) {
        boxes[id][value].input.checked = state.facets[id].indexOf(value) !== -1;
      });
      if (state.facets[id].length) form.querySelector('[data-facet="' + id + '"]').open = true;
    });
  }

  function writeUrl(state) {
    var params = new URLSearchParams();
    facetIds.forEach(function (id) {
      state.facets[id].forEach(function (value) { params.append(id, value); });
    });
    if (state.words) params.set(WORDS, state.words);
    if (state.from !== null) params.set(FROM, String(state.from));
    if (state.to !== null) params.set(TO, String(state.to));
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.replaceState(window.history.state, "", url);
    }
  }

  function showSelected(state) {
    facetIds.forEach(function (id) {
      var n = state.facets[id].length;
      if (summaries[id]) summaries[id].textContent = n ? say("finder_selected", "{n} selected", { n: n }) : "";
    });
    if (clear) clear.hidden = !isFiltered(state);
  }

  // The catalogue ---------------------------------------------------------------------------

  var cases = null;   // records, in the library's order, once the catalogue is here
  var labels = table();    // facet id -> value id -> label

  function cardFor(record) {
    if (record.card) return record.card;
    var end = record.end === null || record.end === undefined ? say("period_present", "present") : record.end;
    var period = String(end) === String(record.start) ? String(record.start) : record.start + "\u2013" + end;
    var countries = (record.raw.countries || []).map(function (c) { return own(labels.countries, c) || c; }).join(", ");
    var themes = (record.raw.themes || []).map(function (t) { return own(labels.themes, t) || t; }).join(" \u00b7 ");
    record.card = element("li", { "class": "cb-case-card", "data-case-id": record.id }, [
      element("h2", { "class": "cb-case-card__title" }, [
        element("a", { href: new URL(record.raw.url, catalogueUrl).pathname }, [record.raw.title])
      ]),
      element("p", { "class": "cb-case-card__meta" }, [[record.raw.organisation, countries, period].join(" \u00b7 ")]),
      element("p", { "class": "cb-case-card__summary" }, [record.raw.summary || ""]),
      element("p", { "class": "cb-case-card__themes" }, [themes])
    ]);
    return record.card;
  }

  function start(data) {
    var facets = (data.facets || []).filter(function (facet) { return boxes[facet.id]; });
    facets.forEach(function (facet) {
      labels[facet.id] = table();
      (facet.values || []).forEach(function (value) { labels[facet.id][value.id] = value.label; });
    });
    var onPage = table();
    firstCards.forEach(function (card) { onPage[card.getAttribute("data-case-id")] = card; });
    var thisYear = new Date().getFullYear();
    cases = (data.cases || []).map(function (record) {
      var text = [record.title, record.summary, record.organisation];
      var values = table();
      facetIds.forEach(function (id) {
        values[id] = (record[id] || []).map(function (v) { return String(v).toLowerCase(); });
        (record[id] || []).forEach(function (v) { if (own(labels[id], v)) text.push(labels[id][v]); });
      });
      return {
        id: record.id,
        raw: record,
        card: onPage[record.id] || null,
        values: values,
        text: fold(text.join(" \n ")),
        start: record.start,
        end: record.end === null || record.end === undefined ? thisYear : record.end
      };
    });
    total = cases.length;
    update(0);
  }

  var loading = null;
  function load() {
    if (!loading) {
      loading = fetch(catalogueUrl.href, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("catalogue: HTTP " + response.status);
          return response.json();
        })
        .then(start)
        .catch(function (error) {
          // The first page and its links stay as they are: the library works without the finder.
          if (window.console) window.console.warn("Case finder unavailable:", error);
        });
    }
    return loading;
  }

  // Filtering, counting and listing ---------------------------------------------------------

  var announceTimer = null;
  function announce(text, delay) {
    window.clearTimeout(announceTimer);
    if (!delay) {
      if (status.textContent !== text) status.textContent = text;
      return;
    }
    announceTimer = window.setTimeout(function () { status.textContent = text; }, delay);
  }

  var matched = [];
  var drawn = 0;
  var showingFirstPage = true;

  function drawMore() {
    var fragment = document.createDocumentFragment();
    var until = Math.min(matched.length, drawn + BATCH);
    for (; drawn < until; drawn += 1) fragment.appendChild(cardFor(matched[drawn]));
    list.appendChild(fragment);
    var left = matched.length - drawn;
    if (more) {
      more.textContent = say("finder_more", "Show {n} more", { n: Math.min(left, BATCH) });
      more.parentNode.hidden = left <= 0;
    }
  }

  function update(delay) {
    var state = formState();
    showSelected(state);
    if (!cases) return;
    var filtered = isFiltered(state);
    var terms = fold(state.words).split(/\s+/).filter(Boolean);
    var active = facetIds.filter(function (id) { return state.facets[id].length; });
    var counts = table();
    facetIds.forEach(function (id) { counts[id] = table(); });
    matched = [];

    cases.forEach(function (record) {
      var base = terms.every(function (term) { return record.text.indexOf(term) !== -1; }) &&
        (state.from === null || record.end >= state.from) &&
        (state.to === null || record.start <= state.to);
      var failed = [];
      if (base) {
        for (var i = 0; i < active.length && failed.length < 2; i += 1) {
          var chosen = state.facets[active[i]];
          var own = record.values[active[i]];
          if (!own.some(function (v) { return chosen.indexOf(v) !== -1; })) failed.push(active[i]);
        }
      }
      if (base && failed.length === 0) matched.push(record);
      // A case counts for a facet's values when it passes every filter but that facet's own.
      var counted = !base || failed.length > 1 ? [] : failed.length === 1 ? failed : facetIds;
      counted.forEach(function (id) {
        record.values[id].forEach(function (value) { counts[id][value] = (counts[id][value] || 0) + 1; });
      });
    });

    facetIds.forEach(function (id) {
      Object.keys(boxes[id]).forEach(function (value) {
        var box = boxes[id][value];
        var n = counts[id][value] || 0;
        var text = "(" + n + ")";
        if (box.count && box.count.textContent !== text) box.count.textContent = text;
        box.item.classList.toggle("cb-finder__none", n === 0 && !box.input.checked);
      });
    });

    if (!filtered) {
      // The page as it came: its first cards and the links to the other pages.
      if (!showingFirstPage) {
        list.replaceChildren.apply(list, firstCards);
        showingFirstPage = true;
      }
      if (pager) pager.hidden = false;
      if (more) more.parentNode.hidden = true;
    } else {
      showingFirstPage = false;
      if (pager) pager.hidden = true;
      list.replaceChildren();
      drawn = 0;
      drawMore();
    }
    if (empty) empty.hidden = matched.length !== 0;
    announce(filtered ? say("finder_shown", "{shown} of {total}", { shown: matched.length, total: countCases(total) }) : countCases(total), delay);
    writeUrl(state);
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();  // results are already up to date; Enter must not reload
    load().then(function () { update(0); });
  });
  form.addEventListener("change", function () { load(); update(0); });
  form.addEventListener("input", function (event) {
    // Typing filters at once; the count is announced once the typing pauses.
    if (event.target.type !== "checkbox") { load(); update(ANNOUNCE_DELAY_MS); }
  });
  // The catalogue comes when the reader reaches for a filter, not with the page.
  form.addEventListener("focusin", load);
  form.addEventListener("pointerdown", load);
  if (clear) {
    clear.addEventListener("click", function () {
      showState(readState(""));
      update(0);
      words.focus();
    });
  }
  if (more) more.addEventListener("click", drawMore);
  // A long facet shows its first values and a button that names how many there are.
  form.querySelectorAll("[data-cb-finder-all]").forEach(function (button) {
    var values = document.getElementById(button.getAttribute("aria-controls"));
    var showAll = button.textContent;
    if (!values) return;
    button.addEventListener("click", function () {
      var open = !values.hasAttribute("data-cb-open");
      values.toggleAttribute("data-cb-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      button.textContent = open ? button.getAttribute("data-less") : showAll;
    });
  });

  var initial = readState(window.location.search);
  if (isFiltered(initial)) {
    showState(initial);
    showSelected(initial);
    load();
  }
})();
