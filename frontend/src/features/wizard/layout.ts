// The wizard's questions step: sections of items; an item is one fixed question (one
// candidate, draw 1) or a pool (several candidates, draw N of them).
import type { LayoutIn } from "../../api/commandApi.generated";
import { newCommandId } from "../../api/problems";

export type Candidate = { question_id: string; revision?: number | null; stem?: string };
export type Item = { item_id: string; candidates: Candidate[]; draw: number; points: number };
export type Section = { section_id: string; title: string; items: Item[] };

export const newId = (prefix: string) => `${prefix}-${newCommandId().slice(0, 8)}`;

export function newSection(n: number): Section {
  return { section_id: newId("s"), title: `Section ${n}`, items: [] };
}

/** What each student gets: one question per draw, each worth the item's points. */
export function totals(sections: Section[]): { questions: number; points: number } {
  let questions = 0;
  let points = 0;
  for (const section of sections) {
    for (const item of section.items) {
      const draw = Number.isFinite(item.draw) ? item.draw : 0;
      questions += draw;
      points += draw * (Number.isFinite(item.points) ? item.points : 0);
    }
  }
  return { questions, points };
}

/** The client's own check of a pool's draw (the server checks it again). */
export function drawProblem(item: Item): string | null {
  const size = item.candidates.length;
  if (!Number.isInteger(item.draw) || item.draw < 1) return "Draw at least 1 question.";
  if (item.draw > size) {
    return `Draw at most ${size}: the pool has ${size} question${size === 1 ? "" : "s"}.`;
  }
  return null;
}

export function layoutProblems(sections: Section[]): Record<string, string> {
  const found: Record<string, string> = {};
  sections.forEach((section, i) =>
    section.items.forEach((item, j) => {
      const problem = drawProblem(item);
      if (problem) found[`sections.${i}.items.${j}.draw`] = problem;
    }),
  );
  return found;
}

export function layoutIn(
  sections: Section[],
  shuffle: { questions: boolean; options: boolean },
): LayoutIn {
  return {
    sections: sections.map((s) => ({
      section_id: s.section_id,
      title: s.title,
      items: s.items.map((item) => ({
        item_id: item.item_id,
        candidates: item.candidates.map((c) => ({
          question_id: c.question_id,
          revision: c.revision ?? null,
        })),
        draw: item.draw,
        points: item.points,
      })),
    })),
    shuffle_questions: shuffle.questions,
    shuffle_options: shuffle.options,
  };
}

/** The exam document's sections (as the query API stores them) in the wizard's shape. */
export function sectionsOf(stored: { [key: string]: unknown }[] | null | undefined): Section[] {
  return (stored ?? []).map((raw) => {
    const s = raw as unknown as Section;
    return {
      section_id: s.section_id,
      title: s.title,
      items: (s.items ?? []).map((item) => ({
        item_id: item.item_id,
        candidates: item.candidates.map((c) => ({
          question_id: c.question_id,
          revision: c.revision ?? null,
        })),
        draw: item.draw,
        points: item.points,
      })),
    };
  });
}

/** Every dotted field a layout's refusal may name, for problemsOf. */
export function layoutFields(sections: Section[]): string[] {
  const fields = ["sections"];
  sections.forEach((section, i) => {
    fields.push(`sections.${i}.title`, `sections.${i}.items`, `sections.${i}.section_id`);
    section.items.forEach((_, j) => {
      for (const f of ["draw", "points", "candidates", "item_id"]) {
        fields.push(`sections.${i}.items.${j}.${f}`);
      }
    });
  });
  return fields;
}
