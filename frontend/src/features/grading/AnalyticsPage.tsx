// An exam's analytics for its teacher: the summary figures, the score distribution and the
// time spent (bar charts with their numbers as tables for screen readers and keyboard users),
// each question's facility against its discrimination, the item statistics flagged when a
// question may need a look, and how each option of the choice questions was picked.
import { useState } from "react";
import { Alert, Box, Button, TableCell, TableRow, Typography } from "@mui/material";
import { Link as RouterLink, useParams } from "react-router";
import { useAppSelector } from "../../app/store";
import { problemsOf } from "../../api/problems";
import {
  useExamAnalyticsV1AnalyticsExamsExamIdGetQuery,
  useGetExamV1ExamsExamIdGetQuery,
  type ItemStatistics,
} from "../../api/queryApi.generated";
import { Bars, Distractors, ItemMap } from "./AnalyticsCharts";
import { CountTiles, Failed, Loading, PageHeader, RowsTable } from "../shared";
import { DownloadCsv } from "./DownloadCsv";
import { points } from "./points";

const REFRESH_MS = 15_000;

function fixed(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? "–" : value.toFixed(digits);
}

function minutes(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** Seconds as people read a duration: "45 s", "2 min 5 s". */
export function duration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "–";
  const whole = Math.round(seconds);
  if (whole < 60) return `${whole} s`;
  const rest = whole % 60;
  return rest ? `${Math.floor(whole / 60)} min ${rest} s` : `${whole / 60} min`;
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? "–" : `${Math.round(value * 100)} %`;
}

/** What a question's numbers suggest, by the usual rules of thumb of item analysis. */
export function itemNote(item: ItemStatistics): string {
  if (item.facility === null || item.facility === undefined) return "";
  if (item.discrimination_index !== null && item.discrimination_index !== undefined) {
    if (item.discrimination_index < 0) return "Weaker students did better: check the key";
    if (item.discrimination_index < 0.2 && item.facility < 0.9 && item.facility > 0.1) {
      return "Separates students little";
    }
  }
  if (item.facility >= 0.9) return "Very easy";
  if (item.facility <= 0.2) return "Very hard";
  return "";
}

export default function AnalyticsPage() {
  const { examId = "" } = useParams();
  // Analysts come from their list of exams; the exam's teacher and admins from its grades.
  const analyst = useAppSelector((state) => state.auth.user?.role) === "analyst";
  const exam = useGetExamV1ExamsExamIdGetQuery({ examId });
  const [downloadFailed, setDownloadFailed] = useState<string | null>(null);
  const found = useExamAnalyticsV1AnalyticsExamsExamIdGetQuery(
    { examId },
    { pollingInterval: REFRESH_MS, refetchOnMountOrArgChange: true },
  );
  if (found.isLoading) return <Loading what="the exam's analytics" />;
  if (!found.data) return <Failed message={problemsOf(found.error, []).general} />;
  const a = found.data;
  const s = a.score;
  const top = (
    <>
      <PageHeader title={exam.data ? `Analytics: ${exam.data.title}` : "Analytics"}>
        {!a.withheld && (
          <DownloadCsv
            examId={examId}
            what="items"
            label="Download item statistics (CSV)"
            onFailed={setDownloadFailed}
          />
        )}
        {analyst ? (
          <Button component={RouterLink} to="/analyst">
            Back to the exams
          </Button>
        ) : (
          <Button component={RouterLink} to={`/teacher/exams/${examId}/grades`}>
            Back to the grades
          </Button>
        )}
      </PageHeader>
      <Failed message={downloadFailed} />
      <Typography variant="body2" sx={{ mb: 2 }}>
        Over the {a.graded} fully graded attempt{a.graded === 1 ? "" : "s"}
        {a.pending ? ` (${a.pending} still being graded are left out)` : ""}; updated as grades
        arrive.
      </Typography>
      <CountTiles
        counts={[
          ["Assigned", a.assigned],
          ["Submitted", a.submitted],
          ["Graded", a.graded],
        ]}
      />
    </>
  );
  if (a.withheld) {
    return (
      <Box>
        {top}
        <Alert severity="info">
          Only {a.graded} graded attempt{a.graded === 1 ? "" : "s"} so far: the figures are shown
          once there are enough that no student can be singled out.
        </Alert>
      </Box>
    );
  }
  return (
    <Box>
      {top}
      <RowsTable label="Summary" columns={["Figure", "Value"]}>
        {(
          [
            [
              "Mean score",
              s.mean === null ? "–" : `${fixed(s.mean)} (${fixed(s.mean_percent, 1)} %)`,
            ],
            ["Median score", s.median === null ? "–" : points(s.median ?? 0)],
            ["Standard deviation", fixed(s.std)],
            [
              "Lowest – highest",
              s.lowest === null ? "–" : `${points(s.lowest ?? 0)} – ${points(s.highest ?? 0)}`,
            ],
            [
              "Pass rate",
              a.pass_mark_percent === null
                ? "No pass mark set"
                : `${percent(s.pass_rate)} at ${a.pass_mark_percent} %`,
            ],
            ["Completion", percent(a.completion)],
            [
              "Time spent (median)",
              a.time_minutes_median === null ? "–" : `${fixed(a.time_minutes_median, 1)} min`,
            ],
          ] as [string, string][]
        ).map(([figure, value]) => (
          <TableRow key={figure}>
            <TableCell component="th" scope="row">
              {figure}
            </TableCell>
            <TableCell>{value}</TableCell>
          </TableRow>
        ))}
      </RowsTable>
      <Box sx={{ my: 3 }}>
        <Bars
          title="Score distribution"
          columns={["Percent", "Attempts"]}
          bins={s.histogram.map((bin) => ({
            key: String(bin.from_percent),
            label: `${bin.from_percent} to ${bin.to_percent} %`,
            caption: `${bin.from_percent}–${bin.to_percent}`,
            count: bin.attempts,
          }))}
        />
        <Bars
          title="Time spent"
          columns={["Minutes from start to submission", "Attempts"]}
          bins={a.time_histogram.map((bin) => ({
            key: String(bin.from_minutes),
            label: `${minutes(bin.from_minutes)} to ${minutes(bin.to_minutes)} min`,
            caption: `${minutes(bin.from_minutes)}–${minutes(bin.to_minutes)}`,
            count: bin.attempts,
          }))}
        />
        <ItemMap questions={a.questions} />
      </Box>
      <Typography component="h2" variant="h6" gutterBottom>
        Questions
      </Typography>
      <RowsTable
        label="Item statistics"
        columns={[
          "#",
          "Question",
          "Facility",
          "Discrimination",
          "Point-biserial",
          "Average time",
          "Note",
        ]}
      >
        {a.questions.map((item, n) => (
          <TableRow key={item.question_id}>
            <TableCell>{n + 1}</TableCell>
            <TableCell sx={{ maxWidth: 360 }}>{item.stem ?? item.question_id}</TableCell>
            <TableCell>{percent(item.facility)}</TableCell>
            <TableCell>{fixed(item.discrimination_index)}</TableCell>
            <TableCell>{fixed(item.point_biserial)}</TableCell>
            <TableCell>{duration(item.seconds_mean)}</TableCell>
            <TableCell>{itemNote(item)}</TableCell>
          </TableRow>
        ))}
      </RowsTable>
      <Distractors questions={a.questions} />
    </Box>
  );
}
