// A live blog's page fetches its entries again every POLL_SECONDS and swaps them in, so new
// entries appear without a reload. The page works without this script: the entries are in
// the HTML. The fragment is cached at the edge and purged when an entry changes, so polling
// readers cost the origin one render per change; "no-cache" makes the browser revalidate
// (a 304 when nothing changed) instead of reusing its own copy for CDN_MAX_AGE.
(function () {
  "use strict";
  var POLL_SECONDS = 30;
  var box = document.querySelector("[data-live-src]");
  if (!box || !window.fetch) {
    return;
  }
  var status = document.querySelector("[data-live-status]");
  var src = box.getAttribute("data-live-src");
  var last = null;

  function count(html) {
    return (html.match(/class="live-entry[ "]/g) || []).length;
  }

  function poll() {
    if (document.hidden) {
      return; // a background tab waits until it is looked at again
    }
    fetch(src, { cache: "no-cache", credentials: "omit" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null || html === last) {
          return;
        }
        var before = last === null ? count(box.innerHTML) : count(last);
        last = html;
        if (html.trim() === box.innerHTML.trim()) {
          return;
        }
        box.innerHTML = html; // same-origin HTML the site rendered from sanitised entries
        var added = count(html) - before;
        if (status && added > 0) {
          status.textContent = added === 1 ? "1 new update" : added + " new updates";
        }
        if (!box.querySelector(".live__state .kind--live")) {
          window.clearInterval(timer); // the coverage was ended: nothing more will come
        }
      })
      .catch(function () {
        // Offline or the site is busy: the next round tries again.
      });
  }

  var timer = window.setInterval(poll, POLL_SECONDS * 1000);
  document.addEventListener("visibilitychange", poll);
})();
