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
        if (status) status.textContent = "Exit this page timed out.";
      }, SHIFT_WINDOW_MS);
      if (presses >= 3) {
        if (status) status.textContent = "Exit this page activated.";
        exitPage(url);
      } else if (status) {
        var left = 3 - presses;
        status.textContent = "Shift, press " + left + " more time" + (left === 1 ? "" : "s") + " to exit.";
      }
    });

    // A page restored from the back-forward cache must not show its content again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) document.documentElement.classList.remove("cb-exiting");
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
    // Shown only when JavaScript runs; without it, the browser's own print still works.
    document.querySelectorAll("[data-cb-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  }

  setUpExit();
  openDetailsForPrint();
  setUpPrintButtons();
})();
