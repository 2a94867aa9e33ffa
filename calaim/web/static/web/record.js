/* The member record (web/member.html): a link to a folded section (the table of contents, the header's links, an
   address ending in #section) opens it, so the reader lands on its content. Without this script the link still
   scrolls to the section's heading, one click away from its content. Loaded from a file so the Content Security
   Policy's script-src 'self' holds. */
(function () {
  "use strict";

  function unfold(hash) {
    if (!hash || hash.length < 2) return;
    var target = document.getElementById(decodeURIComponent(hash.slice(1)));
    var section = target && target.closest ? target.closest(".record-section") : null;
    if (!section) return;
    var fold = section.querySelector("details.fold");
    if (fold && !fold.open) fold.open = true;
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (link) unfold(link.getAttribute("href"));
  });
  window.addEventListener("hashchange", function () { unfold(window.location.hash); });
  unfold(window.location.hash);
})();
