import { Alert, Box, CircularProgress, TablePagination, Typography } from "@mui/material";
import { useEffect, useState, type ReactNode } from "react";
import type { Problems } from "../api/problems";

export function Loading({ what }: { what: string }) {
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 2, p: 2 }} role="status">
      <CircularProgress size={24} aria-hidden />
      <Typography>Loading {what}…</Typography>
    </Box>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return (
    <Box sx={{ p: 3, textAlign: "center", color: "text.secondary" }} role="status">
      <Typography>{children}</Typography>
    </Box>
  );
}

export function Failed({ message }: { message: string | null }) {
  return message ? (
    <Alert severity="error" role="alert" sx={{ mb: 2 }}>
      {message}
    </Alert>
  ) : null;
}

/** The emails of a pasted list: one a line (commas and semicolons part them too). */
export function pastedEmails(text: string): string[] {
  return text
    .split(/[\n,;]/)
    .map((e) => e.trim())
    .filter(Boolean);
}

/** A refusal of pasted emails split for the form: what names the list or one of its lines
 * (`emails.3`, shown with the email it names) goes under the list, the rest above the form. */
export function pastedEmailProblems(
  problems: Problems,
  emails: string[],
): { emails: string | null; general: string | null } {
  const lines: string[] = [];
  const rest: string[] = [];
  for (const problem of problems.unplaced) {
    const line = /^emails\.(\d+): (.*)$/s.exec(problem);
    if (!line) {
      rest.push(problem);
      continue;
    }
    const email = emails[Number(line[1])] ?? "";
    const detail = line[2]!;
    lines.push(email && !detail.includes(email) ? `${email}: ${detail}` : detail);
  }
  return {
    emails: problems.byField.emails ?? (lines.length ? lines.join(" ") : null),
    general: rest.length ? rest.join(" ") : null,
  };
}

/** Saves a file made in the browser (a blob: link, which the SPA's CSP allows). */
export function saveFile(filename: string, blob: Blob) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Waits for the user to stop typing before searching. */
export function useDebounced<T>(value: T, ms = 300): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return settled;
}

/** Pages of a list: 10 to 100 a page; changing the page size goes back to the first page. */
export function Pager({
  total,
  page,
  perPage,
  onChange,
}: {
  total: number;
  page: number; // from 0
  perPage: number;
  onChange: (page: number, perPage: number) => void;
}) {
  return (
    <TablePagination
      component="div"
      count={total}
      page={page}
      rowsPerPage={perPage}
      rowsPerPageOptions={[10, 20, 50, 100]}
      onPageChange={(_, next) => onChange(next, perPage)}
      onRowsPerPageChange={(e) => onChange(0, Number(e.target.value))}
    />
  );
}
