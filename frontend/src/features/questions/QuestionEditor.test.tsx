import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import { contentOf, draftOf, emptyDraft, withType } from "./draft";
import { QuestionEditor } from "./QuestionEditorPage";

afterEach(() => vi.unstubAllGlobals());

// Typed as a whole value: keystroke by keystroke, a form this size is slow under jsdom.
const type = (field: HTMLElement, value: string) => fireEvent.change(field, { target: { value } });
const preview = () => within(screen.getByTestId("student-preview"));
/** The API's refusal of a question: each problem names its field. */
const refusal = (...errors: { detail: string; code: string; field: string }[]) => ({
  status: 422,
  body: { detail: "the question has problems", code: "invalid", field: null, errors },
});

describe("QuestionEditor", () => {
  it("previews a choice question as a student sees it: no key, no feedback", async () => {
    renderApp(<QuestionEditor />, "/teacher/questions/new");
    type(screen.getByLabelText(/Question text/), "Which planet is largest?");
    type(screen.getByLabelText("Option 1"), "Jupiter");
    type(screen.getByLabelText("Option 2"), "Mars");
    fireEvent.click(screen.getByLabelText("Option 1 is correct"));
    type(screen.getByLabelText("Feedback for option 1 (after marking)"), "Well done");

    expect(preview().getByText("Which planet is largest?")).toBeVisible();
    expect(preview().getByText("Jupiter")).toBeVisible();
    expect(preview().getByText("Mars")).toBeVisible();
    const shown = screen.getByTestId("student-preview").textContent ?? "";
    expect(shown).not.toMatch(/correct|Well done|feedback/i);
    // Nothing in the preview is checked or marked.
    expect(preview().queryAllByRole("checkbox")).toHaveLength(0);
    expect(preview().queryAllByRole("radio")).toHaveLength(0);
  });

  it("never previews a short answer's accepted answers or a long answer's model answer", () => {
    const long = {
      ...emptyDraft("long_answer"),
      stem: "Discuss",
      model_answer: "THE MODEL ANSWER",
      max_words: "250",
    };
    const view = renderApp(<QuestionEditor initial={long} />);
    expect(preview().getByText("At most 250 words.")).toBeVisible();
    expect(screen.getByTestId("student-preview")).not.toHaveTextContent("THE MODEL ANSWER");
    view.unmount();

    const short = {
      ...emptyDraft("short_answer"),
      stem: "Capital of France?",
      accepted: [{ text: "SECRET-PARIS", case_sensitive: false, normalize_whitespace: true }],
      pattern: "^SECRET-PATTERN$",
    };
    renderApp(<QuestionEditor initial={short} />);
    expect(preview().getByText("Capital of France?")).toBeVisible();
    expect(screen.getByTestId("student-preview")).not.toHaveTextContent(/SECRET/);
  });

  it("shows each 422 problem next to the field its dotted path names", async () => {
    const requests = stubFetch(
      refusal(
        {
          detail: "an option needs text",
          code: "option_text_empty",
          field: "choice.options.1.text",
        },
        { detail: "the question text must not be blank", code: "stem_empty", field: "stem" },
      ),
    );
    renderApp(<QuestionEditor />, "/teacher/questions/new");
    type(screen.getByLabelText("Option 1"), "Only one");
    fireEvent.click(screen.getByRole("button", { name: "Save question" }));

    const second = screen.getByLabelText("Option 2");
    expect(await screen.findByText("an option needs text")).toBeVisible();
    expect(second).toHaveAttribute("aria-invalid", "true");
    expect(second).toHaveAccessibleDescription("an option needs text");
    expect(screen.getByLabelText(/Question text/)).toHaveAccessibleDescription(
      "the question text must not be blank",
    );
    expect(screen.getByLabelText("Option 1")).toHaveAttribute("aria-invalid", "false");
    expect(screen.getByLabelText(/Question text/)).toHaveFocus(); // the first field refused
    expect(screen.queryByRole("alert")).toBeNull(); // every problem found its field

    const sent = await requests[0]!.json();
    expect(requests[0]!.headers.get("Idempotency-Key")).toBeTruthy();
    expect(sent.question_type).toBe("single_choice");
    expect(sent.choice.options).toHaveLength(2);
    expect(sent.true_false).toBeUndefined();
  });

  it("revises with If-Match and shows the new revision", async () => {
    const requests = stubFetch({
      status: 200,
      body: { question_id: "q1", revision: 4, status: "active", version: 6 },
    });
    const initial = draftOf({
      question_type: "true_false",
      stem: "The sky is blue",
      true_false: { correct: true },
    });
    renderApp(
      <QuestionEditor questionId="q1" initial={initial} read={{ version: 5, revision: 3 }} />,
    );
    expect(screen.getByText("Revision 3")).toBeVisible();
    fireEvent.click(screen.getByRole("button", { name: "Save a new revision" }));
    expect(await screen.findByText("Revision 4")).toBeVisible();
    expect(requests[0]!.method).toBe("PUT");
    expect(requests[0]!.headers.get("If-Match")).toBe('"5"');
  });
});

describe("contentOf", () => {
  it("sends only the chosen type's section", () => {
    const d = { ...emptyDraft("multiple_choice"), stem: "x", scoring: "per_option" as const };
    d.wrong_pick_penalty = "0,5";
    const c = contentOf(d);
    expect(c.choice?.scoring).toBe("per_option");
    expect(c.choice?.wrong_pick_penalty).toBe(0.5);
    expect(c.short_answer).toBeUndefined();
    expect(contentOf({ ...d, question_type: "short_answer" }).short_answer).toEqual({
      accepted: [],
      pattern: null,
      numeric: null,
    });
  });
});

describe("multiple choice in the editor", () => {
  it("a single choice made of a multiple choice keeps its first correct option", () => {
    const withTwo = { ...emptyDraft("multiple_choice"), stem: "Even?" };
    withTwo.options = withTwo.options.map((o) => ({ ...o, correct: true }));
    expect(withType(withTwo, "single_choice").options.map((o) => o.correct)).toEqual([true, false]);
    expect(withType(withTwo, "true_false").options.map((o) => o.correct)).toEqual([true, true]);
  });

  it("shows the API's message on the penalty in place of its hint", async () => {
    stubFetch(
      refusal({
        detail: "the penalty is between 0 and 1",
        code: "penalty",
        field: "choice.wrong_pick_penalty",
      }),
    );
    const initial = { ...emptyDraft("multiple_choice"), scoring: "per_option" as const };
    renderApp(<QuestionEditor initial={initial} />, "/teacher/questions/new");
    const penalty = screen.getByLabelText(/Penalty per wrong pick/);
    expect(penalty).toHaveAccessibleDescription(/never goes below 0/);
    type(penalty, "2");
    fireEvent.click(screen.getByRole("button", { name: "Save question" }));
    expect(await screen.findByText("the penalty is between 0 and 1")).toBeVisible();
    expect(penalty).toHaveAttribute("aria-invalid", "true");
    expect(penalty).toHaveAccessibleDescription("the penalty is between 0 and 1");
  });
});
