/* The headline's live character count against its limit (data-count-limit), on the story
   change form. The server's max_length stays the rule; this only shows where you stand. */
"use strict";
(function () {
  const NEAR = 10; // characters left when the count starts to warn

  function attach(input) {
    const limit = Number(input.dataset.countLimit);
    if (!limit) return;
    const counter = document.createElement("span");
    counter.className = "desk-count";
    counter.id = input.id + "-count";
    input.setAttribute("aria-describedby", counter.id);
    input.insertAdjacentElement("afterend", counter);

    function update() {
      // Characters as a reader counts them (an emoji is one), as Python's len() does.
      const used = Array.from(input.value).length;
      const left = limit - used;
      counter.textContent =
        left < 0 ? `${used} / ${limit}: ${-left} over the limit` : `${used} / ${limit}`;
      counter.classList.toggle("desk-count-near", left >= 0 && left <= NEAR);
      counter.classList.toggle("desk-count-over", left < 0);
    }
    input.addEventListener("input", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[data-count-limit]").forEach(attach);
  });
})();
