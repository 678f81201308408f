/* Story embeds load nothing from the platform until the reader asks: the button in each
   <figure class="embed"> (articles.body, templates/includes/body_embed.html) replaces the
   placeholder with the platform's frame. CSP frame-src allows only those platforms.
   Clicks are handled on the document, and new buttons shown as they arrive, so the entries
   a live blog swaps in (static/js/live.js) work the same. */
const BUTTONS = "figure.embed [data-embed-frame]"

function reveal(root) {
  root.querySelectorAll(BUTTONS).forEach((button) => { button.hidden = false })
}

document.addEventListener("click", (event) => {
  const button = event.target.closest(BUTTONS)
  if (!button) return
  const figure = button.closest("figure.embed")
  const frame = document.createElement("iframe")
  frame.src = button.dataset.embedFrame
  frame.title = button.dataset.embedTitle
  frame.loading = "lazy"
  frame.allowFullscreen = true
  frame.referrerPolicy = "strict-origin-when-cross-origin"
  frame.className = "embed__frame"
  figure.querySelector(".embed__placeholder").replaceWith(frame)
  frame.focus()
})

reveal(document)
new MutationObserver(() => reveal(document)).observe(document.body, { childList: true, subtree: true })
