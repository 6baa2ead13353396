import { screen, within } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, signedInAs, stubFetch } from "../../test/render";
import AnalyticsPage, { duration, itemNote } from "./AnalyticsPage";

afterEach(() => vi.unstubAllGlobals());

const item = (facility: number | null, discrimination: number | null) => ({
  question_id: "q1",
  stem: "Which is prime?",
  question_type: "single_choice",
  max_points: 2,
  answered: 10,
  facility,
  discrimination_index: discrimination,
  point_biserial: 0.3,
  seconds_mean: 125.4,
  seconds_median: 90,
});

const option = (
  option_id: string | null,
  text: string | null,
  correct: boolean,
  picked: number,
  upper_share: number,
  lower_share: number,
) => ({ option_id, text, correct, picked, share: picked / 4, upper_share, lower_share });

describe("an exam's analytics", () => {
  it("shows the summary, the distribution as a table, and each question", async () => {
    const histogram = Array.from({ length: 10 }, (_, n) => ({
      from_percent: n * 10,
      to_percent: n * 10 + 10,
      attempts: n === 7 ? 3 : n === 4 ? 1 : 0,
    }));
    stubFetch(
      { status: 200, body: { exam_id: "e1", title: "Number theory" } },
      {
        status: 200,
        body: {
          exam_id: "e1",
          assigned: 5,
          submitted: 4,
          graded: 4,
          pending: 0,
          completion: 0.8,
          pass_mark_percent: 50,
          score: {
            mean: 3.5,
            median: 3.75,
            std: 0.5,
            lowest: 2.5,
            highest: 4,
            mean_percent: 70,
            pass_rate: 0.75,
            histogram,
          },
          time_minutes_mean: 12,
          time_minutes_median: 11.5,
          time_histogram: Array.from({ length: 10 }, (_, n) => ({
            from_minutes: n * 3,
            to_minutes: n * 3 + 3,
            attempts: n === 3 ? 4 : 0,
          })),
          questions: [
            {
              ...item(0.5, -0.25),
              options: [
                option("a", "Four", false, 1, 1, 0),
                option("b", "Five", true, 3, 0, 1),
                option(null, null, false, 0, 0, 0),
              ],
            },
          ],
        },
      },
    );
    renderApp(
      <Routes>
        <Route path="/teacher/exams/:examId/analytics" element={<AnalyticsPage />} />
      </Routes>,
      "/teacher/exams/e1/analytics",
    );
    expect(await screen.findByRole("heading", { name: "Analytics: Number theory" })).toBeVisible();
    const summary = screen.getByRole("table", { name: "Summary" });
    expect(within(summary).getByText("3.50 (70.0 %)")).toBeVisible();
    expect(within(summary).getByText("75 % at 50 %")).toBeVisible();
    expect(within(summary).getByText("80 %")).toBeVisible();
    const distribution = screen.getByRole("table", { name: "Score distribution" });
    expect(within(distribution).getByRole("row", { name: "70 to 80 % 3" })).toBeVisible();
    const items = screen.getByRole("table", { name: "Item statistics" });
    expect(within(items).getByText("Weaker students did better: check the key")).toBeVisible();
    expect(within(items).getByText("2 min 5 s")).toBeVisible();
    const time = screen.getByRole("table", { name: "Time spent" });
    expect(within(time).getByRole("row", { name: "9 to 12 min 4" })).toBeVisible();
    const options = screen.getByRole("table", { name: "Options of question 1" });
    const rows = within(options).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("Draws stronger students: check the wording");
    expect(rows[2]).toHaveTextContent("Weaker students picked it more: check the key");
    expect(rows[3]).toHaveTextContent("No answer");
  });
});

describe("an exam's analytics for an analyst", () => {
  it("shows only the counts while too few attempts are graded, and leads back to the exams", async () => {
    signedInAs("analyst");
    stubFetch(
      { status: 200, body: { exam_id: "e1", title: "Number theory" } },
      {
        status: 200,
        body: {
          exam_id: "e1",
          assigned: 3,
          submitted: 2,
          graded: 2,
          pending: 0,
          completion: 0.67,
          pass_mark_percent: null,
          score: {
            mean: null,
            median: null,
            std: null,
            lowest: null,
            highest: null,
            mean_percent: null,
            pass_rate: null,
            histogram: [],
          },
          time_minutes_mean: null,
          time_minutes_median: null,
          time_histogram: [],
          questions: [],
          withheld: true,
        },
      },
    );
    renderApp(
      <Routes>
        <Route path="/analyst/exams/:examId/analytics" element={<AnalyticsPage />} />
      </Routes>,
      "/analyst/exams/e1/analytics",
    );
    expect(
      await screen.findByText(/^Only 2 graded attempts so far: the figures are shown once/),
    ).toBeVisible();
    expect(screen.getByRole("link", { name: "Back to the exams" })).toHaveAttribute(
      "href",
      "/analyst",
    );
    expect(screen.queryByRole("table", { name: "Summary" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Download item statistics/ })).toBeNull();
  });
});

describe("a time on screen", () => {
  it("reads as seconds, then minutes and seconds", () => {
    expect([duration(null), duration(44.6), duration(60), duration(125.4)]).toEqual([
      "–",
      "45 s",
      "1 min",
      "2 min 5 s",
    ]);
  });
});

describe("what an item's numbers suggest", () => {
  it("flags keys to check, items that separate little, and extremes", () => {
    expect(itemNote(item(0.5, -0.1))).toMatch(/check the key/);
    expect(itemNote(item(0.5, 0.1))).toBe("Separates students little");
    expect(itemNote(item(0.95, 0.05))).toBe("Very easy");
    expect(itemNote(item(0.1, 0.3))).toBe("Very hard");
    expect(itemNote(item(0.6, 0.4))).toBe("");
    expect(itemNote(item(null, null))).toBe("");
  });
});
