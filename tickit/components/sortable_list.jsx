// Glue for @dnd-kit (hook-based): a vertical list whose rows are dragged by a handle.
// Mouse/touch drag with the pointer, or keyboard: focus a handle, Space to lift, arrows to move, Space to drop.
// Props: items = [{key, label, archived?}] (archived items are left out), onReorder(keys) with the new order.
import React, { useEffect, useState } from "react";
import {
  DndContext,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
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

function SortableRow({ item }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } =
    useSortable({ id: item.key });
  const style = {
    transform: CSS.Transform.toString(transform),
    transition,
    display: "flex",
    alignItems: "center",
    gap: "8px",
    padding: "4px 8px",
    borderRadius: "6px",
    border: "1px solid var(--gray-a5)",
    background: isDragging ? "var(--accent-a3)" : "var(--color-panel-solid)",
    position: "relative",
    zIndex: isDragging ? 1 : "auto",
  };
  return (
    <li ref={setNodeRef} style={style} data-key={item.key} data-sortable-item="">
      <button
        type="button"
        ref={setActivatorNodeRef}
        aria-label={`Drag ${item.label}`}
        style={{
          cursor: isDragging ? "grabbing" : "grab",
          touchAction: "none",
          border: "none",
          background: "transparent",
          padding: "2px 4px",
          color: "var(--gray-11)",
          display: "inline-flex",
        }}
        {...attributes}
        {...listeners}
      >
        <svg width="12" height="16" viewBox="0 0 12 16" fill="currentColor" aria-hidden="true">
          {[3, 8, 13].map((cy) => [3, 9].map((cx) => <circle key={`${cx}-${cy}`} cx={cx} cy={cy} r="1.5" />))}
        </svg>
      </button>
      <span style={{ fontSize: "var(--font-size-2)" }}>{item.label}</span>
    </li>
  );
}

export function SortableList({ items, onReorder, ...rest }) {
  const incoming = (items || []).filter((item) => !item.archived);
  const [order, setOrder] = useState(incoming);
  const signature = incoming.map((item) => `${item.key}\u0000${item.label}`).join("\u0001");
  useEffect(() => setOrder(incoming), [signature]); // follow the server's order when it changes

  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 5 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );

  const handleDragEnd = ({ active, over }) => {
    if (!over || active.id === over.id) return;
    const from = order.findIndex((item) => item.key === active.id);
    const to = order.findIndex((item) => item.key === over.id);
    if (from < 0 || to < 0) return;
    const next = arrayMove(order, from, to);
    setOrder(next);
    if (onReorder) onReorder(next.map((item) => item.key));
  };

  // Screen readers hear labels rather than keys.
  const name = (id) => (order.find((item) => item.key === id) || { label: id }).label;
  const announcements = {
    onDragStart: ({ active }) => `Picked up ${name(active.id)}.`,
    onDragOver: ({ active, over }) => {
      if (!over) return `${name(active.id)} is no longer over the list.`;
      if (over.id === active.id) return undefined; // still in place: keep the last announcement
      return `${name(active.id)} is over ${name(over.id)}.`;
    },
    onDragEnd: ({ active, over }) =>
      over ? `${name(active.id)} was dropped over ${name(over.id)}.` : `${name(active.id)} was dropped.`,
    onDragCancel: ({ active }) => `Moving ${name(active.id)} was cancelled.`,
  };

  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={handleDragEnd}
      accessibility={{ announcements }}
    >
      <SortableContext items={order.map((item) => item.key)} strategy={verticalListSortingStrategy}>
        <ul
          {...rest}
          style={{ listStyle: "none", margin: 0, padding: 0, display: "flex", flexDirection: "column", gap: "4px" }}
        >
          {order.map((item) => (
            <SortableRow key={item.key} item={item} />
          ))}
        </ul>
      </SortableContext>
    </DndContext>
  );
}
