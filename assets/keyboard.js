// Keyboard shortcuts. Pages say what a key acts on with data attributes, so this file knows no
// page's layout: list rows carry data-list-row (with data-row-select and data-row-open inside),
// and a control that a key clicks or focuses carries data-shortcut="<key>". Keys never act while
// the person types in a field, an editor, or an open menu or dialog.
(() => {
  "use strict";

  const HELP = [
    ["Anywhere", [["?", "Show or hide these shortcuts"], ["g then l", "Go to the ticket list"], ["g then b", "Go to the board"]]],
    ["Ticket list", [["j / k", "Next / previous ticket"], ["x", "Select the ticket"], ["o or Enter", "Open the ticket"], ["/", "Search"]]],
    ["Ticket", [["r", "Reply"], ["n", "Internal note"], ["a", "Assign to me"], ["s", "Change status"], ["e", "Edit title and description"], ["Ctrl+Enter", "Post, while writing"]]],
  ];
  const CURRENT = "data-kbd-current";
  let pendingG = 0;
  let help = null;

  const shown = (el) => el && el.getClientRects().length > 0;
  const typing = (el) =>
    !!el &&
    (el.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) ||
      !!el.closest('[role="menu"],[role="listbox"],[role="dialog"],[role="alertdialog"],[contenteditable="true"]'));
  const rows = () => [...document.querySelectorAll("[data-list-row]")].filter(shown);
  const target = (key) => [...document.querySelectorAll(`[data-shortcut="${key}"]`)].find(shown);

  function current() {
    const all = rows();
    return { all, index: all.findIndex((row) => row.hasAttribute(CURRENT)) };
  }

  function moveRow(step) {
    const { all, index } = current();
    if (!all.length) return false;
    const next = index < 0 ? (step > 0 ? 0 : all.length - 1) : Math.min(all.length - 1, Math.max(0, index + step));
    all.forEach((row) => row.removeAttribute(CURRENT));
    all[next].setAttribute(CURRENT, "");
    all[next].scrollIntoView({ block: "nearest" });
    return true;
  }

  function inCurrentRow(selector) {
    const { all, index } = current();
    const el = index < 0 ? null : all[index].querySelector(selector);
    if (el) el.click();
    return !!el;
  }

  // The composer's editor, with its internal-note switch set as asked.
  function compose(internal) {
    const toggle = target("n");
    if (!toggle) return false;
    if ((toggle.getAttribute("aria-checked") === "true") !== internal) toggle.click();
    const editor = toggle.closest('[role="group"]')?.querySelector('[contenteditable="true"]');
    if (editor) setTimeout(() => editor.focus(), 50); // after the switch's re-render
    return true;
  }

  function go(path) {
    const link = document.querySelector(`a[href="${path}"]`);
    if (link) link.click();
    else window.location.assign(path);
    return true;
  }

  function toggleHelp() {
    if (help && help.open) {
      help.close();
      return true;
    }
    if (!help) {
      help = document.createElement("dialog");
      help.setAttribute("aria-label", "Keyboard shortcuts");
      help.className = "kbd-help";
      const heading = document.createElement("h2");
      heading.textContent = "Keyboard shortcuts";
      help.append(heading);
      for (const [group, keys] of HELP) {
        const title = document.createElement("h3");
        title.textContent = group;
        const list = document.createElement("dl");
        for (const [key, what] of keys) {
          const term = document.createElement("dt");
          for (const part of key.split(" ")) {
            if (["then", "or", "/"].includes(part)) term.append(` ${part} `);
            else {
              const kbd = document.createElement("kbd");
              kbd.textContent = part;
              term.append(kbd);
            }
          }
          const detail = document.createElement("dd");
          detail.textContent = what;
          list.append(term, detail);
        }
        help.append(title, list);
      }
      const close = document.createElement("button");
      close.type = "button";
      close.textContent = "Close";
      close.addEventListener("click", () => help.close());
      help.append(close);
      help.addEventListener("click", (event) => event.target === help && help.close());
      document.body.append(help);
    }
    help.showModal();
    return true;
  }

  function handle(key) {
    if (pendingG && Date.now() - pendingG < 1500) {
      pendingG = 0;
      if (key === "l") return go("/tickets");
      if (key === "b") return go("/tickets/board");
      return false;
    }
    pendingG = 0;
    switch (key) {
      case "?":
        return toggleHelp();
      case "g":
        pendingG = Date.now();
        return true;
      case "j":
        return moveRow(1);
      case "k":
        return moveRow(-1);
      case "x":
        return inCurrentRow("[data-row-select]");
      case "o":
      case "Enter":
        return inCurrentRow("[data-row-open]");
      case "/": {
        const search = document.querySelector('input[aria-label="Search"]');
        if (search) search.focus();
        return !!search;
      }
      case "r":
        return compose(false);
      case "n":
        return compose(true);
      case "s": {
        const first = target("s")?.querySelector("button");
        if (first) first.focus();
        return !!first;
      }
      case "a":
      case "e": {
        const control = target(key);
        if (control) control.click();
        return !!control;
      }
      default:
        return false;
    }
  }

  // Ctrl+Enter (Cmd+Enter) while writing in a composer posts it. Listened for on the way down
  // (capture): the editor itself takes Ctrl+Enter for a line break and would stop it on the way up.
  document.addEventListener(
    "keydown",
    (event) => {
      if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey) || !event.target.closest) return;
      const send = event.target.closest('[role="group"]')?.querySelector('[data-shortcut="send"]');
      if (!send) return;
      event.preventDefault();
      event.stopPropagation();
      // Blurring first sends what the editor holds (it sends on blur), ahead of the post.
      document.activeElement?.blur();
      send.click();
    },
    true,
  );

  document.addEventListener("keydown", (event) => {
    if (event.defaultPrevented || event.isComposing) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (help && help.open && event.key !== "?") return; // the dialog's own keys (Escape, Tab)
    if (typing(event.target)) return;
    // Enter on a focused link or button is the browser's; only on the page itself does it open the row.
    if (event.key === "Enter" && event.target !== document.body) return;
    if (handle(event.key)) event.preventDefault();
  });

  // A new page starts with no current row.
  const clear = () => document.querySelectorAll(`[${CURRENT}]`).forEach((row) => row.removeAttribute(CURRENT));
  window.addEventListener("popstate", clear);
})();
