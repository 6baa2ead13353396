import { useRef, useState, type ChangeEvent } from "react";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  LinearProgress,
  Link,
  Stack,
  TableCell,
  TableRow,
  Typography,
} from "@mui/material";
import {
  useImportAccountsV1UsersImportsPostMutation,
  usePreviewAccountsV1UsersImportsPreviewPostMutation,
  type AccountsImported,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import { FileUnreadable, RowProblems, RowStatus } from "../fileReport";
import { Failed, RowsTable, saveFile } from "../shared";

/** The columns the command API reads (command_api/identity/imports.py); role defaults to
 * student. The API offers no template, so it is written here. */
export const TEMPLATE = [
  "email,name,role,password",
  "ada@example.edu,Ada Lovelace,student,choose a long password",
  "alan@example.edu,Alan Turing,teacher,another long password",
].join("\r\n");

/** Admins create accounts from a CSV file: every row checked first (its problems by row and
 * column), nothing created until "Import all" or "Import the valid rows". */
export function ImportUsersDialog({
  open,
  onClose,
}: {
  open: boolean;
  onClose: (imported: AccountsImported | null) => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  // One command id per chosen file: a retried import creates nothing twice.
  const [commandId, setCommandId] = useState(newCommandId);
  const [preview, previewing] = usePreviewAccountsV1UsersImportsPreviewPostMutation();
  const [importFile, importing] = useImportAccountsV1UsersImportsPostMutation();
  const report = previewing.data;
  const failure = problemsOf(previewing.error, []).general;
  const refused = problemsOf(importing.error, []).unplaced;
  const busy = previewing.isLoading || importing.isLoading;
  const unreadable = Boolean(report?.file_errors.length);
  // Every row with a problem first: those are the ones to fix.
  const rows = report ? [...report.rows].sort((a, b) => Number(a.valid) - Number(b.valid)) : [];

  function close(imported: AccountsImported | null) {
    setFile(null);
    previewing.reset();
    importing.reset();
    onClose(imported);
  }

  async function onChoose(event: ChangeEvent<HTMLInputElement>) {
    const chosen = event.target.files?.[0];
    event.target.value = ""; // the same file may be chosen again after a fix
    if (!chosen) return;
    setFile(chosen);
    setCommandId(newCommandId());
    importing.reset();
    await preview({ body: chosen });
  }

  async function onImport(onlyValid: boolean) {
    if (!file) return;
    const answer = await importFile({ onlyValid, body: file, "Idempotency-Key": commandId });
    if (answer.data) close(answer.data);
  }

  return (
    <Dialog
      open={open}
      onClose={() => close(null)}
      aria-labelledby="import-users-title"
      maxWidth="lg"
      fullWidth
    >
      <DialogTitle id="import-users-title">Import accounts (CSV)</DialogTitle>
      <DialogContent>
        <Typography sx={{ mb: 1 }}>
          One account a row, with the columns <code>email</code>, <code>name</code>,{" "}
          <code>role</code> (student, teacher, proctor or admin; student when empty) and{" "}
          <code>password</code> (at least 10 characters). Nothing is created until you import: first
          every row is checked and its problems listed.
        </Typography>
        <Link
          component="button"
          type="button"
          onClick={() =>
            saveFile("accounts-template.csv", new Blob([TEMPLATE], { type: "text/csv" }))
          }
          sx={{ mb: 2 }}
        >
          Download a template (accounts-template.csv)
        </Link>
        <Stack direction="row" spacing={2} sx={{ alignItems: "center", mb: 2 }}>
          <Button variant="contained" disabled={busy} onClick={() => input.current?.click()}>
            {file ? "Choose another file" : "Choose a CSV file"}
          </Button>
          <input
            ref={input}
            hidden
            type="file"
            aria-label="CSV file of accounts"
            accept=".csv,.txt,text/csv"
            onChange={onChoose}
          />
          {file && (
            <Typography>
              {file.name} ({Math.max(1, Math.round(file.size / 1024))} KB)
            </Typography>
          )}
        </Stack>
        {busy && (
          <Box role="status" sx={{ mb: 2 }}>
            <Typography variant="body2">
              {importing.isLoading
                ? "Creating the accounts…"
                : `Uploading and checking ${file?.name ?? "the file"}…`}
            </Typography>
            <LinearProgress
              aria-label={importing.isLoading ? "Creating the accounts" : "Checking the file"}
            />
          </Box>
        )}
        <Failed message={failure} />
        {refused.length > 0 && (
          <Alert severity="error" role="alert" sx={{ mb: 2 }}>
            <AlertTitle>No account was created</AlertTitle>
            <Box component="ul" sx={{ m: 0, pl: 2 }}>
              {refused.slice(0, 20).map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </Box>
          </Alert>
        )}
        {report && (
          <Box component="section" aria-labelledby="accounts-report">
            <Typography id="accounts-report" component="h3" variant="h6" gutterBottom>
              {report.total} {report.total === 1 ? "account" : "accounts"} in the file:{" "}
              {report.valid} ready, {report.invalid} with problems
            </Typography>
            {unreadable && <FileUnreadable problems={report.file_errors} />}
            {report.invalid > 0 && (
              <Typography variant="body2" sx={{ mb: 1 }}>
                Fix the rows below in the file and choose it again, or import only the valid rows.
              </Typography>
            )}
            {rows.length > 0 && (
              <RowsTable
                label="Rows of the accounts file"
                columns={["Row", "Status", "Email", "Name", "Role", "Problems"]}
              >
                {rows.map((row) => (
                  <TableRow key={row.row}>
                    <TableCell>{row.row}</TableCell>
                    <TableCell>
                      <RowStatus valid={row.valid} />
                    </TableCell>
                    <TableCell sx={{ overflowWrap: "anywhere", minWidth: 200 }}>
                      {row.email ?? "—"}
                    </TableCell>
                    <TableCell>{row.name ?? "—"}</TableCell>
                    <TableCell>{row.role ?? "—"}</TableCell>
                    <TableCell>
                      <RowProblems errors={row.errors} />
                    </TableCell>
                  </TableRow>
                ))}
              </RowsTable>
            )}
          </Box>
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={() => close(null)}>Cancel</Button>
        <Button
          variant="outlined"
          disabled={busy || !report || unreadable || !report.valid || !report.invalid}
          onClick={() => onImport(true)}
        >
          Import the valid rows
        </Button>
        <Button
          variant="contained"
          disabled={busy || !report || unreadable || report.invalid > 0 || !report.valid}
          onClick={() => onImport(false)}
        >
          Import all
        </Button>
      </DialogActions>
    </Dialog>
  );
}
