import { fireEvent, screen, waitFor } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import { ReviewStep } from "./ExamWizardPage";
import { drawProblem, layoutIn, totals, type Section } from "./layout";
import { settingsFormOf } from "./PeopleStep";
import { QuestionsStep } from "./QuestionsStep";

afterEach(() => vi.unstubAllGlobals());

const page = (items: unknown[] = []) => ({
  status: 200,
  body: { items, page: 1, per_page: 10, total: items.length, total_is_exact: true },
});

const pool = (draw: number): Section[] => [
  {
    section_id: "s1",
    title: "Part A",
    items: [
      { item_id: "q1", candidates: [{ question_id: "a", stem: "Fixed one" }], draw: 1, points: 2 },
      {
        item_id: "p1",
        candidates: [
          { question_id: "b", stem: "Pooled one" },
          { question_id: "c", stem: "Pooled two" },
        ],
        draw,
        points: 1,
      },
    ],
  },
];

describe("the wizard's layout", () => {
  it("counts what each student gets and refuses a draw larger than its pool", () => {
    expect(totals(pool(1))).toEqual({ questions: 2, points: 3 });
    expect(drawProblem(pool(3)[0]!.items[1]!)).toBe("Draw at most 2: the pool has 2 questions.");
    expect(drawProblem(pool(2)[0]!.items[1]!)).toBeNull();
    expect(layoutIn(pool(1), { questions: true, options: false }).sections[0]!.items[1]).toEqual({
      item_id: "p1",
      candidates: [
        { question_id: "b", revision: null },
        { question_id: "c", revision: null },
      ],
      draw: 1,
      points: 1,
    });
  });
});

function Questions({ initial, onSaved }: { initial: Section[]; onSaved: () => void }) {
  const [sections, setSections] = useState(initial);
  const [shuffle, setShuffle] = useState({ questions: false, options: false });
  return (
    <QuestionsStep
      examId="e1"
      ifMatch={'"3"'}
      sections={sections}
      setSections={setSections}
      shuffle={shuffle}
      setShuffle={setShuffle}
      onSaved={onSaved}
    />
  );
}

describe("QuestionsStep", () => {
  it("shows a pool's draw beyond its questions at the field and sends nothing", async () => {
    const requests = stubFetch(page()); // the bank search only
    const onSaved = vi.fn();
    renderApp(<Questions initial={pool(1)} onSaved={onSaved} />);
    expect(await screen.findByText("No questions match.")).toBeVisible();
    expect(screen.getByText("Each student gets 2 questions worth 3 points.")).toBeVisible();
    const draw = screen.getByLabelText("Draw (item 2 of section 1)");
    fireEvent.change(draw, { target: { value: "3" } });
    expect(await screen.findByText("Draw at most 2: the pool has 2 questions.")).toBeVisible();
    expect(draw).toHaveAttribute("aria-invalid", "true");
    fireEvent.click(screen.getByRole("button", { name: "Save the questions and continue" }));
    await new Promise((r) => setTimeout(r, 50));
    expect(requests).toHaveLength(1);
    expect(onSaved).not.toHaveBeenCalled();
  });

  it("sends the layout with If-Match and shows a refusal under the field it names", async () => {
    const requests = stubFetch(page(), {
      status: 422,
      body: {
        detail: "a section needs a title",
        code: "validation_failed",
        field: "sections.0.title",
        errors: [
          {
            detail: "a section needs a title",
            code: "section_title_empty",
            field: "sections.0.title",
          },
        ],
      },
    });
    renderApp(<Questions initial={pool(2)} onSaved={vi.fn()} />);
    await screen.findByText("No questions match.");
    fireEvent.click(screen.getByRole("button", { name: "Save the questions and continue" }));
    expect(await screen.findByText("a section needs a title")).toBeVisible();
    expect(screen.getByLabelText("Section 1 title")).toHaveAttribute("aria-invalid", "true");
    const sent = requests[1]!;
    expect(sent.method).toBe("PUT");
    expect(sent.headers.get("If-Match")).toBe('"3"');
    expect((await sent.json()).sections[0].items[1].draw).toBe(2);
  });
});

describe("a reopened draft", () => {
  it("looks up the stems of its pinned questions in the bank", async () => {
    const asked: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: Request) => {
        const url = new URL(input.url);
        asked.push(JSON.stringify(url.searchParams.getAll("id")));
        const found = url.searchParams.has("id")
          ? [{ question_id: "b", stem: "Pooled one from the bank" }]
          : [];
        return new Response(JSON.stringify(page(found).body), {
          status: 200,
          headers: { "Content-Type": "application/json" },
        });
      }),
    );
    const stored: Section[] = [
      {
        section_id: "s1",
        title: "Part A",
        items: [
          {
            item_id: "p1",
            candidates: [{ question_id: "b" }, { question_id: "gone" }],
            draw: 1,
            points: 1,
          },
        ],
      },
    ];
    renderApp(<Questions initial={stored} onSaved={vi.fn()} />);
    expect(await screen.findByText("Pooled one from the bank")).toBeVisible();
    expect(screen.getByText("gone")).toBeVisible(); // no longer visible to the teacher: its id
    expect(asked).toContain('["b","gone"]'); // one parameter per id, as FastAPI reads lists
    expect(asked.filter((ids) => ids !== "[]")).toHaveLength(1); // asked once
  });
});

describe("ReviewStep", () => {
  it("lists every problem of a refused publish with the field it names", async () => {
    stubFetch(page(), {
      status: 422,
      body: {
        detail: "the exam cannot be published",
        code: "validation_failed",
        field: null,
        errors: [
          { detail: "the exam has no questions", code: "no_questions", field: "sections" },
          { detail: "assign at least one student", code: "nobody_assigned", field: "assignments" },
        ],
      },
    });
    const onPublished = vi.fn();
    renderApp(
      <ReviewStep
        examId="e1"
        ifMatch={'"4"'}
        details={{
          title: "Algebra",
          description: "",
          instructions: "",
          duration_minutes: "60",
          window_opens_at: "",
          window_closes_at: "",
        }}
        sections={[]}
        settings={settingsFormOf(null)}
        onPublished={onPublished}
        onBack={vi.fn()}
      />,
    );
    expect(await screen.findByText("0 assigned")).toBeVisible();
    fireEvent.click(screen.getByRole("button", { name: "Publish" }));
    const alert = await screen.findByRole("alert");
    expect(alert).toHaveTextContent("This exam cannot be published yet");
    const items = [...alert.querySelectorAll("li")].map((li) => li.textContent);
    expect(items).toEqual([
      "sections: the exam has no questions",
      "assignments: assign at least one student",
    ]);
    await waitFor(() => expect(onPublished).not.toHaveBeenCalled());
  });
});
