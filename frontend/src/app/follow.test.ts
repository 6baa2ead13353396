import { describe, expect, it } from "vitest";
import { FOLLOW_MS, followDelay } from "./follow";

describe("reading again what a command just made", () => {
  it("reads again soon at first, then every FOLLOW_MS", () => {
    expect(followDelay(0)).toBe(100);
    expect(followDelay(40)).toBe(100);
    expect(followDelay(250)).toBe(250);
    expect(followDelay(5_000)).toBe(FOLLOW_MS);
  });
});
