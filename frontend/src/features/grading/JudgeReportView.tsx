// The judge's report on a program: whether it compiled (with the compiler's message) and a
// table of its tests. A teacher sees every test; a student sees the sample tests and how many
// hidden tests passed (the API leaves the hidden ones out of a student's report).
import { Box, Table, TableBody, TableCell, TableHead, TableRow, Typography } from "@mui/material";
import type { JudgeReport } from "../../api/queryApi.generated";

const STATUS: Record<string, string> = {
  passed: "Passed",
  wrong_answer: "Wrong answer",
  time_limit: "Time limit",
  memory_limit: "Memory limit",
  runtime_error: "Crashed",
  output_limit: "Too much output",
  compile_error: "Did not compile",
};

const LANGUAGE: Record<string, string> = { python: "Python", c: "C", cpp: "C++" };

export function statusText(status: string): string {
  return STATUS[status] ?? status.replace(/_/g, " ");
}

export default function JudgeReportView({ report, label }: { report: JudgeReport; label: string }) {
  const language = LANGUAGE[report.language] ?? report.language;
  return (
    <Box sx={{ mt: 1 }}>
      <Typography variant="body2">
        {language} program,{" "}
        {report.compile_status === "compile_error"
          ? "did not compile"
          : `${report.hidden_passed} of ${report.hidden_total} hidden tests passed`}
        .
      </Typography>
      {report.compile_message && (
        <Box
          component="pre"
          aria-label="The compiler's message"
          sx={{ p: 1, my: 1, bgcolor: "grey.100", overflowX: "auto", fontSize: "0.8rem" }}
        >
          {report.compile_message}
        </Box>
      )}
      {report.tests.length > 0 && (
        <Table size="small" aria-label={label} sx={{ mt: 1 }}>
          <TableHead>
            <TableRow>
              <TableCell scope="col">Test</TableCell>
              <TableCell scope="col">Result</TableCell>
              <TableCell scope="col" align="right">
                CPU time
              </TableCell>
              <TableCell scope="col">Message</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {report.tests.map((test) => (
              <TableRow key={test.test_id}>
                <TableCell component="th" scope="row">
                  {test.test_id} {test.sample ? "(sample)" : "(hidden)"}
                </TableCell>
                <TableCell sx={{ color: test.status === "passed" ? "success.dark" : "error.dark" }}>
                  {statusText(test.status)}
                </TableCell>
                <TableCell align="right">{test.cpu_ms} ms</TableCell>
                <TableCell
                  sx={{ fontFamily: "monospace", whiteSpace: "pre-wrap", fontSize: "0.8rem" }}
                >
                  {test.message}
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </Box>
  );
}
