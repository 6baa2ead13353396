// The server owns exam time. The page keeps the difference between the server's clock and
// this device's (`offset`) and counts down from the server's deadline, reading the device's
// clock afresh at every tick: a background tab that slept, or a device clock that is wrong,
// never shifts the deadline.

/** The server's clock minus this device's, from an answer's `server_time`, taken as the
 * middle of the request (`sentAt` .. `receivedAt`, device time in ms). */
export function serverOffset(serverTime: string, sentAt: number, receivedAt: number): number {
  return new Date(serverTime).getTime() - (sentAt + receivedAt) / 2;
}

/** Milliseconds left until `deadline` by the server's clock (never below 0). */
export function remainingMs(deadline: string, offset: number, deviceNow = Date.now()): number {
  return Math.max(0, new Date(deadline).getTime() - (deviceNow + offset));
}

/** "1:05:09", "12:04", "0:09". */
export function formatRemaining(ms: number): string {
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** The moments a screen reader is told how much time is left, in minutes. */
export const ANNOUNCE_AT_MINUTES = [30, 10, 5, 1] as const;

/** The announcement due when the time left crosses a threshold between two ticks. */
export function announcement(beforeMs: number, nowMs: number): string | null {
  for (const minutes of ANNOUNCE_AT_MINUTES) {
    const at = minutes * 60_000;
    if (beforeMs > at && nowMs <= at) {
      return minutes === 1 ? "1 minute left." : `${minutes} minutes left.`;
    }
  }
  return null;
}
