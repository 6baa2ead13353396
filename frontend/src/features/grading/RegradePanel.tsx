// After correcting a question's key (a new revision in the bank), mark its answers in this
// exam again: first a preview of what would change, then the regrade. A teacher's own grade
// of an answer stands. A program question's corrected tests send its programs to the judge
// again: the preview counts them, their new points come as the judge runs them.
import { useState } from "react";
import { Box, Button, Paper, TableCell, TableRow, Typography } from "@mui/material";
import {
  useRegradeQuestionV1ExamsExamIdRegradePostMutation,
  type RegradeOut,
} from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import { Failed, RowsTable } from "../shared";
import { points } from "./points";

const KEPT: Record<string, string> = {
  graded_by_hand: "Kept: graded by hand",
  same: "No change",
};

export function RegradePanel({
  examId,
  questionId,
  labels,
  onApplied,
}: {
  examId: string;
  questionId: string;
  /** attempt id -> how the page names its student ("Student 3") */
  labels: Record<string, string>;
  onApplied: () => void;
}) {
  const [regrade, regrading] = useRegradeQuestionV1ExamsExamIdRegradePostMutation();
  const [outcome, setOutcome] = useState<RegradeOut | null>(null);
  const problems = problemsOf(regrading.error, []);

  async function run(apply: boolean) {
    const answer = await regrade({
      examId,
      "Idempotency-Key": newCommandId(),
      regradeIn: { question_id: questionId, apply },
    });
    if (answer.data) {
      setOutcome(answer.data);
      if (apply) onApplied();
    }
  }

  return (
    <Paper variant="outlined" sx={{ p: 2, mt: 3 }}>
      <Typography component="h2" variant="h6" gutterBottom>
        Regrade with a corrected key
      </Typography>
      <Typography sx={{ mb: 2 }}>
        Corrected this question in the bank? Mark its answers in this exam again with the latest
        revision. See what changes first; grades you gave by hand stay as they are.
      </Typography>
      <Failed message={problems.general} />
      <Box sx={{ display: "flex", gap: 2, mb: outcome ? 2 : 0 }}>
        <Button variant="outlined" onClick={() => run(false)} disabled={regrading.isLoading}>
          Preview the regrade
        </Button>
        {outcome && !outcome.applied && outcome.changed > 0 && (
          <Button variant="contained" onClick={() => run(true)} disabled={regrading.isLoading}>
            Regrade {outcome.changed} answer{outcome.changed === 1 ? "" : "s"}
          </Button>
        )}
        {outcome && !outcome.applied && (outcome.judging ?? 0) > 0 && (
          <Button variant="contained" onClick={() => run(true)} disabled={regrading.isLoading}>
            Judge {outcome.judging} program{outcome.judging === 1 ? "" : "s"} again
          </Button>
        )}
      </Box>
      {outcome && (
        <>
          <Typography role="status" sx={{ mb: 1 }}>
            {(outcome.judging ?? 0) > 0
              ? outcome.applied
                ? `Sent ${outcome.judging} program${outcome.judging === 1 ? "" : "s"} to the judge with the tests of revision ${outcome.revision}: the new points come as each is judged.`
                : `With the tests of revision ${outcome.revision}, ${outcome.judging} of ${outcome.attempts} programs would be judged again.`
              : outcome.applied
                ? `Regraded with revision ${outcome.revision}: ${outcome.changed} answer${outcome.changed === 1 ? "" : "s"} changed.`
                : `With revision ${outcome.revision}, ${outcome.changed} of ${outcome.attempts} answers would change.`}
          </Typography>
          <RowsTable label="What the regrade changes" columns={["Student", "Before", "After"]}>
            {outcome.changes.map((change) => (
              <TableRow key={change.attempt_id}>
                <TableCell>{labels[change.attempt_id] ?? change.attempt_id}</TableCell>
                <TableCell>{change.before === null ? "–" : points(change.before)}</TableCell>
                <TableCell>
                  {change.judging
                    ? "Judged again"
                    : change.after === null
                      ? (KEPT[change.kept ?? ""] ?? change.kept)
                      : points(change.after)}
                </TableCell>
              </TableRow>
            ))}
          </RowsTable>
        </>
      )}
    </Paper>
  );
}
