/** Opaque cursors: the sort position of the last item returned. */
import { badRequest } from "./errors.ts";

export interface CursorPosition {
  /** Sort value of the last item. */
  v: string | number;
  /** Its id, to break ties. */
  i: string;
}

export const encodeCursor = (pos: CursorPosition) => Buffer.from(JSON.stringify(pos)).toString("base64url");

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const pos = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as CursorPosition;
    if ((typeof pos.v === "string" || typeof pos.v === "number") && typeof pos.i === "string") return pos;
  } catch {
    /* fall through */
  }
  throw badRequest("invalid cursor");
}

/** Compares (value, id) pairs. */
export function comparePosition(a: CursorPosition, b: CursorPosition): number {
  if (a.v < b.v) return -1;
  if (a.v > b.v) return 1;
  return a.i < b.i ? -1 : a.i > b.i ? 1 : 0;
}

/**
 * Sorts items, skips those up to the cursor, and cuts a page. `more` tells
 * whether items remain after the page.
 */
export function page<T>(
  items: T[],
  position: (item: T) => CursorPosition,
  order: "asc" | "desc",
  cursor: string | undefined,
  limit: number | undefined,
): { items: T[]; more: boolean; last?: CursorPosition } {
  const sign = order === "asc" ? 1 : -1;
  let sorted = [...items].sort((a, b) => sign * comparePosition(position(a), position(b)));
  if (cursor) {
    const after = decodeCursor(cursor);
    sorted = sorted.filter((item) => sign * comparePosition(position(item), after) > 0);
  }
  const pageItems = limit === undefined ? sorted : sorted.slice(0, limit);
  const last = pageItems.length ? position(pageItems[pageItems.length - 1]!) : undefined;
  return { items: pageItems, more: sorted.length > pageItems.length, last };
}
