// The exam page's live channel (query API, `/v1/attempts/{id}/live`): the server says when
// the attempt changed (an extension, a pause, the deadline's submission) and the page reads
// it again through the ordinary route. Polling stays as the fallback while it is down.
import { useEffect, useRef } from "react";
import { useSelector } from "react-redux";
import type { RootState } from "../../app/store";

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

/** Close codes the server refuses with (the reason names the code). */
const UNAUTHENTICATED = 4401;
const NOT_FOUND = 4404;
const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 15_000;

/** The wait before the next try: doubling, capped, spread at random so that a thousand pages
 * cut off together (a server restart) do not all come back in the same instant. */
export function retryDelay(failures: number, random: () => number = Math.random): number {
  const ceiling = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** failures);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export function liveUrl(attemptId: string, origin: string = globalThis.location.origin): string {
  const url = new URL(`/api/v1/attempts/${encodeURIComponent(attemptId)}/live`, origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/**
 * Calls `reread` whenever the server says the attempt's clock (deadline, pause, status)
 * moved from `shown`, or that it may have; `onOpen` when the channel opens or closes. With no access token yet (a reload, before
 * the first read refreshes it), or after the server refused this one, it waits for a new one.
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
  const token = useSelector((state: RootState) => state.auth.accessToken);
  const known = useRef({ shown, reread, onOpen });
  useEffect(() => {
    known.current = { shown, reread, onOpen };
  }, [shown, reread, onOpen]);

  useEffect(() => {
    if (!enabled || !token || typeof WebSocket === "undefined") return;
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let stopped = false;

    const connect = () => {
      socket = new WebSocket(liveUrl(attemptId));
      socket.onopen = () => socket?.send(JSON.stringify({ token }));
      socket.onmessage = (event) => {
        let message: LiveMessage;
        try {
          message = JSON.parse(String(event.data)) as LiveMessage;
        } catch {
          return;
        }
        if (message.type === "ready") {
          failures = 0;
          known.current.onOpen(true);
        }
        const moved =
          message.type === "resync" ||
          ((message.type === "ready" || message.type === "changed") &&
            clockMoved(known.current.shown, message));
        if (moved) known.current.reread();
      };
      socket.onclose = (event) => {
        known.current.onOpen(false);
        socket = null;
        // Refused for good with this token (a new one restarts the effect), or gone.
        if (stopped || event.code === UNAUTHENTICATED || event.code === NOT_FOUND) return;
        retry = setTimeout(connect, retryDelay(failures++));
      };
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(retry);
      socket?.close(1000);
      known.current.onOpen(false);
    };
  }, [attemptId, token, enabled]);
}
