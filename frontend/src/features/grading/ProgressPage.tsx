// A student's results over their exams, oldest first: each against the exam's mean, with the
// student's rank in it. The student reads their own (released results only, at
// /student/progress); an exam's teacher reads their students' (/teacher/students/:id). The
// line chart is hidden from screen readers: the table beside it has every number.
import { Box, Button, Paper, TableCell, TableRow, Typography } from "@mui/material";
import { Link as RouterLink, useParams } from "react-router";
import { problemsOf } from "../../api/problems";
import {
  useStudentTrendV1AnalyticsStudentsStudentIdGetQuery,
  type ExamOutcome,
} from "../../api/queryApi.generated";
import { useAppSelector } from "../../app/store";
import { formatMoment } from "../../time";
import { Empty, Failed, Loading, PageHeader, RowsTable } from "../shared";
import { gradeText, points } from "./points";

const SIZE = { width: 560, height: 220, pad: 36 };

function Lines({ exams }: { exams: ExamOutcome[] }) {
  const { width, height, pad } = SIZE;
  const x = (n: number) =>
    exams.length === 1 ? width / 2 : pad + (n * (width - 2 * pad)) / (exams.length - 1);
  const y = (percent: number) => pad + ((100 - percent) * (height - 2 * pad)) / 100;
  const path = (values: (number | null | undefined)[]) =>
    values
      .map((v, n) => (v == null ? null : `${x(n)},${y(v)}`))
      .filter(Boolean)
      .join(" ");
  return (
    <Box
      component="svg"
      aria-hidden
      viewBox={`0 0 ${width} ${height}`}
      sx={{ width: "100%", maxWidth: width, display: "block", mb: 2 }}
    >
      {[0, 50, 100].map((p) => (
        <g key={p}>
          <line x1={pad} x2={width - pad} y1={y(p)} y2={y(p)} stroke="#ddd" />
          <text x={pad - 6} y={y(p) + 4} fontSize="11" textAnchor="end">
            {p} %
          </text>
        </g>
      ))}
      <polyline
        points={path(exams.map((e) => e.exam_mean_percent))}
        fill="none"
        stroke="#9e9e9e"
        strokeDasharray="5"
        strokeWidth={2}
      />
      <polyline
        points={path(exams.map((e) => e.percent))}
        fill="none"
        stroke="#1565c0"
        strokeWidth={3}
      />
      {exams.map((e, n) => (
        <circle key={e.attempt_id} cx={x(n)} cy={y(e.percent)} r={5} fill="#1565c0" />
      ))}
      <text x={width - pad} y={height - 8} fontSize="11" textAnchor="end">
        solid: the student · dashed: the exam's mean
      </text>
    </Box>
  );
}

export default function ProgressPage() {
  const { studentId: asked } = useParams();
  const me = useAppSelector((s) => s.auth.user);
  const studentId = asked ?? me?.user_id ?? "";
  const own = !asked;
  const found = useStudentTrendV1AnalyticsStudentsStudentIdGetQuery({ studentId });
  if (found.isLoading) return <Loading what="the results over time" />;
  if (!found.data) return <Failed message={problemsOf(found.error, []).general} />;
  const { exams, name } = found.data;
  return (
    <Box>
      <PageHeader title={own ? "Your progress" : `Progress: ${name ?? "a student"}`}>
        {!own && (
          <Button component={RouterLink} to="/teacher">
            Back to your exams
          </Button>
        )}
      </PageHeader>
      {!exams.length ? (
        <Empty>No results {own ? "are released to you" : "of this student"} yet.</Empty>
      ) : (
        <>
          <Paper variant="outlined" sx={{ p: 2, mb: 3 }}>
            <Typography component="h2" variant="h6" gutterBottom>
              Score over time
            </Typography>
            <Lines exams={exams} />
          </Paper>
          <RowsTable
            label="Results by exam"
            columns={["Exam", "Submitted", "Result", "Exam's mean", "Rank in the exam"]}
          >
            {exams.map((e) => (
              <TableRow key={e.attempt_id}>
                <TableCell component="th" scope="row">
                  {e.title}
                </TableCell>
                <TableCell>{formatMoment(e.submitted_at)}</TableCell>
                <TableCell>
                  {points(e.score)} of {points(e.max_score)} ({points(e.percent)} %)
                  {gradeText(e)}
                </TableCell>
                <TableCell>
                  {e.exam_mean_percent == null ? "–" : `${points(e.exam_mean_percent)} %`}
                </TableCell>
                <TableCell>
                  {e.percentile_rank == null
                    ? "–"
                    : `percentile ${Math.round(e.percentile_rank * 100)} (${e.graded_attempts} graded)`}
                </TableCell>
              </TableRow>
            ))}
          </RowsTable>
        </>
      )}
    </Box>
  );
}
