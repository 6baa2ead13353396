// An exam's grades for its teacher: where grading stands, the questions still to grade (each
// opens the grading view of that question across all students), and every attempt's score.
import { useState } from "react";
import { Box, Button, Chip, Paper, TableCell, TableRow, Typography } from "@mui/material";
import { Link as RouterLink, useParams } from "react-router";
import { usePublishResultsV1ExamsExamIdResultsPublishPostMutation } from "../../api/commandApi.generated";
import { newCommandId, problemsOf } from "../../api/problems";
import {
  useExamGradesV1ExamsExamIdGradesGetQuery,
  useGetExamV1ExamsExamIdGetQuery,
  type ExamGrades,
} from "../../api/queryApi.generated";
import { formatMoment } from "../../time";
import { DownloadCsv } from "./DownloadCsv";
import { gradeText, points } from "./points";
import {
  CountTiles,
  Failed,
  PersonCell,
  Loading,
  PageHeader,
  Pager,
  RowsTable,
  usePaging,
} from "../shared";

/** New attempts arrive (and the auto-grader grades them) while the page is open. */
const REFRESH_MS = 10_000;

const TYPE_LABEL: Record<string, string> = {
  single_choice: "Single choice",
  multiple_choice: "Multiple choice",
  true_false: "True/false",
  short_answer: "Short answer",
  long_answer: "Essay",
  coding: "Coding",
};

function Counts({ grades }: { grades: ExamGrades }) {
  const counts: [string, number][] = [
    ["Submitted attempts", grades.attempts],
    ["Fully graded", grades.graded],
    ["Answers to grade", grades.pending_answers],
  ];
  return <CountTiles counts={counts} />;
}

const POLICY: Record<string, string> = {
  when_published: "Students see their results when you publish them.",
  when_graded: "Each student sees their results as soon as all their answers are graded.",
  after_window:
    "Each student sees their results once all their answers are graded and every student's window has closed.",
};

/** When students see their results, and the button that releases them to everyone now. */
function Release({ examId, grades }: { examId: string; grades: ExamGrades }) {
  const [publish, publishing] = usePublishResultsV1ExamsExamIdResultsPublishPostMutation();
  const [done, setDone] = useState(false);
  const forAll = grades.results_for_all || done;
  const problems = problemsOf(publishing.error, []);
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 3 }}>
      <Typography component="h2" variant="h6" gutterBottom>
        Results
      </Typography>
      <Failed message={problems.general} />
      <Typography sx={{ mb: 1 }}>
        {POLICY[grades.results_release] ?? grades.results_release}{" "}
        {forAll
          ? "They are published to every student: each sees their marks and your feedback."
          : grades.results_for
            ? `They are published to ${grades.results_for} student${grades.results_for === 1 ? "" : "s"} so far.`
            : "Nothing is published yet."}
      </Typography>
      {!forAll && (
        <Button
          variant="contained"
          disabled={publishing.isLoading}
          onClick={async () => {
            const answer = await publish({
              examId,
              "Idempotency-Key": newCommandId(),
              resultsIn: {},
            });
            if (answer.data) setDone(true);
          }}
        >
          Publish results to every student
        </Button>
      )}
      {done && <Typography role="status">The results are published.</Typography>}
    </Paper>
  );
}

export default function ExamGradesPage() {
  const { examId = "" } = useParams();
  const paging = usePaging(50);
  const exam = useGetExamV1ExamsExamIdGetQuery({ examId });
  const found = useExamGradesV1ExamsExamIdGradesGetQuery(
    { examId, ...paging.query },
    { pollingInterval: REFRESH_MS, refetchOnMountOrArgChange: true },
  );
  const [downloadFailed, setDownloadFailed] = useState<string | null>(null);
  const title = exam.data ? `Grades: ${exam.data.title}` : "Grades";
  if (found.isLoading) return <Loading what="the exam's grades" />;
  if (!found.data) return <Failed message={problemsOf(found.error, []).general} />;
  const grades = found.data;
  return (
    <Box>
      <PageHeader title={title}>
        <DownloadCsv
          examId={examId}
          what="results"
          label="Download results (CSV)"
          onFailed={setDownloadFailed}
        />
        <Button component={RouterLink} to={`/teacher/exams/${examId}/analytics`}>
          Analytics
        </Button>
        <Button component={RouterLink} to="/teacher">
          Back to your exams
        </Button>
      </PageHeader>
      <Typography variant="body2" sx={{ mb: 2 }}>
        Choice, true/false and short answers are graded as soon as an attempt is submitted. Essays
        wait for you: grade one question across all students at a time.
      </Typography>
      <Failed message={downloadFailed} />
      <Counts grades={grades} />
      <Release examId={examId} grades={grades} />
      <Typography component="h2" variant="h6" gutterBottom>
        Questions
      </Typography>
      <Box sx={{ mb: 3 }}>
        <RowsTable label="Questions" columns={["#", "Question", "Type", "Points", "To grade", ""]}>
          {grades.questions.map((q, n) => (
            <TableRow key={q.question_id}>
              <TableCell>{n + 1}</TableCell>
              <TableCell sx={{ maxWidth: 420 }}>{q.stem ?? q.question_id}</TableCell>
              <TableCell>{TYPE_LABEL[q.question_type ?? ""] ?? q.question_type}</TableCell>
              <TableCell>{points(q.max_points)}</TableCell>
              <TableCell>
                {q.pending ? (
                  <Chip size="small" color="primary" label={`${q.pending} of ${q.answers}`} />
                ) : (
                  "–"
                )}
              </TableCell>
              <TableCell>
                <Button
                  size="small"
                  component={RouterLink}
                  to={`/teacher/exams/${examId}/grading/${q.question_id}`}
                  aria-label={`${q.pending ? "Grade" : "Review"} question ${n + 1}`}
                >
                  {q.pending ? "Grade" : "Review"}
                </Button>
              </TableCell>
            </TableRow>
          ))}
          {!grades.questions.length && (
            <TableRow>
              <TableCell colSpan={6}>No attempt is submitted yet.</TableCell>
            </TableRow>
          )}
        </RowsTable>
      </Box>
      <Typography component="h2" variant="h6" gutterBottom>
        Attempts
      </Typography>
      <RowsTable
        label="Attempts"
        columns={["Student", "Score", "Status", "Last graded"]}
        busy={found.isFetching}
        footer={<Pager total={grades.total} paging={paging} />}
      >
        {grades.items.map((row) => (
          <TableRow key={row.attempt_id}>
            <PersonCell
              name={row.name ?? null}
              email={row.email ?? null}
              to={`/teacher/students/${encodeURIComponent(row.student_id)}`}
            />
            <TableCell>
              {points(row.score)} of {points(row.max_score)} ({points(row.percent)} %)
              {gradeText(row)}
            </TableCell>
            <TableCell>
              {row.status === "graded"
                ? "Graded"
                : `${row.pending_count} answer${row.pending_count === 1 ? "" : "s"} to grade`}
            </TableCell>
            <TableCell>{formatMoment(row.graded_at)}</TableCell>
          </TableRow>
        ))}
        {!grades.items.length && (
          <TableRow>
            <TableCell colSpan={4}>No attempt is submitted yet.</TableCell>
          </TableRow>
        )}
      </RowsTable>
    </Box>
  );
}
