import { act, renderHook } from "@testing-library/react";
import { createElement, type ReactNode } from "react";
import { Provider } from "react-redux";
import { afterEach, describe, expect, it, vi } from "vitest";
import { makeStore } from "../../app/store";
import { signedIn, tokensRefreshed } from "../auth/authSlice";
import { clockMoved, liveUrl, retryDelay, useAttemptLive } from "./live";

/** A WebSocket the test speaks for: what the page sends, and the server's side. */
class ServerSide {
  static opened: ServerSide[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  sent: string[] = [];
  closedWith: number | null = null;
  constructor(public url: string) {
    ServerSide.opened.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code: number) {
    this.closedWith = code;
  }
  // the server's side
  open() {
    this.onopen?.();
  }
  say(message: object) {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  drop(code: number) {
    this.onclose?.({ code });
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
  ServerSide.opened = [];
});

const SHOWN = { status: "in_progress", deadline: "2030-01-01T11:00:00Z", paused_at: null };

function watch(reread = vi.fn(), onOpen = vi.fn()) {
  vi.stubGlobal("WebSocket", ServerSide);
  const store = makeStore();
  store.dispatch(
    signedIn({
      accessToken: "token-1",
      refreshToken: "r",
      user: { user_id: "s1", email: "s@x", name: "S", role: "student" },
    }),
  );
  const wrapper = ({ children }: { children: ReactNode }) =>
    createElement(Provider, { store, children });
  const hook = renderHook(
    () => useAttemptLive({ attemptId: "a/1", shown: SHOWN, reread, onOpen }),
    { wrapper },
  );
  return { store, hook, reread, onOpen };
}

describe("the live channel", () => {
  it("is on the gateway's origin, ws or wss as the page", () => {
    expect(liveUrl("a/1", "http://exam.test")).toBe("ws://exam.test/api/v1/attempts/a%2F1/live");
    expect(liveUrl("a1", "https://exam.test")).toBe("wss://exam.test/api/v1/attempts/a1/live");
  });

  it("waits longer after each failure, spread at random and never past 15 s", () => {
    expect(retryDelay(0, () => 0)).toBe(500);
    expect(retryDelay(0, () => 1)).toBe(1000);
    expect(retryDelay(3, () => 1)).toBe(8000);
    expect(retryDelay(30, () => 1)).toBe(15_000);
  });

  it("tells a moved clock from the page's own saves", () => {
    expect(clockMoved(SHOWN, { ...SHOWN, deadline: "2030-01-01T11:00:00.000+00:00" })).toBe(false);
    expect(clockMoved(SHOWN, { ...SHOWN, deadline: "2030-01-01T11:05:00Z" })).toBe(true);
    expect(clockMoved(SHOWN, { ...SHOWN, paused_at: "2030-01-01T10:30:00Z" })).toBe(true);
    expect(clockMoved(SHOWN, { ...SHOWN, status: "submitted" })).toBe(true);
  });

  it("sends the token first and rereads only when the clock moved", () => {
    const { reread, onOpen } = watch();
    const socket = ServerSide.opened[0]!;
    socket.open();
    expect(socket.sent).toEqual([JSON.stringify({ token: "token-1" })]);
    act(() => socket.say({ type: "ready", version: 3, server_time: "x", ...SHOWN }));
    expect(onOpen).toHaveBeenLastCalledWith(true);
    expect(reread).not.toHaveBeenCalled();
    socket.say({ type: "changed", version: 4, ...SHOWN }); // the student's own save
    expect(reread).not.toHaveBeenCalled();
    socket.say({ type: "changed", version: 5, ...SHOWN, deadline: "2030-01-01T11:10:00Z" });
    expect(reread).toHaveBeenCalledTimes(1);
    socket.say({ type: "resync" });
    expect(reread).toHaveBeenCalledTimes(2);
  });

  it("connects again after a drop, but waits for a new token after a refusal", () => {
    vi.useFakeTimers();
    const { store, onOpen } = watch();
    act(() => ServerSide.opened[0]!.drop(1006));
    expect(onOpen).toHaveBeenLastCalledWith(false);
    act(() => vi.advanceTimersByTime(1000));
    expect(ServerSide.opened).toHaveLength(2);

    act(() => ServerSide.opened[1]!.drop(4401)); // the token expired
    act(() => vi.advanceTimersByTime(60_000));
    expect(ServerSide.opened).toHaveLength(2);
    act(() => {
      store.dispatch(tokensRefreshed({ accessToken: "token-2", refreshToken: "r2" }));
    });
    const third = ServerSide.opened[2]!;
    third.open();
    expect(third.sent).toEqual([JSON.stringify({ token: "token-2" })]);
  });
});
