/* Character counters for text areas with a limit (web/field.html renders the counter's paragraph; without this
   script it just states the limit). Loaded from a file so the Content Security Policy's script-src 'self' holds:
   no inline script, no eval. The browser stops typing at the limit (maxlength); this says how near it is, and
   says so when a paste did not fit, so nothing is ever cut without a word. */
(function () {
  "use strict";
  var number = new Intl.NumberFormat("en-US");
  var pasted = {};

  function counterFor(area) {
    return area && area.id ? document.getElementById(area.id + "_count") : null;
  }

  function live(counter) {
    var region = counter.nextElementSibling;
    if (!region || !region.hasAttribute("data-counter-live")) {
      region = document.createElement("span");
      region.className = "sr-only";
      region.setAttribute("aria-live", "polite");
      region.setAttribute("data-counter-live", "");
      counter.parentNode.insertBefore(region, counter.nextSibling);
    }
    return region;
  }

  function words(area, limit) {
    var used = area.value.length;
    var left = limit - used;
    var text = number.format(used) + " of " + number.format(limit) + " characters";
    if (left <= 0) {
      text += ": the limit. ";
      text += pasted[area.id] ? "The pasted text did not all fit: the end of it was not added." : "Nothing more fits.";
    } else if (left <= Math.max(20, limit / 10)) {
      text += " (" + number.format(left) + " left)";
    }
    return text;
  }

  var timers = {};
  function update(area, announce) {
    var counter = counterFor(area);
    if (!counter) return;
    var limit = parseInt(counter.getAttribute("data-limit"), 10);
    if (!limit) return;
    var text = words(area, limit);
    counter.textContent = text;
    if (announce) {
      // Screen readers hear the count once typing pauses, not at every key.
      clearTimeout(timers[area.id]);
      timers[area.id] = setTimeout(function () { live(counter).textContent = text; }, 1000);
    }
  }

  function all(root) {
    var counters = (root || document).querySelectorAll("[data-counter-for]");
    for (var i = 0; i < counters.length; i++) {
      var area = document.getElementById(counters[i].getAttribute("data-counter-for"));
      if (area) update(area, false);
    }
  }

  document.addEventListener("input", function (event) {
    if (!counterFor(event.target)) return;
    if (event.inputType !== "insertFromPaste") pasted[event.target.id] = false;
    update(event.target, true);
  });
  document.addEventListener("paste", function (event) {
    var area = event.target;
    var counter = counterFor(area);
    if (!counter || !event.clipboardData) return;
    var limit = parseInt(counter.getAttribute("data-limit"), 10);
    var kept = area.value.length - (area.selectionEnd - area.selectionStart);
    pasted[area.id] = kept + event.clipboardData.getData("text").length > limit;
  });
  // A link in the error summary puts the cursor in the field it names, not only scrolls to it.
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest(".error-summary a[href^='#']") : null;
    var field = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
    if (field && field.focus) {
      event.preventDefault();
      field.scrollIntoView({ block: "center" });
      field.focus();
    }
  });
  document.addEventListener("DOMContentLoaded", function () { all(document); });
  // Sections swapped in by htmx bring their own text areas.
  document.addEventListener("htmx:load", function (event) { all(event.target); });
})();
