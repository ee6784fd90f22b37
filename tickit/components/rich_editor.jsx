// Glue for Tiptap (hook-based): a comment editor with a small toolbar, @mentions and a / menu.
// Props: content (initial HTML), mentionables = [{id, label}], clearKey (empty the editor whenever it changes),
// placeholder, label (accessible name), onChange(html) sent throttled while typing and at once on blur
// ("" when the editor is empty). Mentions render as <span data-type="mention" data-id data-label class="mention">.
// commands = [{id, label, hint}] is what `/` offers (and the toolbar's "/" button, for touch screens); choosing
// one removes the typed `/query` and sends onCommand(id). insert = {key, html}: whenever key changes, html is
// inserted at the cursor (how the server hands back a rendered canned reply).
import React, { useEffect, useRef, useState } from "react";
import { Extension } from "@tiptap/core";
import { PluginKey } from "@tiptap/pm/state";
import Suggestion from "@tiptap/suggestion";
import { EditorContent, useEditor, useEditorState } from "@tiptap/react";
import StarterKit from "@tiptap/starter-kit";
import Link from "@tiptap/extension-link";
import Mention from "@tiptap/extension-mention";

const THROTTLE_MS = 400;

const CSS = `
.tk-rich { border: 1px solid var(--gray-a7); border-radius: var(--radius-3); background: var(--color-surface); }
.tk-rich:focus-within { border-color: var(--accent-8); box-shadow: 0 0 0 1px var(--accent-8); }
.tk-rich-toolbar { display: flex; gap: 2px; padding: 4px; border-bottom: 1px solid var(--gray-a5); flex-wrap: wrap; }
.tk-rich-toolbar button { all: unset; box-sizing: border-box; min-width: 28px; height: 28px; padding: 0 6px;
  border-radius: var(--radius-2); display: inline-flex; align-items: center; justify-content: center;
  font-size: 13px; color: var(--gray-11); cursor: pointer; }
.tk-rich-toolbar button:hover { background: var(--gray-a3); color: var(--gray-12); }
.tk-rich-toolbar button:focus-visible { outline: 2px solid var(--accent-8); }
.tk-rich-toolbar button[aria-pressed="true"] { background: var(--accent-a4); color: var(--accent-11); }
.tk-rich-toolbar .tk-sep { width: 1px; background: var(--gray-a5); margin: 4px 4px; }
.tk-rich .ProseMirror { min-height: 88px; padding: 10px 12px; outline: none; font-size: var(--font-size-2);
  line-height: 1.55; color: var(--gray-12); }
.tk-rich .ProseMirror p { margin: 0 0 6px; }
.tk-rich .ProseMirror p.is-editor-empty:first-child::before { content: attr(data-placeholder); color: var(--gray-9);
  float: left; height: 0; pointer-events: none; }
.tk-rich .ProseMirror blockquote { margin: 4px 0; padding-left: 10px; border-left: 3px solid var(--gray-a6); color: var(--gray-11); }
.tk-rich .ProseMirror code { background: var(--gray-a3); padding: 0 4px; border-radius: 4px; font-size: 0.9em; }
.tk-rich .ProseMirror ul, .tk-rich .ProseMirror ol { margin: 4px 0; padding-left: 22px; }
.tk-rich .ProseMirror ul { list-style: disc; } .tk-rich .ProseMirror ol { list-style: decimal; }
.tk-rich .ProseMirror a { color: var(--accent-11); }
.mention { color: var(--accent-11); background: var(--accent-a3); border-radius: 4px; padding: 0 2px; font-weight: 500; }
.tk-mentions { position: fixed; z-index: 50; min-width: 180px; max-height: 220px; overflow-y: auto; padding: 4px;
  background: var(--color-panel-solid); border: 1px solid var(--gray-a6); border-radius: var(--radius-3);
  box-shadow: 0 8px 24px var(--black-a4); }
.tk-mentions button { all: unset; box-sizing: border-box; display: block; width: 100%; padding: 6px 8px;
  border-radius: var(--radius-2); font-size: var(--font-size-2); color: var(--gray-12); cursor: pointer; }
.tk-mentions button[aria-selected="true"] { background: var(--accent-a4); }
.tk-mentions .tk-hint { display: block; font-size: var(--font-size-1); color: var(--gray-11); }
`;

function ToolButton({ label, pressed, onClick, children }) {
  return (
    <button
      type="button"
      aria-label={label}
      title={label}
      aria-pressed={pressed ? "true" : "false"}
      onMouseDown={(event) => event.preventDefault()} // keep the selection in the editor
      onClick={onClick}
    >
      {children}
    </button>
  );
}

