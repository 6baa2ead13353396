import { useCallback, useEffect, useState } from "react";
import { FOLLOW_MS, PATIENCE_MS } from "../../app/follow";
import { useAppSelector } from "../../app/store";

export { FOLLOW_MS };

/** Groups are the APIs' cohorts; admins manage every one, a teacher their own. */
export function useGroupsPath(): string {
  const role = useAppSelector((s) => s.auth.user?.role);
  return role === "admin" ? "/admin/groups" : "/teacher/groups";
}

/**
 * The answers of the commands this page sent, kept until the read model shows their versions
 * (the page then forgets them) or for PATIENCE_MS at most: the page shows them meanwhile and
 * polls the read model while `behind`.
 */
export function useApplied<T extends { cohort_id: string; version: number }>(
  shown: { cohort_id: string; version: number }[] | undefined,
) {
  const [applied, setApplied] = useState<T[]>([]);
  const caughtUp = (a: T) =>
    shown?.some((s) => s.cohort_id === a.cohort_id && s.version >= a.version) ?? false;
  const waiting = applied.filter((a) => !caughtUp(a));
  useEffect(() => {
    if (!applied.length) return;
    const timer = setTimeout(() => setApplied([]), PATIENCE_MS);
    return () => clearTimeout(timer);
  }, [applied]);
  const add = useCallback((answer: T) => setApplied((all) => [...all, answer]), []);
  return { waiting, behind: waiting.length > 0, add };
}
