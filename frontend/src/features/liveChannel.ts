// A live channel of the query API (a WebSocket through the gateway): the page sends its
// access token first, the server says when what the page shows changed, and the page reads it
// again through the ordinary route. Polling stays as the fallback while it is down.
import { useEffect, useRef } from "react";
import { useSelector } from "react-redux";
import type { RootState } from "../app/store";

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

/** The channel's address on this page's origin: `path` under `/api`, ws: or wss:. */
export function channelUrl(path: string, origin: string = globalThis.location.origin): string {
  const url = new URL(`/api${path}`, origin);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.href;
}

/**
 * Calls `onMessage` with each message of the channel at `path` (its "ready" first), and
 * `onOpen` when it opens or closes; reconnects with jittered back-off. With no access token
 * yet (a reload, before the first read refreshes it), or after the server refused this one,
 * it waits for a new one.
 */
export function useLiveChannel<Message extends { type: string }>({
  path,
  onMessage,
  onOpen,
  enabled = true,
}: {
  path: string;
  onMessage: (message: Message) => void;
  onOpen: (open: boolean) => void;
  enabled?: boolean;
}): void {
  const token = useSelector((state: RootState) => state.auth.accessToken);
  const known = useRef({ onMessage, onOpen });
  useEffect(() => {
    known.current = { onMessage, onOpen };
  }, [onMessage, onOpen]);

  useEffect(() => {
    if (!enabled || !token || typeof WebSocket === "undefined") return;
    let socket: WebSocket | null = null;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    let stopped = false;

    const connect = () => {
      socket = new WebSocket(channelUrl(path));
      socket.onopen = () => socket?.send(JSON.stringify({ token }));
      socket.onmessage = (event) => {
        let message: Message;
        try {
          message = JSON.parse(String(event.data)) as Message;
        } catch {
          return;
        }
        if (message.type === "ready") {
          failures = 0;
          known.current.onOpen(true);
        }
        known.current.onMessage(message);
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
  }, [path, token, enabled]);
}
