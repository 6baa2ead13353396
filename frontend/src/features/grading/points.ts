/** Points as people write them: 2, 1.5, 1.33 (at most two decimals, no trailing zeros). */
export function points(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/\.?0+$/, "");
}

/** A result's grade and pass, as words: " · Grade B · Passed" (empty without a scheme). */
export function gradeText(result: { grade?: string | null; passed?: boolean | null }): string {
  const parts = [];
  if (result.grade) parts.push(`Grade ${result.grade}`);
  if (result.passed === true) parts.push("Passed");
  if (result.passed === false) parts.push("Not passed");
  return parts.map((p) => ` · ${p}`).join("");
}
