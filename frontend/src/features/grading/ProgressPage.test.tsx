import { screen, within } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import ProgressPage from "./ProgressPage";

afterEach(() => vi.unstubAllGlobals());

const outcome = (n: number, percent: number, mean: number, rank: number) => ({
  exam_id: `e${n}`,
  title: `Quiz ${n}`,
  attempt_id: `a${n}`,
  submitted_at: "2026-12-01T09:00:00Z",
  score: percent / 10,
  max_score: 10,
  percent,
  grade: percent >= 50 ? "Pass" : "Fail",
  passed: percent >= 50,
  exam_mean_percent: mean,
  percentile_rank: rank,
  graded_attempts: 20,
});

describe("a student's progress", () => {
  it("shows each exam's result against the exam's mean, for a teacher", async () => {
    stubFetch({
      status: 200,
      body: {
        student_id: "s1",
        name: "Ada",
        exams: [outcome(1, 80, 60, 0.9), outcome(2, 40, 55, 0.2)],
      },
    });
    renderApp(
      <Routes>
        <Route path="/teacher/students/:studentId" element={<ProgressPage />} />
      </Routes>,
      "/teacher/students/s1",
    );
    expect(await screen.findByRole("heading", { name: "Progress: Ada" })).toBeVisible();
    const rows = within(screen.getByRole("table", { name: "Results by exam" })).getAllByRole("row");
    expect(rows[1]).toHaveTextContent("Quiz 1");
    expect(rows[1]).toHaveTextContent("8 of 10 (80 %) · Grade Pass · Passed");
    expect(rows[1]).toHaveTextContent("percentile 90 (20 graded)");
    expect(rows[2]).toHaveTextContent("55 %");
  });

  it("says when nothing is released yet", async () => {
    stubFetch({ status: 200, body: { student_id: "me", name: null, exams: [] } });
    renderApp(
      <Routes>
        <Route path="/student/progress" element={<ProgressPage />} />
      </Routes>,
      "/student/progress",
    );
    expect(await screen.findByText("No results are released to you yet.")).toBeVisible();
  });
});
