/* Paste cleanup for the story body (a Tiptap extension the body's editor loads; see
   DJANGO_PROSE_EDITOR_EXTENSIONS in settings). Word and Google Docs lists become real
   lists, empty paragraphs, styles, classes and spans go, a table becomes one paragraph per
   row with its cells apart (the body has no tables), and images are refused with a message
   pointing to the photo library. The server's sanitizer (nh3) still cleans whatever is
   saved. */
import { Extension, Plugin } from "django-prose-editor/editor"

const REFUSAL =
  "Pictures cannot be pasted into the story text, so the picture was left out. " +
  "Add photos from the photo library: choose a Featured image, or upload one under Images."

const BULLET = /^[\s\u00a0]*[·•▪◦‣⁃o§\uf0b7\uf0a7–-][\s\u00a0]+/
const NUMBER = /^[\s\u00a0]*\(?([0-9]{1,3}|[a-zA-Z]|[ivxlcIVXLC]{1,5})[.)][\s\u00a0]+/
// Typed bullets only: a dash or an "o" may begin ordinary prose (dialogue, a name).
const TYPED_BULLET = /^[\s\u00a0]*[·•▪◦‣⁃\uf0b7][\s\u00a0]+/
const BLANK = /^[\s\u00a0\u200b]*$/
const KEPT_ATTRIBUTES = { a: ["href", "title"] }
const DROPPED = "img, picture, svg, video, audio, object, embed, iframe, style, script, meta, link, title, canvas, map"

function unwrap(element) {
  element.replaceWith(...element.childNodes)
}

function rename(element, tag) {
  const renamed = element.ownerDocument.createElement(tag)
  renamed.append(...element.childNodes)
  element.replaceWith(renamed)
  return renamed
}

function style(element, property) {
  return element.style ? element.style.getPropertyValue(property) : ""
}

/* Word: a list item is a paragraph whose style carries "mso-list: l0 level1 lfo1", its
   marker ("·", "o", "1.") in a span styled "mso-list: Ignore". */
function wordListInfo(paragraph) {
  const match = /mso-list:\s*(l\d+)\s+level(\d+)/i.exec(paragraph.getAttribute("style") || "")
  if (!match) return null
  let marker = ""
  paragraph.querySelectorAll("span").forEach((span) => {
    if (/mso-list:\s*ignore/i.test(span.getAttribute("style") || "")) {
      marker += span.textContent
      span.remove()
    }
  })
  if (!marker) {
    // Some Word versions leave the marker as text.
    const text = paragraph.textContent
    const found = NUMBER.exec(text) || BULLET.exec(text)
    marker = found ? found[0] : ""
    if (marker) stripLeadingText(paragraph, marker.length)
  }
  return { list: match[1], level: Number(match[2]), ordered: NUMBER.test(marker + " ") }
}

function stripLeadingText(element, count) {
  const walker = element.ownerDocument.createTreeWalker(element, NodeFilter.SHOW_TEXT)
  while (count > 0 && walker.nextNode()) {
    const node = walker.currentNode
    const cut = Math.min(count, node.data.length)
    node.data = node.data.slice(cut)
    count -= cut
  }
}

/* Runs of list paragraphs become <ul>/<ol>; a deeper level nests in the item before it. */
function buildLists(body, infoOf) {
  const items = [...body.querySelectorAll("p")].filter((p) => infoOf.has(p))
  let stack = [] // [{ list: element, level, id }]
  let previous = null
  for (const paragraph of items) {
    const info = infoOf.get(paragraph)
    const adjacent = previous && nextElement(previous) === paragraph
    if (!adjacent) stack = []
    while (stack.length && (stack.at(-1).level > info.level ||
      (stack.at(-1).level === info.level && stack.at(-1).id !== info.list))) {
      stack.pop()
    }
    let top = stack.at(-1)
    if (!top || top.level < info.level) {
      const list = body.ownerDocument.createElement(info.ordered ? "ol" : "ul")
      if (top) {
        top.list.lastElementChild.append(list)
      } else {
        paragraph.before(list)
      }
      top = { list, level: info.level, id: info.list }
      stack.push(top)
    }
    const item = body.ownerDocument.createElement("li")
    top.list.append(item)
    item.append(paragraph)
    previous = stack[0].list
  }
}

function nextElement(node) {
  let next = node.nextSibling
  while (next && next.nodeType !== Node.ELEMENT_NODE) {
    if (next.nodeType === Node.TEXT_NODE && !BLANK.test(next.data)) return next
    next = next.nextSibling
  }
  return next
}

/* Paragraphs that start with a typed bullet ("• one", "· two") in a row become a list. */
function typedBulletInfo(paragraph) {
  return TYPED_BULLET.test(paragraph.textContent) ? { list: "typed", level: 1, ordered: false } : null
}

/* The body has no tables: one paragraph per row, its cells apart. */
function flattenTables(body) {
  body.querySelectorAll("table").forEach((table) => {
    const rows = [...table.querySelectorAll("tr")].map((row) => {
      const cells = [...row.children].filter((cell) => /^t[dh]$/i.test(cell.tagName))
      const paragraph = body.ownerDocument.createElement("p")
      paragraph.textContent = cells
        .map((cell) => cell.textContent.replace(/[\s\u00a0]+/g, " ").trim())
        .join(" | ")
      return paragraph
    })
    table.replaceWith(...rows)
  })
}

