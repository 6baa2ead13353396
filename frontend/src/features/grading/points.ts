/** Points as people write them: 2, 1.5, 1.33 (at most two decimals, no trailing zeros). */
export function points(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2).replace(/\.?0+$/, "");
}
