import { describe, expect, it } from "vitest";
import { announcement, formatRemaining, remainingMs, serverOffset } from "./clock";

describe("the exam clock", () => {
  it("counts down from the server's deadline whatever this device's clock says", () => {
    // This device is 90 s behind the server: the answer said 10:00:00 when the device read
    // 09:58:30 (sent 09:58:29.9, received 09:58:30.1).
    const device = (hms: string) => new Date(`2030-01-01T${hms}Z`).getTime();
    const offset = serverOffset(
      "2030-01-01T10:00:00Z",
      device("09:58:29.900"),
      device("09:58:30.100"),
    );
    expect(offset).toBe(90_000);
    expect(remainingMs("2030-01-01T10:30:00Z", offset, device("09:58:30"))).toBe(30 * 60_000);
    // A tab that slept for ten minutes reads the clock afresh: ten minutes less, not a tick.
    expect(remainingMs("2030-01-01T10:30:00Z", offset, device("10:08:30"))).toBe(20 * 60_000);
    expect(remainingMs("2030-01-01T10:30:00Z", offset, device("11:00:00"))).toBe(0);
  });

  it("writes the time left for people and tells screen readers at thresholds", () => {
    expect(formatRemaining(3_909_000)).toBe("1:05:09");
    expect(formatRemaining(724_000)).toBe("12:04");
    expect(formatRemaining(8_200)).toBe("0:09");
    expect(announcement(5 * 60_000 + 500, 5 * 60_000 - 500)).toBe("5 minutes left.");
    expect(announcement(61_000, 59_000)).toBe("1 minute left.");
    expect(announcement(50_000, 49_000)).toBeNull();
  });
});
