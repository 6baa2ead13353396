// Unsent saves in IndexedDB (idb-keyval: a small, well-kept key-value wrapper), one entry per
// attempt, so answers typed while offline outlive a closed tab, a reload or a crash.
import { del, get, set } from "idb-keyval";
import type { Pending, UnsentStore } from "./saves";

export function unsentStore(attemptId: string): UnsentStore {
  const key = `soems.unsent.${attemptId}`;
  return {
    load: async () => ((await get(key)) as Pending[] | undefined) ?? [],
    // async: a browser without IndexedDB throws at once, and that must reject, not throw.
    keep: async (unsent) => (unsent.length ? set(key, unsent) : del(key)),
  };
}
