// The exam page's live channel (query API, `/v1/attempts/{id}/live`): the server says when
// the attempt changed (an extension, a pause, the deadline's submission) and the page reads
// it again through the ordinary route. Polling stays as the fallback while it is down.
import { useCallback, useEffect, useRef } from "react";
import { channelUrl, useLiveChannel } from "../liveChannel";

/** What the page must follow at once: its own saves it knows already. */
export type AttemptClock = { status: string; deadline: string; paused_at?: string | null };

export type LiveMessage =
  | ({ type: "ready"; version: number; server_time: string } & AttemptClock)
  | ({ type: "changed"; version: number } & AttemptClock)
  | { type: "resync" }
  | { type: "heartbeat"; server_time: string };

function moment(iso: string | null | undefined): number | null {
  return iso ? new Date(iso).getTime() : null;
}

/** Whether the server's clock of the attempt differs from the one the page shows. */
export function clockMoved(shown: AttemptClock, told: AttemptClock): boolean {
  return (
    shown.status !== told.status ||
    moment(shown.deadline) !== moment(told.deadline) ||
    moment(shown.paused_at) !== moment(told.paused_at)
  );
}

export { retryDelay } from "../liveChannel";

export function liveUrl(attemptId: string, origin: string = globalThis.location.origin): string {
  return channelUrl(`/v1/attempts/${encodeURIComponent(attemptId)}/live`, origin);
}

/**
 * Calls `reread` whenever the server says the attempt's clock (deadline, pause, status)
 * moved from `shown`, or that it may have; `onOpen` when the channel opens or closes.
 */
export function useAttemptLive({
  attemptId,
  shown,
  reread,
  onOpen,
  enabled = true,
}: {
  attemptId: string;
  shown: AttemptClock;
  reread: () => unknown;
  onOpen: (open: boolean) => void;
  enabled?: boolean;
}): void {
  const known = useRef({ shown, reread });
  useEffect(() => {
    known.current = { shown, reread };
  }, [shown, reread]);
  const onMessage = useCallback((message: LiveMessage) => {
    const moved =
      message.type === "resync" ||
      ((message.type === "ready" || message.type === "changed") &&
        clockMoved(known.current.shown, message));
    if (moved) known.current.reread();
  }, []);
  useLiveChannel<LiveMessage>({
    path: `/v1/attempts/${encodeURIComponent(attemptId)}/live`,
    onMessage,
    onOpen,
    enabled,
  });
}
