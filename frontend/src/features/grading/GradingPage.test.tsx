import { fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route, Routes } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import GradingPage, { answerText, rubricPoints } from "./GradingPage";

afterEach(() => vi.unstubAllGlobals());

const question = {
  revision: 1,
  question_type: "long_answer",
  stem: "Why are primes useful?",
  max_points: 2,
  model_answer: "They make keys.",
  rubric: [
    {
      criterion_id: "idea",
      title: "The idea",
      levels: [
        { label: "Missing", points: 0 },
        { label: "Vague", points: 2 },
        { label: "Clear", points: 4 },
      ],
    },
    {
      criterion_id: "style",
      title: "Style",
      levels: [
        { label: "Poor", points: 0 },
        { label: "Good", points: 1 },
      ],
    },
  ],
};
const answer = (n: number, graded: boolean) => ({
  attempt_id: `a${n}`,
  label: `Student ${n}`,
  name: null,
  email: null,
  answer: { text: `Essay ${n}` },
  graded,
  points: graded ? 1 : null,
  max_points: 2,
  detail: graded ? "rubric: 2 of 5" : "",
  teacher_feedback: null,
  method: graded ? "manual" : null,
  rubric: graded ? { idea: 1, style: 0 } : null,
});
const queue = {
  status: 200,
  body: {
    exam_id: "e1",
    question_id: "q1",
    pending: 1,
    question,
    items: [answer(1, true), answer(2, false)],
    page: 1,
    per_page: 100,
    total: 2,
    total_is_exact: true,
  },
};

describe("grading one question across students", () => {
  it("opens at the first answer still to grade and saves a rubric scoring", async () => {
    const requests = stubFetch(queue, {
      status: 200,
      body: {
        attempt_id: "a2",
        question_id: "q1",
        points: 1.6,
        max_points: 2,
        score: 1.6,
        max_score: 2,
        status: "graded",
        pending: [],
        version: 4,
      },
    });
    renderApp(
      <Routes>
        <Route path="/teacher/exams/:examId/grading/:questionId" element={<GradingPage />} />
      </Routes>,
      "/teacher/exams/e1/grading/q1",
    );
    expect(await screen.findByText("Answer 2 of 2 · 1 still to grade")).toBeVisible();
    expect(screen.getByText("Essay 2")).toBeVisible();
    expect(screen.getByText(/They make keys/)).toBeVisible();
    const user = userEvent.setup();
    await user.click(screen.getByRole("radio", { name: "Clear (4)" }));
    expect(screen.getByText(/Pick a level for every criterion/)).toBeVisible();
    await user.click(screen.getByRole("radio", { name: "Poor (0)" }));
    expect(screen.getByText(/Points from the rubric: 1.6 of 2/)).toBeVisible();
    await user.type(screen.getByLabelText("Feedback for the student"), "Say why.");
    await user.click(screen.getByRole("button", { name: "Save and next" }));
    await waitFor(() => expect(requests).toHaveLength(2));
    const put = requests[1]!;
    expect(put.method).toBe("PUT");
    expect(put.url).toMatch(/\/v1\/attempts\/a2\/grades\/q1$/);
    expect(put.headers.get("Idempotency-Key")).toBeTruthy();
    expect(await put.json()).toEqual({ rubric: { idea: 2, style: 0 }, feedback: "Say why." });
    expect(await screen.findByText("Answer 2 of 2 · 0 still to grade")).toBeVisible();
    expect(screen.getByText("Saved: 1.6 of 2")).toBeVisible();
    // Alt+← goes back to the answer graded before, with its rubric scoring.
    fireEvent.keyDown(window, { key: "ArrowLeft", altKey: true });
    expect(await screen.findByText("Essay 1")).toBeVisible();
    expect(screen.getByRole("radio", { name: "Vague (2)" })).toBeChecked();
  });
});

describe("what the grader reads", () => {
  it("shows any kind of answer as text", () => {
    expect(answerText({ text: "An essay" })).toBe("An essay");
    expect(answerText({ code: "print(1)" })).toBe("print(1)");
    expect(answerText({ option_ids: ["a", "c"] })).toBe("Picked: a, c");
    const options = [{ option_id: "a", text: "Mercury", correct: true }];
    expect(answerText({ option_ids: ["a", "c"] }, options)).toBe("Picked: Mercury, c");
    expect(answerText(null)).toBeNull();
  });

  it("scales a rubric scoring to the question's points as the server does", () => {
    expect(rubricPoints(question, { idea: 2, style: 1 })).toBe(2);
    expect(rubricPoints(question, { idea: 1, style: 1 })).toBe(1.2);
    expect(rubricPoints(question, { idea: 1 })).toBeNull();
  });
});
