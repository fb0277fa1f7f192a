/* Casebook case finder: filters the case library by facets, words and years. No dependencies.
 *
 * The library page is a complete list of cases without this script. The script reads
 * catalogue.json (the facets, their labels and one record per case), adds a search form and
 * shows or hides the existing cards. Facets come from the data: nothing here names one.
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
  var list = root.querySelector("[data-cb-finder-results]");
  var status = root.querySelector("[data-cb-finder-status]");
  if (!list || !status) return;

  // Query-string names the finder uses for itself; a facet with one of these ids is left out.
  var WORDS = "words";
  var FROM = "from";
  var TO = "to";
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

  function say(key, fallback, values) {
    var text = STRINGS[key] || fallback;
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

  function start(data) {
    var facets = (data.facets || []).filter(function (facet) {
      return [WORDS, FROM, TO].indexOf(facet.id) === -1 && facet.values && facet.values.length;
    });
    var cards = {};
    list.querySelectorAll("[data-case-id]").forEach(function (card) {
      cards[card.getAttribute("data-case-id")] = card;
    });
    var thisYear = new Date().getFullYear();
    var cases = (data.cases || []).filter(function (record) { return cards[record.id]; }).map(function (record) {
      var labelled = [record.title, record.summary, record.organisation];
      var values = {};
      facets.forEach(function (facet) {
        var own = record[facet.id] || [];
        values[facet.id] = own;
        facet.values.forEach(function (value) {
          if (own.indexOf(value.id) !== -1) labelled.push(value.label);
        });
      });
      return {
        card: cards[record.id],
        values: values,
        text: fold(labelled.join(" \n ")),
        start: record.start,
        end: record.end === null || record.end === undefined ? thisYear : record.end
      };
    });
    if (!cases.length) return;
    var total = cases.length;
    var minYear = Math.min.apply(null, cases.map(function (c) { return c.start; }));
    var maxYear = Math.max.apply(null, cases.map(function (c) { return c.end; }));

    // The form ---------------------------------------------------------------------------

    var boxes = {};   // facet id -> value id -> {input, count, item}
    var summaries = {};
    var words = element("input", {
      type: "search", id: "cb-finder-q", name: WORDS, autocomplete: "off", spellcheck: "false",
      "aria-describedby": "cb-finder-q-hint"
    });
    var from = element("input", {
      type: "number", id: "cb-finder-from", name: FROM, inputmode: "numeric",
      min: String(minYear), max: String(maxYear), step: "1", placeholder: String(minYear)
    });
    var to = element("input", {
      type: "number", id: "cb-finder-to", name: TO, inputmode: "numeric",
      min: String(minYear), max: String(maxYear), step: "1", placeholder: String(maxYear)
    });
    var clear = element("button", { type: "button", "class": "md-button cb-finder__clear" }, [say("finder_clear", "Clear filters")]);
    var form = element("form", {
      role: "search", "class": "cb-finder__form", "aria-labelledby": "cb-finder-heading", action: "", method: "get"
    }, [
      element("h2", { id: "cb-finder-heading", "class": "cb-finder__heading" }, [say("finder_heading", "Filter cases")]),
      element("div", { "class": "cb-finder__field" }, [
        element("label", { "for": "cb-finder-q", "class": "cb-finder__label" }, [say("finder_words", "Words")]),
        element("p", { id: "cb-finder-q-hint", "class": "cb-finder__hint" }, [
          say("finder_words_hint", "In titles, summaries, organisations and the terms below")
        ]),
        words
      ]),
      element("fieldset", { "class": "cb-finder__years" }, [
        element("legend", { "class": "cb-finder__label" }, [say("finder_years", "Years covered")]),
        element("div", { "class": "cb-finder__year-inputs" }, [
          element("span", {}, [element("label", { "for": "cb-finder-from" }, [say("finder_from", "From")]), from]),
          element("span", {}, [element("label", { "for": "cb-finder-to" }, [say("finder_to", "To")]), to])
        ])
      ])
    ]);
    facets.forEach(function (facet) {
      var items = element("ul", { "class": "cb-finder__values" });
      boxes[facet.id] = {};
      facet.values.forEach(function (value) {
        var input = element("input", { type: "checkbox", name: facet.id, value: value.id.toLowerCase() });
        var count = element("span", { "class": "cb-finder__count" });
        var item = element("li", {}, [
          element("label", {}, [input, " ", element("span", {}, [
            element("span", { "class": "cb-finder__value" }, [value.label]), " ", count
          ])])
        ]);
        boxes[facet.id][value.id.toLowerCase()] = { input: input, count: count, item: item, id: value.id };
        items.appendChild(item);
      });
      var selected = element("span", { "class": "cb-finder__selected" });
      summaries[facet.id] = selected;
      form.appendChild(element("details", { "class": "cb-finder__facet", "data-facet": facet.id }, [
        element("summary", {}, [element("span", {}, [facet.label]), selected]),
        element("fieldset", {}, [element("legend", { "class": "cb-visually-hidden" }, [facet.label]), items])
      ]));
    });
    form.appendChild(element("div", { "class": "cb-finder__actions" }, [clear]));
    var empty = element("p", { "class": "cb-finder__empty", hidden: "" }, [
      say("finder_none", "No case matches all of these filters. Remove a filter, or clear them all.")
    ]);
    list.parentNode.insertBefore(empty, list.nextSibling);
    root.insertBefore(form, root.querySelector(".cb-finder__results"));
    root.classList.add("cb-finder--enhanced");

    // State ------------------------------------------------------------------------------

    function readState(search) {
      var params = new URLSearchParams(search);
      var state = { facets: {}, words: (params.get(WORDS) || "").trim(), from: parseYear(params.get(FROM)), to: parseYear(params.get(TO)) };
      facets.forEach(function (facet) {
        var chosen = [];
        params.getAll(facet.id).forEach(function (raw) {
          raw.split(",").forEach(function (value) {
            value = value.trim().toLowerCase();
            if (boxes[facet.id][value] && chosen.indexOf(value) === -1) chosen.push(value);
          });
        });
        state.facets[facet.id] = chosen;
      });
      return state;
    }

    function formState() {
      var state = { facets: {}, words: words.value.trim(), from: parseYear(from.value), to: parseYear(to.value) };
      facets.forEach(function (facet) {
        state.facets[facet.id] = Object.keys(boxes[facet.id]).filter(function (value) {
          return boxes[facet.id][value].input.checked;
        });
      });
      return state;
    }

    function showState(state) {
      words.value = state.words;
      from.value = state.from === null ? "" : String(state.from);
      to.value = state.to === null ? "" : String(state.to);
      facets.forEach(function (facet) {
        Object.keys(boxes[facet.id]).forEach(function (value) {
          boxes[facet.id][value].input.checked = state.facets[facet.id].indexOf(value) !== -1;
        });
        if (state.facets[facet.id].length) form.querySelector('[data-facet="' + facet.id + '"]').open = true;
      });
    }

    function writeUrl(state) {
      var params = new URLSearchParams();
      facets.forEach(function (facet) {
        state.facets[facet.id].forEach(function (value) { params.append(facet.id, value); });
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

    // Filtering and counting -------------------------------------------------------------

    function matchesFacet(record, facetId, chosen) {
      var own = record.values[facetId];
      for (var i = 0; i < own.length; i += 1) {
        if (chosen.indexOf(own[i].toLowerCase()) !== -1) return true;
      }
      return false;
    }

    var announceTimer = null;

    function announce(text, delay) {
      window.clearTimeout(announceTimer);
      if (!delay) {
        if (status.textContent !== text) status.textContent = text;
        return;
      }
      announceTimer = window.setTimeout(function () { status.textContent = text; }, delay);
    }

    function update(delay) {
      var state = formState();
      var terms = fold(state.words).split(/\s+/).filter(Boolean);
      var active = facets.filter(function (facet) { return state.facets[facet.id].length; });
      var counts = {};
      facets.forEach(function (facet) { counts[facet.id] = {}; });
      var shown = 0;

      cases.forEach(function (record) {
        var base = terms.every(function (term) { return record.text.indexOf(term) !== -1; }) &&
          (state.from === null || record.end >= state.from) &&
          (state.to === null || record.start <= state.to);
        var failed = [];
        if (base) {
          for (var i = 0; i < active.length && failed.length < 2; i += 1) {
            if (!matchesFacet(record, active[i].id, state.facets[active[i].id])) failed.push(active[i]);
          }
        }
        var visible = base && failed.length === 0;
        record.card.hidden = !visible;
        if (visible) shown += 1;
        // A case counts for a facet's values when it passes every filter but that facet's own.
        var counted = !base || failed.length > 1 ? [] : failed.length === 1 ? failed : facets;
        counted.forEach(function (facet) {
          record.values[facet.id].forEach(function (value) {
            var key = value.toLowerCase();
            counts[facet.id][key] = (counts[facet.id][key] || 0) + 1;
          });
        });
      });

      facets.forEach(function (facet) {
        var chosen = state.facets[facet.id].length;
        Object.keys(boxes[facet.id]).forEach(function (value) {
          var box = boxes[facet.id][value];
          var n = counts[facet.id][value] || 0;
          box.count.textContent = "(" + n + ")";
          box.item.classList.toggle("cb-finder__none", n === 0 && !box.input.checked);
        });
        summaries[facet.id].textContent = chosen ? say("finder_selected", "{n} selected", { n: chosen }) : "";
      });

      var filtered = active.length || terms.length || state.from !== null || state.to !== null;
      empty.hidden = shown !== 0;
      announce(filtered ? say("finder_shown", "{shown} of {total}", { shown: shown, total: countCases(total) }) : countCases(total), delay);
      writeUrl(state);
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();  // results are already up to date; Enter must not reload
      update(0);
    });
    form.addEventListener("change", function () { update(0); });
    form.addEventListener("input", function (event) {
      // Typing filters at once; the count is announced once the typing pauses.
      if (event.target.type !== "checkbox") update(ANNOUNCE_DELAY_MS);
    });
    clear.addEventListener("click", function () {
      showState(readState(""));
      update(0);
    });

    showState(readState(window.location.search));
    update(0);
  }

  fetch(root.getAttribute("data-catalogue"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) throw new Error("catalogue: HTTP " + response.status);
      return response.json();
    })
    .then(start)
    .catch(function (error) {
      // The complete list stays as it is: the page works without the finder.
      if (window.console) window.console.warn("Case finder unavailable:", error);
    });
})();