/* Google Docs wraps everything in <b style="font-weight:normal"> and marks bold and italic
   on spans; a nested list is a sibling <ul> of the items. */
function keepGoogleDocsFormatting(body) {
  body.querySelectorAll("b").forEach((b) => {
    if (/^(normal|[1-5]00)$/.test(style(b, "font-weight"))) unwrap(b)
  })
  body.querySelectorAll("span").forEach((span) => {
    let inner = span
    const weight = style(span, "font-weight")
    if (weight === "bold" || Number(weight) >= 600) {
      const strong = span.ownerDocument.createElement("strong")
      strong.append(...span.childNodes)
      span.append(strong)
      inner = strong
    }
    if (style(span, "font-style") === "italic") {
      const em = span.ownerDocument.createElement("em")
      em.append(...inner.childNodes)
      inner.append(em)
    }
  })
  body.querySelectorAll("ul > ul, ul > ol, ol > ul, ol > ol").forEach((nested) => {
    const item = nested.previousElementSibling
    if (item && item.tagName === "LI") item.append(nested)
  })
}

function isEmpty(element) {
  return BLANK.test(element.textContent) && !element.querySelector("br ~ *, hr")
}

export function cleanPastedHTML(html) {
  const doc = new DOMParser().parseFromString(html, "text/html")
  const body = doc.body
  let hadImage = false
  // Word's own elements: <o:p>, <w:...>; VML shapes <v:...> are pictures.
  body.querySelectorAll("*").forEach((element) => {
    const tag = element.tagName.toLowerCase()
    if (tag.startsWith("v:")) {
      hadImage = true
      element.remove()
    } else if (tag.includes(":")) {
      unwrap(element)
    }
  })
  body.querySelectorAll(DROPPED).forEach((element) => {
    if (/^(img|picture|svg|canvas)$/i.test(element.tagName)) hadImage = true
    element.remove()
  })
  keepGoogleDocsFormatting(body)

  const infoOf = new Map()
  body.querySelectorAll("p").forEach((paragraph) => {
    const info = wordListInfo(paragraph) || typedBulletInfo(paragraph)
    if (!info) return
    if (info.list === "typed") stripLeadingText(paragraph, TYPED_BULLET.exec(paragraph.textContent)[0].length)
    infoOf.set(paragraph, info)
  })
  buildLists(body, infoOf)
  flattenTables(body)

  body.querySelectorAll("h1").forEach((h) => rename(h, "h2"))
  body.querySelectorAll("h5, h6").forEach((h) => rename(h, "h4"))
  body.querySelectorAll("span, font, u, ins, del, s, small, big, sup, sub, a:not([href])").forEach(unwrap)
  body.querySelectorAll("*").forEach((element) => {
    const kept = KEPT_ATTRIBUTES[element.tagName.toLowerCase()] || []
    for (const { name } of [...element.attributes]) {
      if (!kept.includes(name)) element.removeAttribute(name)
    }
  })
  // A line break between blocks (Google Docs puts one between paragraphs) is an empty line.
  body.querySelectorAll("br").forEach((br) => {
    if (/^(BODY|DIV|LI|BLOCKQUOTE|UL|OL)$/.test(br.parentElement.tagName)) br.remove()
  })
  // Empty paragraphs (and what is left of emptied items and headings) go.
  body.querySelectorAll("p, h2, h3, h4, li, blockquote, div").forEach((element) => {
    if (isEmpty(element)) element.remove()
  })
  body.querySelectorAll("ul, ol").forEach((list) => {
    if (!list.querySelector("li")) list.remove()
  })
  return { html: body.innerHTML, hadImage }
}

function clipboardHasImageFile(data) {
  return [...(data?.items || [])].some((item) => item.kind === "file" && item.type.startsWith("image/"))
}

function showRefusal(view, refused) {
  const editor = view.dom.closest(".prose-editor") || view.dom
  let note = editor.parentElement.querySelector(".desk-paste-refused")
  if (!note) {
    note = document.createElement("p")
    note.className = "errornote desk-paste-refused"
    note.setAttribute("role", "alert")
    note.textContent = REFUSAL
    editor.after(note)
  }
  note.hidden = !refused
}

export const DeskPasteCleanup = Extension.create({
  name: "deskPasteCleanup",

  addProseMirrorPlugins() {
    // Set while the pasted or dropped HTML is cleaned, read when it is inserted.
    let refusedImage = false
    function refuseImages(view, data, slice) {
      const refused = refusedImage || clipboardHasImageFile(data)
      refusedImage = false
      showRefusal(view, refused)
      // Only a picture was on the clipboard: nothing is inserted.
      return refused && slice.content.size === 0
    }
    return [
      new Plugin({
        props: {
          transformPastedHTML(html) {
            const cleaned = cleanPastedHTML(html)
            refusedImage = cleaned.hadImage
            return cleaned.html
          },
          handlePaste: (view, event, slice) => refuseImages(view, event.clipboardData, slice),
          handleDrop: (view, event, slice) => refuseImages(view, event.dataTransfer, slice),
        },
      }),
    ]
  },
})
