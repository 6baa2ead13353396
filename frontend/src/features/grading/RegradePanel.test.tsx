import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import { RegradePanel } from "./RegradePanel";

afterEach(() => vi.unstubAllGlobals());

/** Opens the preview and waits for its summary. */
async function previewed(summary: string) {
  const user = userEvent.setup();
  await user.click(screen.getByRole("button", { name: "Preview the regrade" }));
  expect(await screen.findByText(summary)).toBeVisible();
  return user;
}

/** What the regrade route answers: ``more`` over a regrade of revision 2 of two attempts. */
const answered = (more: object) => ({
  status: 200,
  body: {
    exam_id: "e1",
    question_id: "q1",
    revision: 2,
    applied: false,
    attempts: 2,
    changed: 0,
    changes: [],
    ...more,
  },
});

const outcome = (applied: boolean) =>
  answered({
    applied,
    changed: 1,
    changes: [
      { attempt_id: "a1", student_id: "s1", before: 0, after: 2, kept: null },
      { attempt_id: "a2", student_id: "s2", before: 1, after: null, kept: "graded_by_hand" },
    ],
  });

describe("regrading a question with its corrected key", () => {
  it("previews what changes, then regrades", async () => {
    const requests = stubFetch(outcome(false), outcome(true));
    const applied = vi.fn();
    renderApp(
      <RegradePanel
        examId="e1"
        questionId="q1"
        labels={{ a1: "Student 1", a2: "Student 2" }}
        onApplied={applied}
      />,
    );
    const user = await previewed("With revision 2, 1 of 2 answers would change.");
    expect(screen.getByText("Kept: graded by hand")).toBeVisible();
    expect(await requests[0]!.json()).toEqual({ question_id: "q1", apply: false });
    await user.click(screen.getByRole("button", { name: "Regrade 1 answer" }));
    expect(await screen.findByText("Regraded with revision 2: 1 answer changed.")).toBeVisible();
    await waitFor(() => expect(applied).toHaveBeenCalledOnce());
    expect(await requests[1]!.json()).toEqual({ question_id: "q1", apply: true });
    expect(screen.queryByRole("button", { name: /^Regrade \d/ })).toBeNull();
  });

  it("sends a program question's answers to the judge again", async () => {
    const judging = (applied: boolean) => ({
      status: 200,
      body: {
        exam_id: "e1",
        question_id: "q1",
        revision: 3,
        applied,
        attempts: 2,
        changed: 0,
        judging: 2,
        changes: ["a1", "a2"].map((attempt_id) => ({
          attempt_id,
          student_id: "s",
          before: 1,
          after: null,
          kept: null,
          judging: true,
        })),
      },
    });
    stubFetch(judging(false), judging(true));
    renderApp(<RegradePanel examId="e1" questionId="q1" labels={{}} onApplied={vi.fn()} />);
    const user = await previewed(
      "With the tests of revision 3, 2 of 2 programs would be judged again.",
    );
    expect(screen.getAllByText("Judged again")).toHaveLength(2);
    await user.click(screen.getByRole("button", { name: "Judge 2 programs again" }));
    expect(await screen.findByText(/^Sent 2 programs to the judge/)).toBeVisible();
  });

  it("rescores an essay's rubric grades and has the rest graded with the corrected rubric", async () => {
    const rescored = (applied: boolean, changed: number) =>
      answered({
        applied,
        attempts: 3,
        changed,
        to_grade: 1,
        changes: [
          { attempt_id: "a1", student_id: "s1", before: 1.2, after: 0.8889, kept: null },
          { attempt_id: "a2", student_id: "s2", before: 1.5, after: null, kept: "graded_by_hand" },
          { attempt_id: "a3", student_id: "s3", before: null, after: null, kept: "to_grade" },
        ],
      });
    stubFetch(rescored(false, 1), rescored(true, 1));
    renderApp(
      <RegradePanel
        essay
        examId="e1"
        questionId="q1"
        labels={{ a3: "Student 3" }}
        onApplied={vi.fn()}
      />,
    );
    expect(screen.getByRole("heading", { name: "Regrade with a corrected rubric" })).toBeVisible();
    const user = await previewed(
      "With revision 2, 1 of 3 answers would change. 1 answer to grade with its rubric.",
    );
    expect(
      screen.getByRole("row", { name: "Student 3 – To grade with the corrected rubric" }),
    ).toBeVisible();
    await user.click(screen.getByRole("button", { name: "Regrade 1 answer" }));
    expect(
      await screen.findByText(
        "Regraded with revision 2: 1 answer changed. 1 answer to grade with its rubric.",
      ),
    ).toBeVisible();
  });

  it("offers the corrected rubric when only answers to grade would follow it", async () => {
    const moved = (applied: boolean) =>
      answered({
        applied,
        attempts: 1,
        to_grade: 1,
        changes: [
          { attempt_id: "a1", student_id: "s1", before: null, after: null, kept: "to_grade" },
        ],
      });
    const requests = stubFetch(moved(false), moved(true));
    renderApp(<RegradePanel essay examId="e1" questionId="q1" labels={{}} onApplied={vi.fn()} />);
    const user = await previewed(
      "With revision 2, 0 of 1 answers would change. 1 answer to grade with its rubric.",
    );
    await user.click(screen.getByRole("button", { name: "Use the corrected rubric" }));
    expect(await requests[1]!.json()).toEqual({ question_id: "q1", apply: true });
  });
});
