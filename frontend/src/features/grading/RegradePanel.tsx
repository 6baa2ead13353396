// After correcting a question's key (a new revision in the bank), mark its answers in this
// exam again: first a preview of what would change, then the regrade. A teacher's own grade
// of an answer stands. A program question's corrected tests send its programs to the judge
// again: the preview counts them, their new points come as the judge runs them. An essay's
// corrected rubric rescores the answers graded with it (the levels picked stay, their points
// follow) and has the answers still to grade graded with it.
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
  to_grade: "To grade with the corrected rubric",
  levels_gone: "Grade again: its levels are gone from the rubric",
};

function plural(n: number, one: string): string {
  return `${n} ${one}${n === 1 ? "" : "s"}`;
}

/** What the preview or the regrade found, in a sentence. */
function summary(outcome: RegradeOut, essay: boolean): string {
  const judging = outcome.judging ?? 0;
  const toGrade = outcome.to_grade ?? 0;
  if (judging > 0) {
    return outcome.applied
      ? `Sent ${plural(judging, "program")} to the judge with the tests of revision ${outcome.revision}: the new points come as each is judged.`
      : `With the tests of revision ${outcome.revision}, ${judging} of ${outcome.attempts} programs would be judged again.`;
  }
  const rest =
    essay && toGrade > 0 ? ` ${plural(toGrade, "answer")} to grade with its rubric.` : "";
  return outcome.applied
    ? `Regraded with revision ${outcome.revision}: ${plural(outcome.changed, "answer")} changed.${rest}`
    : `With revision ${outcome.revision}, ${outcome.changed} of ${outcome.attempts} answers would change.${rest}`;
}

export function RegradePanel({
  examId,
  questionId,
  labels,
  onApplied,
  essay = false,
}: {
  examId: string;
  questionId: string;
  /** an essay: regraded with a corrected rubric, not a key */
  essay?: boolean;
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
        {essay ? "Regrade with a corrected rubric" : "Regrade with a corrected key"}
      </Typography>
      <Typography sx={{ mb: 2 }}>
        {essay
          ? "Corrected this essay's rubric in the bank? The answers you graded with the rubric keep the levels you picked and get their new points; the ones still to grade are graded with it. See what changes first; grades you gave as points stay as they are."
          : "Corrected this question in the bank? Mark its answers in this exam again with the latest revision. See what changes first; grades you gave by hand stay as they are."}
      </Typography>
      <Failed message={problems.general} />
      <Box sx={{ display: "flex", gap: 2, mb: outcome ? 2 : 0 }}>
        <Button variant="outlined" onClick={() => run(false)} disabled={regrading.isLoading}>
          Preview the regrade
        </Button>
        {outcome && !outcome.applied && outcome.changed > 0 && (
          <Button variant="contained" onClick={() => run(true)} disabled={regrading.isLoading}>
            Regrade {plural(outcome.changed, "answer")}
          </Button>
        )}
        {outcome && !outcome.applied && outcome.changed === 0 && (outcome.to_grade ?? 0) > 0 && (
          <Button variant="contained" onClick={() => run(true)} disabled={regrading.isLoading}>
            Use the corrected rubric
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
            {summary(outcome, essay)}
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
