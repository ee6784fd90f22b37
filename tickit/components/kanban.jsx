// Glue for @dnd-kit (hook-based): a Kanban board of columns (one SortableContext each) and ticket cards.
// Pointer drag, or keyboard: focus a card, Space to lift, arrows to move between columns and cards, Space to drop.
// Props: columns = [{key, name, color, count, cards: [{number, title, priority, assignee_name, created, field_values}]}],
// legalMoves = {status: [targets]}, revision, hrefPrefix ("/tickets/"), showStep, priorities ({priority: {label,
// color}}, from tickit/labels.py), onMove({number, to_status, after, before}), onShowMore(columnKey).
// A column holds its first cards only (the server sends a window; its count stays complete) and a "Show N more"
// button asks the server for more: thousands of sortable cards take seconds to mount.
// A drop within a column or on a legal one is drawn at once, ahead of the server; a drop on another column is only
// reported. Whenever the server answers (a new revision or other cards) the board shows the server's order again,
// so a refused drop snaps back. The board fills the width it is given and the height left in the window: it scrolls
// sideways with its scrollbar always in view (each column scrolls its own cards), with a fade and a button at an edge
// that has more columns beyond it. A column can be collapsed to a narrow strip (still a drop target); a column the
// server marks `folded` starts collapsed.
import React, { createContext, memo, useCallback, useContext, useEffect, useMemo, useRef, useState } from "react";
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  closestCorners,
  pointerWithin,
  useDroppable,
  useSensor,
  useSensors,
} from "@dnd-kit/core";
import {
  SortableContext,
  arrayMove,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from "@dnd-kit/sortable";
import { CSS } from "@dnd-kit/utilities";
// Shared assets land in a folder per Python module (public/external/tickit/components/<module>/).
import { LocalTime } from "../local_time/local_time.jsx";

const COLUMN_PREFIX = "column:";
// How each priority reads and looks: the `priorities` prop, given to every card without passing it down each level.
const PriorityBadges = createContext({});
const NO_CARDS = [];
const NO_BADGES = {};
const COLUMN_WIDTH = 272;
const FOLDED_WIDTH = 44;
const COLUMN_GAP = 12;
const MIN_BOARD_HEIGHT = 320;
const PAGE_BOTTOM_GAP = 32; // the page's own bottom padding, below the board
// dnd-kit's default auto-scroll races across a wide board as soon as a card nears an edge; at a fifth of the speed,
// starting closer to the edge, a column can be aimed at while the board slides.
const THIN_SCROLLBAR = { scrollbarWidth: "thin", scrollbarColor: "var(--gray-a8) transparent" };
const AUTO_SCROLL = { acceleration: 2, interval: 10, threshold: { x: 0.12, y: 0.15 } };

// Only shift cards inside the column the card came from; other columns show the drop by their highlight.
const withinOneColumn = (args) =>
  args.activeIndex < 0 || args.overIndex < 0 ? null : verticalListSortingStrategy(args);

// The pointer picks the card (or else the column) it is over; the keyboard has no pointer, so corners decide.
function collisions(args) {
  const within = pointerWithin(args);
  if (within.length) {
    const cards = within.filter((hit) => !String(hit.id).startsWith(COLUMN_PREFIX));
    return cards.length ? cards : within;
  }
  return closestCorners(args);
}

// Up and down move a lifted card past the cards of its column: among the drop targets above or below it only the
// cards count, or the column itself (whose box holds them all) would often be nearest, and the card would not move.
function keyboardCoordinates(event, args) {
  if (event.code !== "ArrowUp" && event.code !== "ArrowDown") return sortableKeyboardCoordinates(event, args);
  const all = args.context.droppableContainers;
  const cards = {
    getEnabled: () => all.getEnabled().filter((entry) => !String(entry.id).startsWith(COLUMN_PREFIX)),
    get: (id) => all.get(id),
  };
  return sortableKeyboardCoordinates(event, { ...args, context: { ...args.context, droppableContainers: cards } });
}

// Every server answer brings new card objects; a card whose content is the same is not drawn again.
const sameCard = (a, b) =>
  a === b ||
  (a.number === b.number &&
    a.title === b.title &&
    a.priority === b.priority &&
    a.assignee_name === b.assignee_name &&
    a.created === b.created &&
    JSON.stringify(a.sla) === JSON.stringify(b.sla) &&
    JSON.stringify(a.field_values) === JSON.stringify(b.field_values));

const CardBody = memo(function CardBody({ card }) {
  const badge = useContext(PriorityBadges)[card.priority] || { label: card.priority, color: "gray" };
  return (
    <>
      <div style={{ display: "flex", alignItems: "center", gap: "6px", marginBottom: "4px" }}>
        <span style={{ fontSize: "var(--font-size-1)", fontWeight: 600, color: "var(--gray-11)" }}>{card.number}</span>
        <span
          style={{
            fontSize: "11px",
            lineHeight: "16px",
            padding: "0 6px",
            borderRadius: "999px",
            background: `var(--${badge.color}-a3)`,
            color: `var(--${badge.color}-12)`,
            fontWeight: 500,
          }}
        >
          {badge.label}
        </span>
        <LocalTime
          iso={card.created}
          style={{ marginLeft: "auto", fontSize: "var(--font-size-1)", color: "var(--gray-11)", whiteSpace: "nowrap" }}
        />
      </div>
      <div
        style={{
          fontSize: "var(--font-size-2)",
          lineHeight: "var(--line-height-2)",
          fontWeight: 500,
          color: "var(--gray-12)",
          overflowWrap: "anywhere",
        }}
      >
        {card.title}
      </div>
      {(card.field_values || []).length > 0 && (
        <div style={{ display: "flex", flexWrap: "wrap", gap: "4px", marginTop: "6px" }}>
          {card.field_values.map(([label, value]) => (
            <span
              key={label}
              data-chip={label}
              title={`${label}: ${value}`}
              style={{
                fontSize: "11px",
                lineHeight: "16px",
                padding: "0 6px",
                borderRadius: "var(--radius-2)",
                background: "var(--gray-a3)",
                color: "var(--gray-11)",
                maxWidth: "100%",
                overflow: "hidden",
                textOverflow: "ellipsis",
                whiteSpace: "nowrap",
              }}
            >
              <span style={{ color: "var(--gray-11)" }}>{label}:</span> {value}
            </span>
          ))}
        </div>
      )}
      <div style={{ display: "flex", alignItems: "center", gap: "6px", marginTop: "8px" }}>
        {card.assignee_name ? (
          <>
            <span
              aria-hidden="true"
              style={{
                width: "18px",
                height: "18px",
                borderRadius: "50%",
                background: "var(--accent-a4)",
                color: "var(--accent-11)",
                fontSize: "10px",
                fontWeight: 600,
                display: "inline-flex",
                alignItems: "center",
                justifyContent: "center",
              }}
            >
              {initials(card.assignee_name)}
            </span>
            <span style={{ fontSize: "var(--font-size-1)", color: "var(--gray-11)" }}>{card.assignee_name}</span>
          </>
        ) : (
          <span style={{ fontSize: "var(--font-size-1)", color: "var(--gray-11)", fontStyle: "italic" }}>Unassigned</span>
        )}
        {card.sla && card.sla.sla_text && (
          <span
            title={`SLA · ${card.sla.sla_detail}`}
            aria-label={`SLA: ${card.sla.sla_text}`}
            style={{
              marginLeft: "auto",
              fontSize: "11px",
              lineHeight: "16px",
              padding: "0 6px",
              borderRadius: "999px",
              background: `var(--${card.sla.sla_color}-a3)`,
              color: `var(--${card.sla.sla_color}-12)`, // step 11 on the tint is under 4.5:1 at 11 px
              fontWeight: 500,
              whiteSpace: "nowrap",
            }}
          >
            {card.sla.sla_text}
          </span>
        )}
      </div>
    </>
  );
}, (before, after) => sameCard(before.card, after.card));

function initials(name) {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((part) => part[0].toUpperCase())
    .join("");
}

function cardStyle(extra) {
  return {
    display: "block",
    padding: "10px 12px",
    borderRadius: "var(--radius-3)",
    border: "1px solid var(--gray-a5)",
    background: "var(--color-panel-solid)",
    boxShadow: "0 1px 2px var(--gray-a3)",
    color: "inherit",
    textDecoration: "none",
    ...extra,
  };
}

function cardLabel(card) {
  const who = card.assignee_name ? `assigned to ${card.assignee_name}` : "unassigned";
  return `${card.number} ${card.title}, ${card.priority} priority, ${who}`;
}

const SortableCard = memo(function SortableCard({ card, column, href, dragged }) {
  const { attributes, listeners, setNodeRef, transform, transition, isDragging } = useSortable({
    id: card.number,
    data: { column },
    attributes: { roleDescription: "draggable ticket" },
  });
  return (
    <li ref={setNodeRef} style={{ transform: CSS.Transform.toString(transform), transition, listStyle: "none" }}>
      <a
        href={href}
        draggable={false}
        data-ticket={card.number}
        aria-label={cardLabel(card)}
        onClick={(event) => {
          // The click that ends a pointer drag must not open the ticket.
          if (dragged.current) {
            event.preventDefault();
            dragged.current = false;
          }
        }}
        style={cardStyle({
          opacity: isDragging ? 0.4 : 1,
          cursor: isDragging ? "grabbing" : "grab",
          touchAction: "none",
          outlineOffset: "2px",
        })}
        {...attributes}
        {...listeners}
      >
        <CardBody card={card} />
      </a>
    </li>
  );
}, (before, after) =>
  sameCard(before.card, after.card) && before.column === after.column && before.href === after.href &&
  before.dragged === after.dragged);

function ToggleButton({ column, collapsed, onToggle }) {
  return (
    <button
      type="button"
      aria-expanded={!collapsed}
      aria-label={`${collapsed ? "Expand" : "Collapse"} ${column.name}`}
      title={collapsed ? `Show the ${column.name} column` : `Collapse the ${column.name} column`}
      onClick={() => onToggle(column.key)}
      style={{
        display: "inline-flex",
        alignItems: "center",
        justifyContent: "center",
        width: "24px",
        height: "24px",
        flex: "0 0 24px",
        border: "none",
        borderRadius: "var(--radius-2)",
        background: "transparent",
        color: "var(--gray-11)",
        cursor: "pointer",
        fontSize: "16px",
        lineHeight: 1,
      }}
    >
      {collapsed ? "\u00bb" : "\u00ab"}
    </button>
  );
}

const BoardColumn = memo(function BoardColumn({
  column,
  order,
  cardById,
  step,
  onShowMore,
  state,
  href,
  dragged,
  collapsed,
  onToggle,
}) {
  const { setNodeRef, isOver } = useDroppable({ id: COLUMN_PREFIX + column.key, data: { column: column.key } });
  // A drop drawn ahead of the server has already changed this column's count by the cards it gained or lost.
  const count = column.count + order.length - column.cards.length;
  const hidden = Math.max(count - order.length, 0);
  // "Show more" waits for the server; the button says so until the server's next answer.
  const [asked, setAsked] = useState(false);
  useEffect(() => setAsked(false), [column]);
  const accent = `var(--${column.color || "gray"}-9)`;
  const legal = state === "legal";
  const dimmed = state === "illegal";
  const label = `${column.name} column, ${count} ${count === 1 ? "ticket" : "tickets"}`;
  const frame = {
    borderRadius: "var(--radius-4)",
    background: legal ? (isOver ? "var(--accent-a4)" : "var(--accent-a2)") : "var(--gray-a2)",
    border: legal ? "2px dashed var(--accent-8)" : "2px solid transparent",
    opacity: dimmed ? 0.45 : 1,
    transition: "opacity 120ms, background 120ms",
  };
  if (collapsed) {
    // A strip with the name written downwards: still a drop target, and one click from open.
    return (
      <section
        ref={setNodeRef}
        role="region"
        aria-label={label}
        data-column={column.key}
        data-collapsed="true"
        data-drop={state || "idle"}
        style={{
          ...frame,
          flex: `0 0 ${FOLDED_WIDTH}px`,
          width: `${FOLDED_WIDTH}px`,
          alignSelf: "stretch",
          display: "flex",
          flexDirection: "column",
          alignItems: "center",
          gap: "8px",
          padding: "8px 0",
          cursor: "pointer",
        }}
        onClick={(event) => {
          if (event.target === event.currentTarget) onToggle(column.key);
        }}
      >
        <ToggleButton column={column} collapsed onToggle={onToggle} />
        <span aria-hidden="true" style={{ width: "8px", height: "8px", borderRadius: "50%", background: accent }} />
        <span
          aria-hidden="true"
          style={{
            fontSize: "var(--font-size-1)",
            fontWeight: 500,
            color: "var(--gray-11)",
            background: "var(--gray-a3)",
            borderRadius: "999px",
            padding: "0 6px",
          }}
        >
          {count}
        </span>
        <span
          aria-hidden="true"
          onClick={() => onToggle(column.key)}
          style={{
            writingMode: "vertical-rl",
            fontSize: "var(--font-size-2)",
            fontWeight: 600,
            color: "var(--gray-12)",
            whiteSpace: "nowrap",
          }}
        >
          {column.name}
        </span>
      </section>
    );
  }
  return (
    <section
      ref={setNodeRef}
      role="region"
      aria-label={label}
      data-column={column.key}
      data-collapsed="false"
      data-drop={state || "idle"}
      style={{
        ...frame,
        flex: `0 0 ${COLUMN_WIDTH}px`,
        width: `${COLUMN_WIDTH}px`,
        maxHeight: "100%",
        display: "flex",
        flexDirection: "column",
        gap: "8px",
        padding: "10px 4px 10px 10px",
        minHeight: "160px",
      }}
    >
      <header style={{ display: "flex", alignItems: "center", gap: "8px", padding: "2px 6px 4px 4px" }}>
        <span aria-hidden="true" style={{ width: "8px", height: "8px", borderRadius: "50%", background: accent }} />
        <span style={{ fontSize: "var(--font-size-2)", fontWeight: 600, color: "var(--gray-12)" }}>{column.name}</span>
        <span
          aria-hidden="true"
          style={{
            marginLeft: "auto",
            fontSize: "var(--font-size-1)",
            fontWeight: 500,
            color: "var(--gray-11)",
            background: "var(--gray-a3)",
            borderRadius: "999px",
            padding: "0 8px",
          }}
        >
          {count}
        </span>
        <ToggleButton column={column} collapsed={false} onToggle={onToggle} />
      </header>
      {/* The cards scroll within the column, so the board's sideways scrollbar stays in view. */}
      <div style={{ overflowY: "auto", minHeight: 0, flex: "1 1 auto", paddingRight: "6px", ...THIN_SCROLLBAR }}>
      <SortableContext items={order} strategy={withinOneColumn}>
        <ul style={{ margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: "8px" }}>
          {order.map((number) => {
            const card = cardById[number];
            return card ? (
              <SortableCard key={number} card={card} column={column.key} href={href + number} dragged={dragged} />
            ) : null;
          })}
        </ul>
      </SortableContext>
      {hidden > 0 && (
        <button
          type="button"
          data-more={hidden}
          disabled={asked}
          onClick={() => {
            setAsked(true);
            onShowMore(column.key);
          }}
          style={{
            font: "inherit",
            fontSize: "var(--font-size-1)",
            fontWeight: 500,
            color: "var(--accent-11)",
            background: "var(--accent-a3)",
            border: "none",
            borderRadius: "var(--radius-3)",
            padding: "6px 8px",
            cursor: asked ? "progress" : "pointer",
          }}
        >
          {asked ? "Loading more…" : `Show ${Math.min(step, hidden)} more (${hidden} not shown)`}
        </button>
      )}
      {count === 0 && (
        <div
          style={{
            fontSize: "var(--font-size-1)",
            color: "var(--gray-11)",
            textAlign: "center",
            padding: "16px 0",
            border: "1px dashed var(--gray-a6)",
            borderRadius: "var(--radius-3)",
          }}
        >
          No tickets
        </div>
      )}
      </div>
    </section>
  );
});

// A fade over the edge the board continues beyond, with a button that scrolls one column that way.
function EdgeCue({ side, onClick }) {
  const right = side === "right";
  return (
    <div
      aria-hidden="true"
      data-edge-cue={side}
      style={{
        position: "absolute",
        top: 0,
        bottom: "12px",
        [side]: 0,
        width: "56px",
        pointerEvents: "none",
        background: `linear-gradient(to ${right ? "right" : "left"}, transparent, var(--gray-1) 85%)`,
      }}
    >
      <button
        type="button"
        tabIndex={-1}
        title={right ? "More columns to the right" : "More columns to the left"}
        onClick={onClick}
        style={{
          position: "sticky",
          top: "45vh",
          marginTop: "48px",
          [right ? "marginLeft" : "marginRight"]: "auto",
          display: "flex",
          alignItems: "center",
          justifyContent: "center",
          width: "32px",
          height: "32px",
          borderRadius: "50%",
          border: "1px solid var(--gray-a6)",
          background: "var(--color-panel-solid)",
          boxShadow: "0 2px 8px var(--gray-a5)",
          color: "var(--gray-12)",
          cursor: "pointer",
          pointerEvents: "auto",
          fontSize: "18px",
          lineHeight: 1,
        }}
      >
        {right ? "\u203a" : "\u2039"}
      </button>
    </div>
  );
}

export function Kanban(props) {
  const { columns, legalMoves, revision, hrefPrefix, showStep, priorities, onMove, onShowMore, ...rest } = props;
  const incoming = columns || [];
  const moves = legalMoves || {};
  const href = hrefPrefix || "/tickets/";
  const step = showStep || 50;
  const signature =
    String(revision) + "|" + incoming.map((c) => c.key + ":" + c.cards.map((card) => card.number).join(",")).join("|");
  // A column whose cards did not change keeps its list, so its cards are not drawn again.
  const previousOrder = useRef({});
  const serverOrder = useMemo(() => {
    const next = Object.fromEntries(
      incoming.map((c) => {
        const numbers = c.cards.map((card) => card.number);
        const before = previousOrder.current[c.key];
        const same = before && before.length === numbers.length && before.every((n, i) => n === numbers[i]);
        return [c.key, same ? before : numbers];
      }),
    );
    previousOrder.current = next;
    return next;
  }, [signature]);
  // The order drawn ahead of the server, for the server's answer it was drawn on: any newer answer replaces it.
  const [local, setLocal] = useState(null);
  const order = local && local.signature === signature ? local.order : serverOrder;
  const setOrder = (next) => setLocal({ signature, order: next });
  const [activeId, setActiveId] = useState(null);
  const dragged = useRef(false);
  const showMore = useCallback((key) => onShowMore && onShowMore(key), [onShowMore]);
  const scroller = useRef(null);
  const [edges, setEdges] = useState({ left: false, right: false });
  const measureEdges = useCallback(() => {
    const node = scroller.current;
    if (!node) return;
    const left = node.scrollLeft > 1;
    const right = node.scrollLeft + node.clientWidth < node.scrollWidth - 1;
    setEdges((now) => (now.left === left && now.right === right ? now : { left, right }));
  }, []);
  useEffect(() => {
    measureEdges();
    if (typeof ResizeObserver === "undefined" || !scroller.current) return undefined;
    const observer = new ResizeObserver(measureEdges);
    observer.observe(scroller.current);
    return () => observer.disconnect();
  }, [measureEdges, incoming.length]);
  // The board takes the height left in the window, so its scrollbar is never below the fold.
  const [height, setHeight] = useState(null);
  useEffect(() => {
    const fit = () => {
      const node = scroller.current;
      if (!node) return;
      const top = node.getBoundingClientRect().top + window.scrollY;
      setHeight(Math.max(MIN_BOARD_HEIGHT, Math.floor(window.innerHeight - top - PAGE_BOTTOM_GAP)));
    };
    fit();
    window.addEventListener("resize", fit);
    return () => window.removeEventListener("resize", fit);
  }, []);
  // Columns the viewer opened or collapsed; the others follow the server's `folded`.
  const incomingRef = useRef(incoming);
  incomingRef.current = incoming;
  const [toggled, setToggled] = useState({});
  const isCollapsed = (column) => (column.key in toggled ? toggled[column.key] : Boolean(column.folded));
  const toggle = useCallback(
    (key) =>
      setToggled((now) => {
        const column = incomingRef.current.find((c) => c.key === key);
        const collapsed = key in now ? now[key] : Boolean(column && column.folded);
        return { ...now, [key]: !collapsed };
      }),
    [],
  );
  const scrollBy = (direction) =>
    scroller.current && scroller.current.scrollBy({ left: direction * (COLUMN_WIDTH + COLUMN_GAP), behavior: "smooth" });

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    // Enter stays with the link (opens the ticket); Space lifts the card.
    useSensor(KeyboardSensor, {
      coordinateGetter: keyboardCoordinates,
      keyboardCodes: { start: ["Space"], cancel: ["Escape"], end: ["Space", "Enter"] },
    }),
  );

  const columnOf = (id) => {
    if (id == null) return null;
    const text = String(id);
    if (text.startsWith(COLUMN_PREFIX)) return text.slice(COLUMN_PREFIX.length);
    return Object.keys(order).find((key) => (order[key] || []).includes(text)) || null;
  };
  const columnName = (key) => (incoming.find((c) => c.key === key) || { name: key }).name;
  // By number across columns: a card drawn in its new column before the server answers keeps its data.
  const cardById = useMemo(() => {
    const found = {};
    incoming.forEach((c) => c.cards.forEach((card) => (found[card.number] = card)));
    return found;
  }, [incoming]);

  const fromColumn = columnOf(activeId);
  const targets = fromColumn ? moves[fromColumn] || [] : [];
  const stateOf = (key) => {
    if (!activeId || key === fromColumn) return "";
    return targets.includes(key) ? "legal" : "illegal";
  };

  const handleDragStart = ({ active }) => {
    dragged.current = true;
    setActiveId(active.id);
  };

  const handleDragCancel = () => {
    setActiveId(null);
    setTimeout(() => (dragged.current = false), 100);
  };

  const handleDragEnd = ({ active, over }) => {
    setActiveId(null);
    setTimeout(() => (dragged.current = false), 100);
    if (!over) return;
    const from = columnOf(active.id);
    const to = columnOf(over.id);
    if (!from || !to) return;
    const number = String(active.id);
    const overIsCard = !String(over.id).startsWith(COLUMN_PREFIX);
    if (from === to) {
      if (!overIsCard || over.id === active.id) return;
      const list = order[from];
      const next = arrayMove(list, list.indexOf(number), list.indexOf(String(over.id)));
      const at = next.indexOf(number);
      setOrder({ ...order, [from]: next }); // a reorder within a column is shown at once
      if (onMove) onMove({ number, to_status: to, after: next[at - 1] ?? null, before: next[at + 1] ?? null });
      return;
    }
    const list = order[to] || [];
    let index = list.length;
    if (overIsCard) {
      const dropped = active.rect.current.translated;
      const middle = over.rect.top + over.rect.height / 2;
      const below = dropped ? dropped.top + dropped.height / 2 > middle : false;
      index = list.indexOf(String(over.id)) + (below ? 1 : 0);
    }
    if ((moves[from] || []).includes(to)) {
      // Drawn in its new place now; the server's answer confirms it, or puts it back with a message.
      const joined = [...list.slice(0, index), number, ...list.slice(index)];
      setOrder({ ...order, [from]: order[from].filter((n) => n !== number), [to]: joined });
    }
    if (onMove) onMove({ number, to_status: to, after: list[index - 1] ?? null, before: list[index] ?? null });
  };

  const describe = (id) => {
    const card = cardById[id];
    return card ? `${card.number} ${card.title}` : String(id);
  };
  const where = (overId) => {
    const key = columnOf(overId);
    const name = `${columnName(key)} column`;
    if (!fromColumn || key === fromColumn) return name;
    return targets.includes(key) ? name : `${name}, which it cannot move to`;
  };
  const announcements = {
    onDragStart: ({ active }) => {
      const from = columnOf(active.id);
      const legal = (moves[from] || []).map(columnName);
      return (
        `Picked up ${describe(active.id)} in ${columnName(from)}. ` +
        (legal.length ? `It can move to: ${legal.join(", ")}.` : "It cannot move to another column.")
      );
    },
    onDragOver: ({ active, over }) => {
      if (!over) return `${describe(active.id)} is no longer over a column.`;
      if (over.id === active.id) return undefined;
      return `${describe(active.id)} is over ${where(over.id)}.`;
    },
    onDragEnd: ({ active, over }) =>
      over ? `${describe(active.id)} was dropped in ${where(over.id)}.` : `${describe(active.id)} was dropped.`,
    onDragCancel: ({ active }) => `Moving ${describe(active.id)} was cancelled.`,
  };
  const screenReaderInstructions = {
    draggable:
      "To move a ticket, press Space to pick it up. Use the arrow keys to move it to another column " +
      "or place in the column, press Space to drop it, or Escape to cancel. Press Enter to open the ticket.",
  };

  const activeCard = activeId ? cardById[activeId] : null;
  return (
    <PriorityBadges.Provider value={priorities || NO_BADGES}>
      <DndContext
        sensors={sensors}
        autoScroll={AUTO_SCROLL}
        collisionDetection={collisions}
        onDragStart={handleDragStart}
        onDragEnd={handleDragEnd}
        onDragCancel={handleDragCancel}
        accessibility={{ announcements, screenReaderInstructions }}
      >
        <div style={{ position: "relative" }}>
          <div
            {...rest}
            ref={scroller}
            onScroll={measureEdges}
            data-scroll-left={edges.left ? "more" : "end"}
            data-scroll-right={edges.right ? "more" : "end"}
            style={{
              display: "flex",
              gap: `${COLUMN_GAP}px`,
              alignItems: "flex-start",
              overflowX: "auto",
              overflowY: "hidden",
              height: height ? `${height}px` : undefined,
              paddingBottom: "12px",
              // A full-width scrollbar with a visible track: thin overlay scrollbars went unnoticed.
              scrollbarWidth: "auto",
              scrollbarColor: "var(--gray-a9) var(--gray-a3)",
            }}
          >
            {incoming.map((column) => (
              <BoardColumn
                key={column.key}
                column={column}
                order={order[column.key] || NO_CARDS}
                cardById={cardById}
                step={step}
                onShowMore={showMore}
                state={stateOf(column.key)}
                href={href}
                dragged={dragged}
                collapsed={isCollapsed(column)}
                onToggle={toggle}
              />
            ))}
          </div>
          {edges.left && <EdgeCue side="left" onClick={() => scrollBy(-1)} />}
          {edges.right && <EdgeCue side="right" onClick={() => scrollBy(1)} />}
        </div>
        <DragOverlay dropAnimation={null}>
          {activeCard ? (
            <div style={cardStyle({ width: "248px", cursor: "grabbing", boxShadow: "0 8px 24px var(--gray-a6)" })}>
              <CardBody card={activeCard} />
            </div>
          ) : null}
        </DragOverlay>
      </DndContext>
    </PriorityBadges.Provider>
  );
}
