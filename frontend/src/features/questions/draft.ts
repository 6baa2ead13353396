// The editor's form state, and the question content it becomes. The request and answer types
// are the generated ones; the draft only keeps every type's section (switching the type loses
// nothing) and numbers as the text the teacher typed.
import type {
  AcceptedAnswer,
  ChoiceOption,
  CodeTest,
  QuestionContent,
  RubricCriterion,
} from "../../api/commandApi.generated";
import type { Difficulty, QuestionType } from "../../api/queryApi.generated";

export const TYPES: { value: QuestionType; label: string }[] = [
  { value: "single_choice", label: "Single choice" },
  { value: "multiple_choice", label: "Multiple choice" },
  { value: "true_false", label: "True / false" },
  { value: "short_answer", label: "Short answer" },
  { value: "long_answer", label: "Long answer" },
  { value: "coding", label: "Coding" },
];
export const DIFFICULTIES: Difficulty[] = ["easy", "medium", "hard"];
export const LANGUAGES = ["python", "c", "cpp"] as const;

export const typeLabel = (type: string) => TYPES.find((t) => t.value === type)?.label ?? type;

export type Draft = {
  question_type: QuestionType;
  stem: string;
  difficulty: string;
  tags: string; // comma separated
  topic: string;
  estimated_minutes: string;
  media_ids: string[]; // uploaded and confirmed images and audio, in the order shown
  // A text alternative per file: absent while undescribed, "" when decorative.
  media_alt: Record<string, string>;
  options: Required<ChoiceOption>[];
  scoring: "all_or_nothing" | "per_option";
  wrong_pick_penalty: string;
  true_false: boolean;
  accepted: Required<AcceptedAnswer>[];
  pattern: string;
  numeric_value: string;
  numeric_tolerance: string;
  model_answer: string;
  max_words: string;
  rubric: RubricCriterion[];
  language: string;
  starter_code: string;
  time_limit_ms: string;
  memory_limit_mb: string;
  sample_tests: Required<CodeTest>[];
  hidden_tests: Required<CodeTest>[];
};

const LETTERS = "abcdefghijklmnopqrstuvwxyz";

export const newOption = (taken: ChoiceOption[]): Required<ChoiceOption> => ({
  option_id: LETTERS.split("").find((l) => !taken.some((o) => o.option_id === l)) ?? newId(),
  text: "",
  correct: false,
  feedback: "",
});

export function newId(): string {
  return Math.random().toString(36).slice(2, 10);
}

export const newTest = (prefix: string, taken: CodeTest[]): Required<CodeTest> => {
  let n = taken.length + 1;
  while (taken.some((t) => t.test_id === `${prefix}${n}`)) n += 1;
  return { test_id: `${prefix}${n}`, stdin: "", expected_stdout: "", weight: 1 };
};

export const newCriterion = (taken: RubricCriterion[]): RubricCriterion => {
  let n = taken.length + 1;
  while (taken.some((c) => c.criterion_id === `c${n}`)) n += 1;
  return {
    criterion_id: `c${n}`,
    title: "",
    levels: [
      { label: "Missing", points: 0, description: "" },
      { label: "Complete", points: 2, description: "" },
    ],
  };
};

export function emptyDraft(type: QuestionType = "single_choice"): Draft {
  const a = newOption([]);
  const b = newOption([a]);
  return {
    question_type: type,
    stem: "",
    difficulty: "medium",
    tags: "",
    topic: "",
    estimated_minutes: "2",
    media_ids: [],
    media_alt: {},
    options: [a, b],
    scoring: "all_or_nothing",
    wrong_pick_penalty: "0",
    true_false: true,
    accepted: [{ text: "", case_sensitive: false, normalize_whitespace: true }],
    pattern: "",
    numeric_value: "",
    numeric_tolerance: "0",
    model_answer: "",
    max_words: "",
    rubric: [],
    language: "python",
    starter_code: "",
    time_limit_ms: "2000",
    memory_limit_mb: "256",
    sample_tests: [],
    hidden_tests: [newTest("h", [])],
  };
}

/** The draft as a question of another type: a single choice keeps only its first correct
 * option (a multiple choice may have ticked several). */
export function withType(d: Draft, question_type: Draft["question_type"]): Draft {
  if (question_type !== "single_choice") return { ...d, question_type };
  const first = d.options.findIndex((o) => o.correct);
  return {
    ...d,
    question_type,
    options: d.options.map((o, i) => (o.correct && i !== first ? { ...o, correct: false } : o)),
  };
}

const num = (text: string) => (text.trim() === "" ? NaN : Number(text.replace(",", ".")));
const tests = (list: CodeTest[] | undefined): Required<CodeTest>[] =>
  (list ?? []).map((t) => ({ weight: 1, ...t }));