const SlashCommands = Extension.create({
  name: "slashCommands",
  addOptions() {
    return { suggestion: {} };
  },
  addProseMirrorPlugins() {
    return [Suggestion({ editor: this.editor, pluginKey: new PluginKey("slashCommands"), ...this.options.suggestion })];
  },
});

function Toolbar({ editor, hasCommands }) {
  const marks = useEditorState({
    editor,
    selector: ({ editor: e }) =>
      e
        ? {
            bold: e.isActive("bold"),
            italic: e.isActive("italic"),
            code: e.isActive("code"),
            bullet: e.isActive("bulletList"),
            ordered: e.isActive("orderedList"),
            quote: e.isActive("blockquote"),
            link: e.isActive("link"),
          }
        : {},
  });
  if (!editor) return null;
  const chain = () => editor.chain().focus();
  const link = () => {
    if (editor.isActive("link")) {
      chain().extendMarkRange("link").unsetLink().run();
      return;
    }
    const url = window.prompt("Link address (https://…)", "https://");
    if (url && /^(https?:\/\/|mailto:)/i.test(url.trim())) chain().extendMarkRange("link").setLink({ href: url.trim() }).run();
  };
  return (
    <div className="tk-rich-toolbar" role="toolbar" aria-label="Formatting">
      <ToolButton label="Bold" pressed={marks.bold} onClick={() => chain().toggleBold().run()}>
        <b>B</b>
      </ToolButton>
      <ToolButton label="Italic" pressed={marks.italic} onClick={() => chain().toggleItalic().run()}>
        <i style={{ fontFamily: "serif" }}>I</i>
      </ToolButton>
      <ToolButton label="Code" pressed={marks.code} onClick={() => chain().toggleCode().run()}>
        <span style={{ fontFamily: "monospace" }}>{"</>"}</span>
      </ToolButton>
      <span className="tk-sep" aria-hidden="true" />
      <ToolButton label="Bullet list" pressed={marks.bullet} onClick={() => chain().toggleBulletList().run()}>
        •≡
      </ToolButton>
      <ToolButton label="Numbered list" pressed={marks.ordered} onClick={() => chain().toggleOrderedList().run()}>
        1.
      </ToolButton>
      <ToolButton label="Quote" pressed={marks.quote} onClick={() => chain().toggleBlockquote().run()}>
        ❝
      </ToolButton>
      <ToolButton label="Link" pressed={marks.link} onClick={link}>
        <svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
          <path d="M10 13a5 5 0 0 0 7.54.54l3-3a5 5 0 0 0-7.07-7.07l-1.72 1.71" />
          <path d="M14 11a5 5 0 0 0-7.54-.54l-3 3a5 5 0 0 0 7.07 7.07l1.71-1.71" />
        </svg>
      </ToolButton>
      {hasCommands ? (
        <>
          <span className="tk-sep" aria-hidden="true" />
          <ToolButton label="Canned replies and macros" pressed={false} onClick={() => chain().insertContent(" /").run()}>
            / Replies
          </ToolButton>
        </>
      ) : null}
    </div>
  );
}

function MentionList({ suggest, index, choose }) {
  if (!suggest || !suggest.items.length) return null;
  const rect = suggest.rect ? suggest.rect() : null;
  const style = rect ? { left: rect.left, top: rect.bottom + 4 } : { display: "none" };
  return (
    <div
      className="tk-mentions"
      role="listbox"
      aria-label={suggest.kind === "command" ? "Canned replies and macros" : "People to mention"}
      style={style}
    >
      {suggest.items.map((item, i) => (
        <button
          type="button"
          role="option"
          key={item.id}
          aria-selected={i === index ? "true" : "false"}
          onMouseDown={(event) => {
            event.preventDefault();
            choose(i);
          }}
        >
          {suggest.kind === "command" ? item.label : `@${item.label}`}
          {item.hint ? <span className="tk-hint">{item.hint}</span> : null}
        </button>
      ))}
    </div>
  );
}

