import { describe, expect, it } from "vitest";
import { formatMoment, fromLocalInput, toLocalInput } from "./time";

describe("exam windows in the reader's time zone", () => {
  it("shows a UTC moment in the given zone, with the zone's name", () => {
    const shown = formatMoment("2026-07-01T13:30:00Z", "America/New_York");
    expect(shown).toContain("9:30");
    expect(shown).toMatch(/EDT|GMT-4/);
  });

  it("says when a window is not set", () => {
    expect(formatMoment(null)).toBe("not set");
  });

  it("round-trips a datetime-local value through the ISO moment sent to the API", () => {
    const iso = fromLocalInput("2026-03-04T09:15");
    expect(iso).toMatch(/Z$/);
    expect(toLocalInput(iso)).toBe("2026-03-04T09:15");
    expect(fromLocalInput("")).toBeNull();
  });
});
