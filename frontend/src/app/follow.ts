import { useEffect, useState } from "react";

// A command answers with the entity's new version; its read models show it a moment later.
// Pages that open right after a command read again until they show that version.

/** How long a page waits for a read model to show what a command answered. */
export const PATIENCE_MS = 15_000;
/** How often it reads again meanwhile. */
export const FOLLOW_MS = 700;

/**
 * The pause before reading again something a command made `sinceMs` ago: as long as it has
 * been waited for already, between 100 ms (a read model is usually ~100 ms behind) and
 * FOLLOW_MS. A student's exam clock runs from Start: the questions should show as soon as
 * they can be read, not up to 0.7 s later.
 */
export function followDelay(sinceMs: number): number {
  return Math.min(FOLLOW_MS, Math.max(100, sinceMs));
}

type Followed = {
  data?: { version: number };
  refetch: () => unknown;
  fulfilledTimeStamp?: number;
};

/**
 * Reads `query` again every FOLLOW_MS while its data shows a version older than `version`,
 * for PATIENCE_MS at most after the page opened (then the page shows what it has). True while
 * the data is still behind.
 */
export function useFollowVersion(query: Followed, version: number): boolean {
  const [patient, setPatient] = useState(true);
  useEffect(() => {
    const timer = setTimeout(() => setPatient(false), PATIENCE_MS);
    return () => clearTimeout(timer);
  }, []);
  const behind = patient && query.data !== undefined && query.data.version < version;
  const { refetch, fulfilledTimeStamp } = query;
  useEffect(() => {
    if (!behind) return;
    const timer = setTimeout(() => void refetch(), FOLLOW_MS);
    return () => clearTimeout(timer);
  }, [behind, refetch, fulfilledTimeStamp]);
  return behind;
}