export function RichEditor({
  content,
  mentionables,
  commands,
  insert,
  clearKey,
  placeholder,
  label,
  onChange,
  onCommand,
  className,
  ...rest
}) {
  const people = useRef(mentionables || []);
  people.current = mentionables || [];
  const menu = useRef(commands || []);
  menu.current = commands || [];
  const runCommand = useRef(onCommand);
  runCommand.current = onCommand;
  const send = useRef(onChange);
  send.current = onChange;
  const timer = useRef(null);
  const lastSent = useRef(null);
  const [suggest, setSuggest] = useState(null);
  const [index, setIndex] = useState(0);
  const live = useRef({ suggest: null, index: 0 });
  live.current = { suggest, index };

  const flush = (editor) => {
    clearTimeout(timer.current);
    timer.current = null;
    const html = editor.isEmpty ? "" : editor.getHTML();
    if (html !== lastSent.current && send.current) {
      lastSent.current = html;
      send.current(html);
    }
  };

  const choose = (i) => {
    const current = live.current.suggest;
    const item = current && current.items[i];
    if (!item) return;
    current.command(current.kind === "command" ? item : { id: String(item.id), label: item.label });
  };

  // One popup for both menus: `kind` says which one is open.
  const popup = (kind) => () => ({
    onStart: (props) => {
      setIndex(0);
      setSuggest({ kind, items: props.items, command: props.command, rect: props.clientRect });
    },
    onUpdate: (props) => {
      setIndex(0);
      setSuggest({ kind, items: props.items, command: props.command, rect: props.clientRect });
    },
    onKeyDown: ({ event }) => {
      const { suggest: s, index: i } = live.current;
      if (!s || !s.items.length) return false;
      if (event.key === "ArrowDown") {
        setIndex((i + 1) % s.items.length);
        return true;
      }
      if (event.key === "ArrowUp") {
        setIndex((i - 1 + s.items.length) % s.items.length);
        return true;
      }
      if (event.key === "Enter" || event.key === "Tab") {
        choose(i);
        return true;
      }
      if (event.key === "Escape") {
        setSuggest(null);
        return true;
      }
      return false;
    },
    onExit: () => setSuggest(null),
  });

  const editor = useEditor({
    immediatelyRender: false,
    extensions: [
      StarterKit.configure({ link: false, underline: false, heading: { levels: [2, 3] } }),
      Link.configure({ openOnClick: false, autolink: true, protocols: ["mailto"] }),
      Mention.configure({
        HTMLAttributes: { class: "mention" },
        suggestion: {
          char: "@",
          items: ({ query }) =>
            people.current
              .filter((p) => p.label.toLowerCase().includes(query.toLowerCase()))
              .slice(0, 8),
          render: popup("mention"),
        },
      }),
      SlashCommands.configure({
        suggestion: {
          char: "/",
          items: ({ query }) =>
            menu.current.filter((c) => c.label.toLowerCase().includes(query.toLowerCase())).slice(0, 10),
          command: ({ editor: e, range, props }) => {
            e.chain().focus().deleteRange(range).run();
            if (runCommand.current) runCommand.current(props.id);
          },
          render: popup("command"),
        },
      }),
    ],
    content: content || "",
    editorProps: {
      attributes: {
        role: "textbox",
        "aria-multiline": "true",
        "aria-label": label || "Comment",
        "data-placeholder": placeholder || "",
      },
    },
    onUpdate: ({ editor: e }) => {
      if (timer.current) return;
      timer.current = setTimeout(() => flush(e), THROTTLE_MS);
    },
    onBlur: ({ editor: e }) => flush(e),
  });

  // The placeholder is drawn from the first empty paragraph's data attribute.
  useEffect(() => {
    if (!editor) return undefined;
    const mark = () => {
      const first = editor.view.dom.firstElementChild;
      editor.view.dom.querySelectorAll(".is-editor-empty").forEach((el) => el.classList.remove("is-editor-empty"));
      if (editor.isEmpty && first) {
        first.classList.add("is-editor-empty");
        first.setAttribute("data-placeholder", placeholder || "");
      }
    };
    mark();
    editor.on("update", mark);
    return () => editor.off("update", mark);
  }, [editor, placeholder]);

  const firstClear = useRef(true);
  useEffect(() => {
    if (firstClear.current) {
      firstClear.current = false;
      return;
    }
    if (editor) {
      clearTimeout(timer.current);
      timer.current = null;
      editor.commands.clearContent(true);
      lastSent.current = "";
    }
  }, [clearKey]);

  const insertKey = insert ? insert.key : 0;
  const firstInsert = useRef(true);
  useEffect(() => {
    if (firstInsert.current) {
      firstInsert.current = false;
      return;
    }
    if (editor && insert && insert.html) {
      editor.chain().focus().insertContent(insert.html).run();
      flush(editor);
    }
  }, [insertKey]);

  useEffect(() => () => clearTimeout(timer.current), []);

  return (
    <div {...rest} className={className ? `tk-rich ${className}` : "tk-rich"}>
      <style>{CSS}</style>
      <Toolbar editor={editor} hasCommands={(commands || []).length > 0} />
      <EditorContent editor={editor} />
      <MentionList suggest={suggest} index={index} choose={choose} />
    </div>
  );
}
