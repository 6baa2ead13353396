import {
  Alert,
  Box,
  CircularProgress,
  Link,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TablePagination,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useEffect, useState, type FormEvent, type ReactNode } from "react";
import { Link as RouterLink } from "react-router";
import type { SxProps, Theme } from "@mui/material";
import type { Problems } from "../api/problems";

export function Loading({ what }: { what: string }) {
  return (
    <Box sx={{ display: "flex", alignItems: "center", gap: 2, p: 2 }} role="status">
      <CircularProgress size={24} aria-hidden />
      <Typography>Loading {what}…</Typography>
    </Box>
  );
}

/** A titled form in an outlined panel: the heading names the form for screen readers, and a
 * refusal that names no field shows above the fields. */
export function FormPanel({
  id,
  title,
  heading = "h2",
  error,
  onSubmit,
  sx,
  children,
}: {
  id: string;
  title: string;
  heading?: "h2" | "h3";
  error: string | null;
  onSubmit: (event: FormEvent) => void;
  sx?: SxProps<Theme>;
  children: ReactNode;
}) {
  return (
    <Paper
      variant="outlined"
      component="form"
      onSubmit={onSubmit}
      noValidate
      aria-labelledby={`${id}-heading`}
      sx={[{ p: 2 }, ...(Array.isArray(sx) ? sx : [sx])]}
    >
      <Typography id={`${id}-heading`} component={heading} variant="h6" gutterBottom>
        {title}
      </Typography>
      <Failed message={error} />
      {children}
    </Paper>
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

export type Paging = ReturnType<typeof usePaging>;

/** A list's page (from 0) and page size; `query` is what the APIs take (pages from 1). */
export function usePaging(initialPerPage = 20) {
  const [{ page, perPage }, set] = useState({ page: 0, perPage: initialPerPage });
  return {
    page,
    perPage,
    query: { page: page + 1, perPage },
    setPage: (next: number) => set((s) => ({ ...s, page: next })),
    change: (next: number, size: number) => set({ page: next, perPage: size }),
  };
}

/** Pages of a list: 10 to 100 a page; changing the page size goes back to the first page. */
export function Pager({ total, paging }: { total: number; paging: Paging }) {
  return (
    <TablePagination
      component="div"
      count={total}
      page={paging.page}
      rowsPerPage={paging.perPage}
      rowsPerPageOptions={[10, 20, 50, 100]}
      onPageChange={(_, next) => paging.change(next, paging.perPage)}
      onRowsPerPageChange={(e) => paging.change(0, Number(e.target.value))}
    />
  );
}

/** A list's search box: each change goes back to the list's first page. */
export function SearchField({
  label,
  text,
  setText,
  paging,
}: {
  label: string;
  text: string;
  setText: (text: string) => void;
  paging: Paging;
}) {
  return (
    <TextField
      label={label}
      value={text}
      onChange={(e) => {
        setText(e.target.value);
        paging.setPage(0);
      }}
      size="small"
      sx={{ minWidth: 280 }}
    />
  );
}

/** A small table in a frame: its column headings, its rows, and what goes under it. */
export function RowsTable({
  label,
  columns,
  children,
  footer,
  busy = false,
}: {
  label: string;
  columns: string[];
  children: ReactNode;
  footer?: ReactNode; // under the table, inside its frame (a pager)
  busy?: boolean; // the rows are being read again
}) {
  return (
    <Paper variant="outlined">
      <TableContainer>
        <Table size="small" aria-label={label} aria-busy={busy}>
          <TableHead>
            <TableRow>
              {columns.map((column) => (
                <TableCell key={column} component="th" scope="col">
                  {column}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>{children}</TableBody>
        </Table>
      </TableContainer>
      {footer}
    </Paper>
  );
}

/** A page's heading with its actions beside it (they wrap under it on narrow screens). */
export function PageHeader({ title, children }: { title: ReactNode; children?: ReactNode }) {
  return (
    <Stack
      direction="row"
      spacing={1}
      useFlexGap
      sx={{ alignItems: "center", mb: 2, flexWrap: "wrap" }}
    >
      <Typography component="h1" variant="h4" sx={{ flexGrow: 1 }}>
        {title}
      </Typography>
      {children}
    </Stack>
  );
}

/** A question's image or audio file at `url`. `alt` is the image's text alternative ("" for
 * a decorative one); an audio player is named by it, or by `audioLabel` without one. */
export function MediaFile({
  contentType,
  url,
  alt,
  audioLabel,
  sx,
}: {
  contentType: string;
  url: string;
  alt: string;
  audioLabel: string;
  sx?: SxProps<Theme>;
}) {
  return contentType.startsWith("audio/") ? (
    <Box component="audio" controls src={url} aria-label={alt || audioLabel} sx={sx} />
  ) : (
    <Box
      component="img"
      src={url}
      alt={alt}
      sx={[{ maxWidth: "100%", display: "block" }, ...(Array.isArray(sx) ? sx : [sx])]}
    />
  );
}

/** Counts as labelled tiles (a description list): "Submitted 12", "To grade 3". */
export function CountTiles({ counts }: { counts: [string, number][] }) {
  return (
    <Stack
      component="dl"
      direction="row"
      spacing={2}
      useFlexGap
      sx={{ flexWrap: "wrap", m: 0, mb: 2 }}
    >
      {counts.map(([label, count]) => (
        <Paper key={label} variant="outlined" sx={{ px: 2, py: 1, minWidth: 120 }}>
          <Typography component="dt" variant="body2">
            {label}
          </Typography>
          <Typography component="dd" variant="h5" sx={{ m: 0 }}>
            {count}
          </Typography>
        </Paper>
      ))}
    </Stack>
  );
}

/** A table cell naming a person: their name (or "(erased)") and their email under it. */
export function PersonCell({
  name,
  email,
  to,
}: {
  name: string | null;
  email: string | null;
  to?: string; // the person's page, when there is one
}) {
  return (
    <TableCell>
      {to ? (
        <Link component={RouterLink} to={to}>
          {name ?? "(erased)"}
        </Link>
      ) : (
        (name ?? "(erased)")
      )}
      {email && (
        <Typography variant="body2" component="span" sx={{ display: "block" }}>
          {email}
        </Typography>
      )}
    </TableCell>
  );
}
