// Suggest existing tags while typing the comma-separated tags field, using the admin's own
// autocomplete endpoint (so the same permissions apply). Each suggestion keeps the tags
// already typed and completes the last one.
"use strict";
(function () {
  function attach(input) {
    const list = document.createElement("datalist");
    list.id = input.id + "_suggestions";
    input.after(list);
    input.setAttribute("list", list.id);
    let timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      const parts = input.value.split(",");
      const term = parts.pop().trim();
      const prefix = parts.map((p) => p.trim()).filter(Boolean);
      if (term.length < 2) { list.replaceChildren(); return; }
      timer = setTimeout(function () {
        const url = new URL(input.dataset.autocompleteUrl, window.location.href);
        url.search = new URLSearchParams({
          app_label: "articles", model_name: "article", field_name: "tags", term: term,
        }).toString();
        fetch(url, { credentials: "same-origin" })
          .then((r) => (r.ok ? r.json() : { results: [] }))
          .then(function (data) {
            list.replaceChildren(...data.results.map(function (item) {
              const option = document.createElement("option");
              option.value = prefix.concat([item.text]).join(", ") + ", ";
              return option;
            }));
          });
      }, 200);
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input.tag-autocomplete").forEach(attach);
  });
})();
