// The report of a file read before anything is imported (questions, accounts): why the file
// cannot be read at all, and a table of its rows with each row's problems by column.
import { Alert, AlertTitle, Box, Chip } from "@mui/material";

export function FileUnreadable({ problems }: { problems: string[] }) {
  return (
    <Alert severity="error" role="alert" sx={{ mb: 2 }}>
      <AlertTitle>The file cannot be imported</AlertTitle>
      <Box component="ul" sx={{ m: 0, pl: 2 }}>
        {problems.map((problem) => (
          <li key={problem}>{problem}</li>
        ))}
      </Box>
    </Alert>
  );
}

export function RowStatus({ valid }: { valid: boolean }) {
  return (
    <Chip
      size="small"
      variant="outlined"
      label={valid ? "ready" : "error"}
      color={valid ? "success" : "error"}
    />
  );
}

type CellProblem = { column?: string | null; message: string };

/** A row's problems, each with the column it names; `extra` adds lines (what did not map). */
export function RowProblems({ errors, extra = [] }: { errors: CellProblem[]; extra?: string[] }) {
  return (
    <Box component="ul" sx={{ m: 0, pl: 2 }}>
      {errors.map((e, i) => (
        <li key={i}>
          {e.column ? <strong>{e.column}: </strong> : null}
          {e.message}
        </li>
      ))}
      {extra.map((line, i) => (
        <li key={`extra-${i}`}>{line}</li>
      ))}
    </Box>
  );
}