/** The draft of a stored question (every section it lacks keeps the editor's defaults). */
export function draftOf(c: QuestionContent): Draft {
  const d = emptyDraft(c.question_type as QuestionType);
  return {
    ...d,
    stem: c.stem,
    difficulty: c.difficulty ?? "medium",
    tags: (c.tags ?? []).join(", "),
    topic: c.topic ?? "",
    estimated_minutes: String(c.estimated_minutes ?? 2),
    media_ids: c.media_ids ?? [],
    media_alt: c.media_alt ?? {},
    ...(c.choice && {
      options: c.choice.options.map((o) => ({ correct: false, feedback: "", ...o })),
      scoring: c.choice.scoring === "per_option" ? "per_option" : "all_or_nothing",
      wrong_pick_penalty: String(c.choice.wrong_pick_penalty ?? 0),
    }),
    ...(c.true_false && { true_false: c.true_false.correct }),
    ...(c.short_answer && {
      accepted: (c.short_answer.accepted ?? []).map((a) => ({
        case_sensitive: false,
        normalize_whitespace: true,
        ...a,
      })),
      pattern: c.short_answer.pattern ?? "",
      numeric_value: c.short_answer.numeric ? String(c.short_answer.numeric.value) : "",
      numeric_tolerance: String(c.short_answer.numeric?.tolerance ?? 0),
    }),
    ...(c.long_answer && {
      model_answer: c.long_answer.model_answer ?? "",
      max_words: c.long_answer.max_words ? String(c.long_answer.max_words) : "",
      rubric: c.long_answer.rubric ?? [],
    }),
    ...(c.coding && {
      language: c.coding.language,
      starter_code: c.coding.starter_code ?? "",
      time_limit_ms: String(c.coding.time_limit_ms ?? 2000),
      memory_limit_mb: String(c.coding.memory_limit_mb ?? 256),
      sample_tests: tests(c.coding.sample_tests),
      hidden_tests: tests(c.coding.hidden_tests),
    }),
  };
}

/** The content the API checks: only the section of the chosen type. */
export function contentOf(d: Draft): QuestionContent {
  const base: QuestionContent = {
    question_type: d.question_type,
    stem: d.stem,
    difficulty: d.difficulty,
    tags: d.tags
      .split(",")
      .map((t) => t.trim())
      .filter(Boolean),
    topic: d.topic,
    estimated_minutes: Math.round(num(d.estimated_minutes)) || 0,
    media_ids: d.media_ids,
    // Only the files still shown: a removed file's description goes with it.
    media_alt: Object.fromEntries(
      d.media_ids.filter((id) => id in d.media_alt).map((id) => [id, d.media_alt[id] ?? ""]),
    ),
  };
  switch (d.question_type) {
    case "single_choice":
    case "multiple_choice":
      return {
        ...base,
        choice: {
          options: d.options,
          scoring: d.question_type === "multiple_choice" ? d.scoring : "all_or_nothing",
          wrong_pick_penalty:
            d.question_type === "multiple_choice" && d.scoring === "per_option"
              ? num(d.wrong_pick_penalty) || 0
              : 0,
        },
      };
    case "true_false":
      return { ...base, true_false: { correct: d.true_false } };
    case "short_answer": {
      const value = num(d.numeric_value);
      return {
        ...base,
        short_answer: {
          // One blank row is the editor's starting point, not an answer (indexes stay as shown).
          accepted: d.accepted.every((a) => a.text.trim() === "") ? [] : d.accepted,
          pattern: d.pattern.trim() === "" ? null : d.pattern,
          numeric: Number.isNaN(value) ? null : { value, tolerance: num(d.numeric_tolerance) || 0 },
        },
      };
    }
    case "long_answer":
      return {
        ...base,
        long_answer: {
          model_answer: d.model_answer,
          max_words: d.max_words.trim() === "" ? null : Math.round(num(d.max_words)),
          rubric: d.rubric,
        },
      };
    case "coding":
      return {
        ...base,
        coding: {
          language: d.language,
          starter_code: d.starter_code,
          time_limit_ms: Math.round(num(d.time_limit_ms)) || 0,
          memory_limit_mb: Math.round(num(d.memory_limit_mb)) || 0,
          sample_tests: d.sample_tests.map((t) => ({ ...t, weight: 1 })),
          hidden_tests: d.hidden_tests,
        },
      };
  }
}

/** Every field name the editor can show a message under (the API's dotted paths). */
export function fieldsOf(d: Draft): string[] {
  const fields = [
    "question_type",
    "stem",
    "difficulty",
    "tags",
    "topic",
    "estimated_minutes",
    "media_ids",
    ...d.media_ids.map((_, i) => `media_ids.${i}`),
    ...d.media_ids.map((id) => `media_alt.${id}`),
    ...d.tags.split(",").map((_, i) => `tags.${i}`),
    "choice",
    "choice.options",
    "choice.scoring",
    "choice.wrong_pick_penalty",
    "true_false",
    "short_answer",
    "short_answer.accepted",
    "short_answer.pattern",
    "short_answer.numeric",
    "short_answer.numeric.value",
    "short_answer.numeric.tolerance",
    "long_answer",
    "long_answer.model_answer",
    "long_answer.max_words",
    "long_answer.rubric",
    "coding",
    "coding.language",
    "coding.starter_code",
    "coding.time_limit_ms",
    "coding.memory_limit_mb",
    "coding.sample_tests",
    "coding.hidden_tests",
  ];
  d.options.forEach((_, i) => {
    for (const f of ["option_id", "text", "feedback"]) fields.push(`choice.options.${i}.${f}`);
  });
  d.accepted.forEach((_, i) => fields.push(`short_answer.accepted.${i}.text`));
  d.rubric.forEach((c, i) => {
    const at = `long_answer.rubric.${i}`;
    fields.push(`${at}.title`, `${at}.levels`);
    c.levels.forEach((_, j) => fields.push(`${at}.levels.${j}.label`, `${at}.levels.${j}.points`));
  });
  for (const kind of ["sample_tests", "hidden_tests"] as const) {
    d[kind].forEach((_, i) => {
      for (const f of ["test_id", "stdin", "expected_stdout", "weight"]) {
        fields.push(`coding.${kind}.${i}.${f}`);
      }
    });
  }
  return fields;
}
