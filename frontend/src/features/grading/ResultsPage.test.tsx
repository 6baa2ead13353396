import { screen } from "@testing-library/react";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch, type Answer } from "../../test/render";
import ResultsPage from "./ResultsPage";

afterEach(() => vi.unstubAllGlobals());

const mark = (question_id: string, graded: boolean, extra = {}) => ({
  question_id,
  max_points: 2,
  graded,
  points: graded ? 1.5 : null,
  detail: graded ? "rubric: 3 of 4" : "",
  teacher_feedback: null,
  method: graded ? "manual" : null,
  graded_by: null,
  graded_at: null,
  ...extra,
});
const grades = {
  status: 200,
  body: {
    attempt_id: "a1",
    exam_id: "e1",
    student_id: "s1",
    status: "grading",
    score: 1.5,
    max_score: 4,
    percent: 37.5,
    pending: ["q2"],
    marks: [mark("q1", true, { teacher_feedback: "Say why." }), mark("q2", false)],
    opened_at: "2026-12-01T09:00:00Z",
    graded_at: "2026-12-01T09:05:00Z",
    version: 3,
  },
};
const attempt = {
  status: 200,
  body: {
    questions: [
      { section_id: "s", points: 2, question: { question_id: "q1", stem: "Why primes?" } },
      { section_id: "s", points: 2, question: { question_id: "q2", stem: "Prove it." } },
    ],
  },
};
const exam = { status: 200, body: { exam_id: "e1", title: "Number theory" } };

function show(...answers: Answer[]) {
  stubFetch(...answers);
  renderApp(
    <Routes>
      <Route path="/student/attempts/:attemptId/results" element={<ResultsPage />} />
    </Routes>,
    "/student/attempts/a1/results",
  );
}

describe("a student's results", () => {
  it("shows the score, each question's marks and the teacher's feedback", async () => {
    show(grades, attempt, exam);
    expect(
      await screen.findByRole("heading", { name: "Your results: Number theory" }),
    ).toBeVisible();
    expect(screen.getByText("1.5 of 4 points (37.5 %)")).toBeVisible();
    expect(screen.getByText(/1 answer is still being graded/)).toBeVisible();
    expect(screen.getByRole("heading", { name: "Question 1: 1.5 of 2 points" })).toBeVisible();
    expect(screen.getByText("Why primes?")).toBeVisible();
    expect(screen.getByText("Say why.")).toBeVisible();
    expect(
      screen.getByRole("heading", { name: "Question 2: not graded yet (2 points)" }),
    ).toBeVisible();
  });

  it("shows a program's sample tests and how many hidden tests passed", async () => {
    const judged = mark("q1", true, {
      method: "judge",
      detail: "2 of 3 hidden tests passed",
      judge: {
        language: "python",
        compile_status: "not_compiled",
        compile_message: "",
        hidden_passed: 2,
        hidden_total: 3,
        tests: [
          {
            test_id: "sample",
            sample: true,
            weight: 1,
            status: "runtime_error",
            cpu_ms: 12,
            wall_ms: 30,
            message: "IndexError: list index out of range",
          },
        ],
      },
    });
    show(
      { ...grades, body: { ...grades.body, marks: [judged, mark("q2", false)] } },
      attempt,
      exam,
    );
    expect(await screen.findByText("Python program, 2 of 3 hidden tests passed.")).toBeVisible();
    const table = screen.getByRole("table", { name: "Tests of your program for question 1" });
    expect(table).toHaveTextContent("sample (sample)");
    expect(table).toHaveTextContent("Crashed");
    expect(table).toHaveTextContent("IndexError: list index out of range");
  });

  it("says when the results are not published yet", async () => {
    show(
      {
        status: 404,
        body: {
          detail: "your results are not published yet",
          code: "results_not_published",
          field: "attempt_id",
        },
      },
      attempt,
    );
    expect(await screen.findByText(/Your results are not published yet/)).toBeVisible();
  });
});
