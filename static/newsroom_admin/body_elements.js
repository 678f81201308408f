/* Story body elements (a Tiptap extension the body's editor loads; see articles/body.py and
   DJANGO_PROSE_EDITOR_EXTENSIONS in settings): a photo from the library, a pull quote, a fact
   box and an embed. Each is stored as plain HTML the server's sanitizer allows and checks
   again (articles.body.clean_elements); the public page expands it. */
import { Extension, Node } from "django-prose-editor/editor"

// The same platforms the server accepts (articles.body.embed); the server decides.
const EMBED_HOSTS = /^https:\/\/(www\.|m\.)?(youtube\.com|youtu\.be|x\.com|twitter\.com|facebook\.com|fb\.watch|instagram\.com|tiktok\.com|t\.me|telegram\.me)\//i

export function isAllowedEmbed(url) {
  return EMBED_HOSTS.test(url.trim())
}

const BodyPhoto = Node.create({
  name: "bodyPhoto",
  group: "block",
  atom: true,
  draggable: true,
  addAttributes() {
    return {
      photo: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-photo"),
        renderHTML: (attributes) => ({ "data-photo": attributes.photo }),
      },
    }
  },
  parseHTML() {
    return [{ tag: "figure[data-photo]" }]
  },
  renderHTML({ HTMLAttributes }) {
    return ["figure", { ...HTMLAttributes, class: "body-element" }, `Photo from library #${HTMLAttributes["data-photo"]}`]
  },
})

const BodyEmbed = Node.create({
  name: "bodyEmbed",
  group: "block",
  atom: true,
  draggable: true,
  addAttributes() {
    return {
      url: {
        default: null,
        parseHTML: (element) => element.getAttribute("data-embed"),
        renderHTML: (attributes) => ({ "data-embed": attributes.url }),
      },
    }
  },
  parseHTML() {
    return [{ tag: "figure[data-embed]" }]
  },
  renderHTML({ HTMLAttributes }) {
    return ["figure", { ...HTMLAttributes, class: "body-element" }, `Embed: ${HTMLAttributes["data-embed"]}`]
  },
})

function asideNode(name, className, content) {
  return Node.create({
    name,
    group: "block",
    content,
    defining: true,
    parseHTML() {
      return [{ tag: `aside.${className}` }]
    },
    renderHTML() {
      return ["aside", { class: className }, 0]
    },
  })
}

const PullQuote = asideNode("pullQuote", "pull-quote", "paragraph+")
const FactBox = asideNode("factBox", "fact-box", "heading block*")

function note(editor, text) {
  const element = editor.view.dom.closest(".prose-editor") || editor.view.dom
  let message = element.parentElement.querySelector(".body-element-refused")
  if (!message) {
    message = document.createElement("p")
    message.className = "errornote body-element-refused"
    message.setAttribute("role", "alert")
    element.after(message)
  }
  message.textContent = text
  message.hidden = !text
}

// After a selected element (a photo or embed just inserted), not in its place.
function insertBlock(editor, content) {
  const { selection } = editor.state
  const chain = editor.chain().focus()
  ;(selection.node ? chain.insertContentAt(selection.to, content) : chain.insertContent(content)).run()
}

export const BodyElements = Extension.create({
  name: "bodyElements",

  addExtensions() {
    return [BodyPhoto, BodyEmbed, PullQuote, FactBox]
  },

  addMenuItems({ menu, buttons }) {
    menu.defineItem({
      name: "bodyPhoto",
      groups: "nodes",
      button: buttons.text("Photo"),
      command(editor) {
        const answer = window.prompt("Photo from library: the photo's number (Images in the admin)")
        if (answer === null) return
        if (!/^\s*\d+\s*$/.test(answer)) {
          note(editor, "A photo is given by its number in the photo library, e.g. 12.")
          return
        }
        note(editor, "")
        insertBlock(editor, { type: "bodyPhoto", attrs: { photo: answer.trim() } })
      },
    })
    menu.defineItem({
      name: "pullQuote",
      groups: "nodes",
      button: buttons.text("Pull quote"),
      active: (editor) => editor.isActive("pullQuote"),
      command(editor) {
        const chain = editor.chain().focus()
        ;(editor.isActive("pullQuote") ? chain.lift("pullQuote") : chain.wrapIn("pullQuote")).run()
      },
    })
    menu.defineItem({
      name: "factBox",
      groups: "nodes",
      button: buttons.text("Fact box"),
      command(editor) {
        insertBlock(editor, {
          type: "factBox",
          content: [
            { type: "heading", attrs: { level: 2 }, content: [{ type: "text", text: "Key facts" }] },
            { type: "paragraph", content: [{ type: "text", text: "A fact." }] },
          ],
        })
      },
    })
    menu.defineItem({
      name: "bodyEmbed",
      groups: "nodes",
      button: buttons.text("Embed"),
      command(editor) {
        const answer = window.prompt("Embed: the address of a post on X, YouTube, Facebook, Instagram, TikTok or Telegram")
        if (answer === null) return
        if (!isAllowedEmbed(answer)) {
          note(editor, "Only posts on X (Twitter), YouTube, Facebook, Instagram, TikTok and Telegram can be embedded.")
          return
        }
        note(editor, "")
        insertBlock(editor, { type: "bodyEmbed", attrs: { url: answer.trim() } })
      },
    })
  },
})
