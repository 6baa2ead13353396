// A student's results of one attempt, once released: the score, and each question's points,
// why, and the teacher's feedback (never the answer key).
import { Box, Button, Paper, Stack, Typography } from "@mui/material";
import { Link as RouterLink, useParams } from "react-router";
import { problemsOf } from "../../api/problems";
import {
  useAttemptGradesV1AttemptsAttemptIdGradesGetQuery,
  useGetAttemptV1AttemptsAttemptIdGetQuery,
  useGetExamV1ExamsExamIdGetQuery,
} from "../../api/queryApi.generated";
import { Failed, Loading, PageHeader } from "../shared";
import JudgeReportView from "./JudgeReportView";
import { gradeText, points } from "./points";

export default function ResultsPage() {
  const { attemptId = "" } = useParams();
  const grades = useAttemptGradesV1AttemptsAttemptIdGradesGetQuery({ attemptId });
  const attempt = useGetAttemptV1AttemptsAttemptIdGetQuery({ attemptId });
  const exam = useGetExamV1ExamsExamIdGetQuery(
    { examId: grades.data?.exam_id ?? "" },
    { skip: !grades.data },
  );
  if (grades.isLoading || attempt.isLoading) return <Loading what="your results" />;
  if (!grades.data) {
    const refused = grades.error && "status" in grades.error && grades.error.status === 404;
    return (
      <Box>
        <PageHeader title="Your results">
          <Button component={RouterLink} to="/student">
            Back to your exams
          </Button>
        </PageHeader>
        <Failed
          message={
            refused
              ? "Your results are not published yet. Your teacher will release them."
              : problemsOf(grades.error, []).general
          }
        />
      </Box>
    );
  }
  const result = grades.data;
  const stems = new Map(
    (attempt.data?.questions ?? []).map((q) => [q.question.question_id, q.question.stem]),
  );
  return (
    <Box>
      <PageHeader title={exam.data ? `Your results: ${exam.data.title}` : "Your results"}>
        <Button component={RouterLink} to="/student">
          Back to your exams
        </Button>
      </PageHeader>
      <Typography variant="h5" component="p" sx={{ mb: 1 }}>
        {points(result.score)} of {points(result.max_score)} points ({points(result.percent)} %)
        {gradeText(result)}
      </Typography>
      {result.pending.length > 0 && (
        <Typography sx={{ mb: 2 }}>
          {result.pending.length} answer{result.pending.length === 1 ? " is" : "s are"} still being
          graded: the score counts what is graded so far.
        </Typography>
      )}
      <Stack component="ol" spacing={2} sx={{ pl: 0, listStyle: "none" }}>
        {result.marks.map((mark, n) => (
          <Paper component="li" key={mark.question_id} variant="outlined" sx={{ p: 2 }}>
            <Typography component="h2" variant="h6">
              Question {n + 1}:{" "}
              {mark.graded
                ? `${points(mark.points ?? 0)} of ${points(mark.max_points)} points`
                : `not graded yet (${points(mark.max_points)} points)`}
            </Typography>
            <Typography sx={{ whiteSpace: "pre-wrap", my: 1 }}>
              {stems.get(mark.question_id) ?? ""}
            </Typography>
            {mark.detail && !mark.judge && (
              <Typography variant="body2">
                {mark.detail.charAt(0).toUpperCase() + mark.detail.slice(1)}
              </Typography>
            )}
            {mark.judge && (
              <JudgeReportView
                report={mark.judge}
                label={`Tests of your program for question ${n + 1}`}
              />
            )}
            {mark.teacher_feedback && (
              <Box
                component="blockquote"
                sx={{ m: 0, mt: 1, pl: 2, borderLeft: 4, borderColor: "primary.main" }}
              >
                <Typography variant="body2" component="p" sx={{ fontWeight: 500 }}>
                  Your teacher's feedback
                </Typography>
                <Typography sx={{ whiteSpace: "pre-wrap" }}>{mark.teacher_feedback}</Typography>
              </Box>
            )}
          </Paper>
        ))}
      </Stack>
    </Box>
  );
}
