// The APIs answer every refusal as {detail, code, field} (validation adds `errors`, one such
// object per problem). Forms show each message next to the field it names.
import type { SerializedError } from "@reduxjs/toolkit";
import type { FetchBaseQueryError } from "@reduxjs/toolkit/query";

export type Problem = { detail: string; code: string; field: string | null };
export type Problems = {
  byField: Record<string, string>;
  /** What names no field of the form, one message each; `general` joins them. */
  unplaced: string[];
  general: string | null;
};

export const NO_PROBLEMS: Problems = { byField: {}, unplaced: [], general: null };

const only = (message: string): Problems => ({
  byField: {},
  unplaced: [message],
  general: message,
});

function isProblem(value: unknown): value is Problem & { errors?: Problem[] } {
  return typeof value === "object" && value !== null && "detail" in value && "code" in value;
}

/** Messages by field name; what names no field we know of is the form's general message. */
export function problemsOf(
  error: FetchBaseQueryError | SerializedError | undefined,
  fields: readonly string[],
): Problems {
  if (!error) return NO_PROBLEMS;
  if (!("status" in error)) return only(error.message ?? "Something failed");
  if (error.status === "FETCH_ERROR" || error.status === "TIMEOUT_ERROR") {
    return only("The server cannot be reached. Check the connection.");
  }
  const body = error.data;
  if (!isProblem(body)) return only(`The server answered ${error.status}.`);
  const byField: Record<string, string> = {};
  const unplaced: string[] = [];
  for (const problem of body.errors?.length ? body.errors : [body]) {
    if (problem.field && fields.includes(problem.field) && !byField[problem.field]) {
      byField[problem.field] = problem.detail;
    } else if (!problem.field || !fields.includes(problem.field)) {
      unplaced.push(problem.field ? `${problem.field}: ${problem.detail}` : problem.detail);
    }
  }
  return { byField, unplaced, general: unplaced.length ? unplaced.join(" ") : null };
}

/** A client-made command id for the Idempotency-Key header (a UUID v4). */
export function newCommandId(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  // crypto.randomUUID exists only in secure contexts; a plain-http gateway host has none.
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** A pasted list of emails or ids: one entry per line, comma or semicolon. */
export function pastedList(text: string): string[] {
  return text
    .split(/[\n,;]/)
    .map((e) => e.trim())
    .filter(Boolean);
}

/** A refusal of entries of a pasted list (`teacher_emails.2`: the third entry), as
 * "Entry 3: …"; the rest of what names no field of the form, joined. */
export function entryProblems(problems: Problems, field: string) {
  const prefix = `${field}.`;
  const entries = problems.unplaced
    .filter((p) => p.startsWith(prefix))
    .map((p) => p.slice(prefix.length).replace(/^(\d+): /, (_, n) => `Entry ${Number(n) + 1}: `));
  const rest = problems.unplaced.filter((p) => !p.startsWith(prefix));
  return {
    entries: problems.byField[field] ?? (entries.length ? entries.join(" ") : null),
    general: rest.length ? rest.join(" ") : null,
  };
}
