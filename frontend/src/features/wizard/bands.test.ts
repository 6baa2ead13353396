import { describe, expect, it } from "vitest";
import { formatBands, parseBands } from "./PeopleStep";
import { gradeText } from "../grading/points";

describe("grade bands as a teacher types them", () => {
  it("reads letters and percents, and says which part it cannot read", () => {
    expect(parseBands("A 85, B+ 78%, F 0")).toEqual({
      bands: [
        { letter: "A", min_percent: 85 },
        { letter: "B+", min_percent: 78 },
        { letter: "F", min_percent: 0 },
      ],
      wrong: null,
    });
    expect(parseBands("")).toEqual({ bands: [], wrong: null });
    expect(parseBands("A 85, seventy B")).toEqual({ bands: [], wrong: "seventy B" });
    expect(
      formatBands([
        { letter: "A", min_percent: 85 },
        { letter: "F", min_percent: 0 },
      ]),
    ).toBe("A 85, F 0");
  });

  it("words a result's grade and pass", () => {
    expect(gradeText({ grade: "B", passed: true })).toBe(" · Grade B · Passed");
    expect(gradeText({ grade: null, passed: false })).toBe(" · Not passed");
    expect(gradeText({})).toBe("");
  });
});
