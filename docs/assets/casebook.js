/* Casebook: quick exit ("Exit this page", GOV.UK pattern) and print helpers. No dependencies. */
(function () {
  "use strict";

  var SHIFT_WINDOW_MS = 5000;

  function exitPage(url) {
    // Blank the page at once so nothing stays on screen while the next site loads.
    document.documentElement.classList.add("cb-exiting");
    document.title = "Loading";
    window.location.replace(url);
  }

  function setUpExit() {
    var link = document.querySelector("[data-cb-exit]");
    if (!link) return;
    var status = document.querySelector("[data-cb-exit-status]");
    var wrapper = document.querySelector("[data-cb-exit-wrapper]");
    function say(name, fallback, n) {
      var text = (wrapper && wrapper.getAttribute("data-" + name)) || fallback;
      return text.split("{n}").join(String(n));
    }
    var url = link.getAttribute("href");
    var presses = 0;
    var timer = null;

    link.addEventListener("click", function (event) {
      event.preventDefault();
      exitPage(url);
    });

    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") {
        presses = 0;
        return;
      }
      presses += 1;
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        presses = 0;
        if (status) status.textContent = say("timeout", "Exit this page timed out.");
      }, SHIFT_WINDOW_MS);
      if (presses >= 3) {
        if (status) status.textContent = say("activated", "Exit this page activated.");
        exitPage(url);
      } else if (status) {
        var left = 3 - presses;
        status.textContent = left === 1
          ? say("more-one", "Shift, press 1 more time to exit.", left)
          : say("more-other", "Shift, press {n} more times to exit.", left);
      }
    });

    // A page restored from the back-forward cache must not show its content again.
    window.addEventListener("pageshow", function (event) {
      if (!event.persisted) return;
      document.documentElement.classList.remove("cb-exiting");
      // Material's drawer and search toggles carry no autocomplete="off" (invalid on a
      // checkbox), so a page restored from the cache closes them here.
      document.querySelectorAll("input.md-toggle:checked").forEach(function (toggle) { toggle.checked = false; });
    });
  }

  function openDetailsForPrint() {
    window.addEventListener("beforeprint", function () {
      document.querySelectorAll("details:not([open])").forEach(function (details) {
        details.setAttribute("open", "");
        details.setAttribute("data-cb-print-opened", "");
      });
    });
    window.addEventListener("afterprint", function () {
      document.querySelectorAll("details[data-cb-print-opened]").forEach(function (details) {
        details.removeAttribute("open");
        details.removeAttribute("data-cb-print-opened");
      });
    });
  }

  function setUpPrintButtons() {
    // Shown only when JavaScript runs; without it, the browser's own print still works
    // (a case's worksheet page then prints every audience's part).
    document.querySelectorAll("[data-cb-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        markPrintedPart(button.getAttribute("data-cb-print"));
        window.print();
      });
    });
    window.addEventListener("afterprint", function () { markPrintedPart(""); });
  }

  // "Print this worksheet" on one audience's part: the print stylesheet leaves out the
  // other audiences' parts; "" prints them all again.
  function markPrintedPart(part) {
    document.querySelectorAll("[data-cb-part]").forEach(function (element) {
      var other = !!part && element.getAttribute("data-cb-part") !== part;
      element.classList.toggle("cb-print-skip", other);
    });
  }

  // The language menu's links already point at this same page in each edition (written by
  // the build, so they work without JavaScript). This keeps the reader's place on the page
  // (the #section) too, and handles the click before Material's own handler, which would
  // look the page up in sitemaps.
  function setUpLanguageSwitch() {
    document.addEventListener("click", function (event) {
      var link = event.target instanceof Element && event.target.closest(".md-select__link[hreflang]");
      if (!link || event.ctrlKey || event.metaKey || event.shiftKey) return;
      event.preventDefault();
      event.stopPropagation();
      location.href = new URL(link.getAttribute("href"), location.href).href.split("#")[0] + location.hash;
    }, true);
  }

  // "Copy citation": shown only where the clipboard can be written; the text stays selectable.
  function setUpCopyButtons() {
    if (!navigator.clipboard || !window.isSecureContext) return;
    document.querySelectorAll("[data-cb-copy]").forEach(function (button) {
      var holder = button.closest("details, .cb-citation");
      var source = holder && holder.querySelector("[data-cb-copy-text]");
      if (!source) return;
      var label = button.textContent;
      button.hidden = false;
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(source.textContent.trim()).then(function () {
          button.textContent = button.getAttribute("data-copied") || label;
          window.setTimeout(function () { button.textContent = label; }, 2000);
        });
      });
    });
  }

  // Material's script, as the page becomes ready, fetches `sitemap.xml` next to every
  // <link rel="alternate"> (to map its language menu, which the links above already do).
  // Those are the published host's addresses (hreflang) and folders with no sitemap, so a
  // copy served anywhere else would ask the published host, and every page would ask for
  // files that do not exist. Its handler runs first (its script runs before this one), so
  // the links are out of its sight for that one query, and back for reference managers.
  function hideAlternatesFromTheme() {
    var links = document.querySelectorAll('link[rel="alternate"]');
    links.forEach(function (link) { link.setAttribute("rel", "cb-alternate"); });
    document.addEventListener("DOMContentLoaded", function () {
      links.forEach(function (link) { link.setAttribute("rel", "alternate"); });
    }, { once: true });
  }

  hideAlternatesFromTheme();
  setUpExit();
  setUpCopyButtons();
  setUpLanguageSwitch();
  openDetailsForPrint();
  setUpPrintButtons();
})();
