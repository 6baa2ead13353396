// An exam's analytics for its teacher: the score distribution (a bar chart with its numbers
// as a table for screen readers and keyboard users), the summary figures, and each question's
// facility and discrimination, flagged when a question may need a look.
import { useState } from "react";
import { Box, Button, Paper, TableCell, TableRow, Typography } from "@mui/material";
import { Link as RouterLink, useParams } from "react-router";
import { problemsOf } from "../../api/problems";
import {
  useExamAnalyticsV1AnalyticsExamsExamIdGetQuery,
  useGetExamV1ExamsExamIdGetQuery,
  type ItemStatistics,
  type ScoreStatistics,
} from "../../api/queryApi.generated";
import { CountTiles, Failed, Loading, PageHeader, RowsTable } from "../shared";
import { DownloadCsv } from "./DownloadCsv";
import { points } from "./points";

const REFRESH_MS = 15_000;

function fixed(value: number | null | undefined, digits = 2): string {
  return value === null || value === undefined ? "–" : value.toFixed(digits);
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

/** The histogram: a bar per 10 % band, its height the share of attempts in it. */
function Distribution({ score }: { score: ScoreStatistics }) {
  const most = Math.max(1, ...score.histogram.map((b) => b.attempts));
  return (
    <Paper variant="outlined" sx={{ p: 2, mb: 3 }}>
      <Typography component="h2" variant="h6" gutterBottom id="distribution-heading">
        Score distribution
      </Typography>
      <Box aria-hidden sx={{ display: "flex", alignItems: "flex-end", gap: 1, height: 160, mb: 1 }}>
        {score.histogram.map((bin) => (
          <Box key={bin.from_percent} sx={{ flex: 1, textAlign: "center" }}>
            <Typography variant="body2">{bin.attempts || ""}</Typography>
            <Box
              sx={{
                height: `${(120 * bin.attempts) / most}px`,
                bgcolor: "primary.main",
                borderRadius: "2px 2px 0 0",
              }}
            />
          </Box>
        ))}
      </Box>
      <Box aria-hidden sx={{ display: "flex", gap: 1, mb: 2 }}>
        {score.histogram.map((bin) => (
          <Typography
            key={bin.from_percent}
            variant="caption"
            sx={{ flex: 1, textAlign: "center" }}
          >
            {bin.from_percent}–{bin.to_percent}
          </Typography>
        ))}
      </Box>
      <RowsTable label="Score distribution" columns={["Percent", "Attempts"]}>
        {score.histogram.map((bin) => (
          <TableRow key={bin.from_percent}>
            <TableCell>
              {bin.from_percent} to {bin.to_percent} %
            </TableCell>
            <TableCell>{bin.attempts}</TableCell>
          </TableRow>
        ))}
      </RowsTable>
    </Paper>
  );
}

export default function AnalyticsPage() {
  const { examId = "" } = useParams();
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
  return (
    <Box>
      <PageHeader title={exam.data ? `Analytics: ${exam.data.title}` : "Analytics"}>
        <DownloadCsv
          examId={examId}
          what="items"
          label="Download item statistics (CSV)"
          onFailed={setDownloadFailed}
        />
        <Button component={RouterLink} to={`/teacher/exams/${examId}/grades`}>
          Back to the grades
        </Button>
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
        <Distribution score={s} />
      </Box>
      <Typography component="h2" variant="h6" gutterBottom>
        Questions
      </Typography>
      <RowsTable
        label="Item statistics"
        columns={["#", "Question", "Facility", "Discrimination", "Point-biserial", "Note"]}
      >
        {a.questions.map((item, n) => (
          <TableRow key={item.question_id}>
            <TableCell>{n + 1}</TableCell>
            <TableCell sx={{ maxWidth: 360 }}>{item.stem ?? item.question_id}</TableCell>
            <TableCell>{percent(item.facility)}</TableCell>
            <TableCell>{fixed(item.discrimination_index)}</TableCell>
            <TableCell>{fixed(item.point_biserial)}</TableCell>
            <TableCell>{itemNote(item)}</TableCell>
          </TableRow>
        ))}
      </RowsTable>
    </Box>
  );
}
