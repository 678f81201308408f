/* Story embeds load nothing from the platform until the reader asks: the button in each
   <figure class="embed"> (articles.body, templates/includes/body_embed.html) replaces the
   placeholder with the platform's frame. CSP frame-src allows only those platforms. */
document.querySelectorAll("figure.embed [data-embed-frame]").forEach((button) => {
  button.hidden = false
  button.addEventListener("click", () => {
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
})
